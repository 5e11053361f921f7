"""Command-line flags generated from the hparams dataclasses, parsed in-process.

Every flat field of `hparams.Desc` (but those a procedure sets) becomes one absl flag with the field's help
and type and a default of None, meaning "the preset's value". Parsing is a
plain function of argv (no global FLAGS), so tests call it directly.
"""

import sys
import typing
from typing import Any, Dict, List, Mapping, Optional, Sequence

from absl import flags

from foundations import hparams

_DEFINERS = {int: flags.DEFINE_integer, float: flags.DEFINE_float, str: flags.DEFINE_string}


class UsageError(ValueError):
  """Bad command line; the message is one line."""


def _definer(field_type):
  args = [a for a in typing.get_args(field_type) if a is not type(None)]
  return _DEFINERS[args[0] if args else field_type]


def define_hparam_flags(fv: flags.FlagValues,
                        help_defaults: Mapping[str, hparams.Desc] = None,
                        help_variants: Mapping[str, Mapping[str, hparams.Desc]] = None) -> None:
  """Defines a flag per Desc field.

  help_defaults: label -> Desc, whose values the help lists as the defaults.
  help_variants: condition (e.g. '--dropout > 0') -> {label: Desc}: defaults that another flag
    selects; the help lists them for the fields where they differ from help_defaults[label].
  """
  flat = {label: hparams.to_flat(d) for label, d in (help_defaults or {}).items()}
  for _, f in hparams.leaf_fields():
    if not hparams.has_flag(f):
      continue
    text = f.metadata['help']
    if flat:
      text += ' [' + ', '.join(f'{label}: {v[f.name]}' for label, v in flat.items()) + ']'
    for condition, descs in (help_variants or {}).items():
      changed = {label: hparams.to_flat(d)[f.name] for label, d in descs.items()}
      changed = {label: v for label, v in changed.items() if v != flat[label][f.name]}
      if changed:
        text += (f' [{condition}: ' + ', '.join(f'{label}: {v}' for label, v in changed.items())
                 + ']')
    _definer(f.type)(hparams.flag_name(f), None, text, flag_values=fv)


def hparam_overrides(fv: flags.FlagValues) -> Dict[str, Any]:
  """field name -> value of every hparam flag given on the command line.

  Only what was given: `Desc.replace(**overrides)` derives the fields that follow
  a given one (see hparams.field), as it does for a change made in Python.
  """
  given = {}
  for _, f in hparams.leaf_fields():
    if not hparams.has_flag(f):
      continue
    value = fv[hparams.flag_name(f)].value
    if value is not None:
      given[f.name] = value
  return given


def parse(fv: flags.FlagValues, argv: Sequence[str]) -> List[str]:
  """Parses argv[1:] into fv; raises UsageError (one line) on bad flags or stray arguments."""
  try:
    rest = fv(list(argv))
  except flags.Error as e:
    raise UsageError(str(e).splitlines()[0]) from None
  if len(rest) > 1:
    raise UsageError(f'unexpected arguments: {" ".join(rest[1:])} (flags start with --; '
                     'see --help)')
  return rest


def define_common(fv: flags.FlagValues) -> None:
  """--help, and the flags every runner has that do not change results."""
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('output_dir', 'runs', 'Root directory of the results.', flag_values=fv)
  flags.DEFINE_string('data_dir', None, 'Dataset cache directory (default: $LTH_DATA_DIR or '
                      '~/.cache/lottery_ticket/data).', flag_values=fv)
  flags.DEFINE_integer('threads', 1, 'CPU threads TensorFlow may use (1 per process is fastest '
                       'per core; run trials in separate processes to use more cores).',
                       flag_values=fv)
  flags.DEFINE_boolean('progress', True, 'Show training progress.', flag_values=fv)
  define_verbosity(fv)


def define_verbosity(fv: flags.FlagValues) -> None:
  """--verbosity: whether TensorFlow's own messages reach the terminal."""
  flags.DEFINE_integer('verbosity', 0, '0: hide TensorFlow\'s C++ start-up lines (CUDA probing '
                       'on a machine without a GPU) and its Python warnings; 1: show them (to '
                       'debug a GPU).', flag_values=fv)


def help_text(fv: flags.FlagValues, usage: str) -> str:
  return usage.strip() + '\n\nflags:\n' + fv.get_help(include_special_flags=False)


def parse_command(fv: flags.FlagValues, argv: Sequence[str], usage: str) -> Optional[int]:
  """Parses a command's argv into fv (which defines --help). Returns None to go on, or the exit
  code once it is handled: 0 after printing the help, 1 after one `error:` line on stderr."""
  try:
    parse(fv, argv)
  except UsageError as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  if fv['help'].value:
    print(help_text(fv, usage))
    return 0
  return None

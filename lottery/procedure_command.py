"""The procedure commands: any registered procedure over a finished lottery run.

  python -m lottery reinit --output_dir=runs --levels=3,7   -> main_procedure(argv, 'reinit')
  python -m lottery run --procedure=NAME                      -> main_procedure(argv, None)

Parsing reads the lottery run's recorded hyperparameters (trial<T>/<source>.hparams.json) and
loads no TensorFlow, so bad input is refused at once; running is train_command's.
"""

import dataclasses
import os
from typing import List, Optional, Sequence

from absl import flags

from foundations import cli
from foundations import hparams
from foundations import paths
from lottery import procedures
from lottery import train_command

InputError = train_command.InputError

PROCEDURE_USAGE = """
{procedure}: {doc}.

  python -m {command} --output_dir=runs --levels=3,7

Reads the lottery run in --source_dir, default --output_dir (its recorded hyperparameters,
trial<T>/<source_experiment>.hparams.json) and writes
<output_dir>/trial<T>/<level>/{procedure}/.
"""


def procedure_flags(procedure: Optional[str]) -> flags.FlagValues:
  fv = flags.FlagValues()
  cli.define_common(fv)
  if procedure is None:
    flags.DEFINE_string('procedure', None, f'Procedure: {"|".join(procedures.names())}.',
                        flag_values=fv)
  flags.DEFINE_integer('trial', 1, 'Trial of the lottery run.', flag_values=fv)
  flags.DEFINE_string('source_experiment', 'lottery', 'Experiment name of the lottery run.',
                      flag_values=fv)
  flags.DEFINE_string('source_dir', None, 'Output directory of the lottery run (default: '
                      '--output_dir); only read.', flag_values=fv)
  for name in [procedure] if procedure in procedures.names() else procedures.names():
    procedures.get(name).extra_flags(fv)
  flags.DEFINE_list('levels', None, 'Levels to run, e.g. 3,7 (default: reinit and random_prune: '
                    'every level the lottery run has finished; others: levels 1..its --rounds).',
                    flag_values=fv)
  return fv


def parse_levels(fv: flags.FlagValues, name: str) -> Optional[List[int]]:
  """The integer levels of list flag --name (None if not given); InputError names the flag."""
  if not fv[name].value:
    return None
  text = ','.join(fv[name].value)
  try:
    levels = [int(level) for level in fv[name].value]
  except ValueError:
    raise InputError(f'--{name}={text}: expected integers') from None
  if any(level < 0 for level in levels):
    raise InputError(f'--{name}={text}: levels must be >= 0')
  return levels


def load_source_desc(output_dir: str, trial: int, source: str) -> hparams.Desc:
  """The description recorded by the lottery run (fields added since then take their defaults)."""
  path = paths.hparams(output_dir, trial, source)
  if not os.path.exists(path):
    raise InputError(f'{path}: no lottery run found; run the train runner with this '
                     '--output_dir and --trial first')
  from foundations import save_restore  # pylint: disable=g-import-not-at-top
  from lottery import levels  # pylint: disable=g-import-not-at-top
  try:
    return levels.read_hparams(path)
  except save_restore.JsonError as e:
    raise InputError(str(e)) from None


def parse_procedure(argv: Sequence[str], procedure: Optional[str] = None,
                    module: str = 'lottery run') -> train_command.Invocation:
  """argv -> Invocation of a procedure over a lottery run (reads its hparams.json)."""
  fv = procedure_flags(procedure)
  cli.parse(fv, argv)
  name = procedure or fv['procedure'].value
  if fv['help'].value:
    doc = procedures.get(name).doc if name in procedures.names() else 'any registered procedure'
    command = module if procedure else f'{module} --procedure={name or "NAME"}'
    return train_command.Invocation(help=cli.help_text(fv, PROCEDURE_USAGE.format(
        procedure=name or '<procedure>', doc=doc, command=command)))
  if name is None:
    raise InputError(f'--procedure is required: one of {", ".join(procedures.names())}')
  try:
    procedures.get(name)
  except ValueError as e:
    raise InputError(str(e)) from None
  parsed = train_command.apply_common(fv, train_command.Invocation(
      procedure=name, source_experiment=fv['source_experiment'].value))
  levels = parse_levels(fv, 'levels')
  source_dir = fv['source_dir'].value or parsed.output_dir
  desc = load_source_desc(source_dir, fv['trial'].value, parsed.source_experiment)
  desc = procedures.get(name).adapt_desc(desc, fv, source_dir)
  train_command.check_data_dir(parsed.data_dir, desc.dataset.dataset)
  return dataclasses.replace(parsed, desc=desc, levels=levels, source_dir=source_dir)


def main_procedure(argv: Sequence[str], procedure: Optional[str], module: str) -> int:
  """`procedure` (None: the --procedure flag) over a finished lottery run."""
  return train_command.run_command(lambda: parse_procedure(argv, procedure, module))

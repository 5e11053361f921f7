"""The train and procedure commands: the lottery experiment, and any procedure over a lottery run.

The command front (lottery.commands) selects registry entries:

  python -m lottery train          -> main_train(argv, every registered network)
  python -m lottery reinit         -> procedure_command.main_procedure(argv, 'reinit')
  python -m mnist_fc.runners.train -> main_train(argv, ('lenet300_100',))  (an alias)

Hyperparameter flags are generated from foundations.hparams (one per field);
those left unset take the preset's value. Parsing (`parse_train`,
procedure_command's `parse_procedure`) is a plain function of argv and loads no TensorFlow, so bad
input is refused in well under a second, with one `error:` line and exit 1.
"""

import dataclasses
import os
import sys
from typing import List, Optional, Sequence

from absl import flags

from foundations import cli
from foundations import hparams
from foundations import paths
from foundations import pruning
from lottery import environment
from lottery import networks
from lottery import procedures

TRAIN_USAGE = """
Lottery-ticket experiment: train, prune by magnitude, reset survivors to theta_0, retrain.

  python -m {module} [--flags]

Results: <output_dir>/trial<T>/<level>/<experiment_name>/. Rerun the same
command to resume an interrupted run; raise --rounds to extend a finished one.
"""


@dataclasses.dataclass
class Invocation:
  """A parsed command line: the run's description and the flags that do not change results.

  help: the help text when --help was given (nothing else is then set).
  levels: levels to run (procedures; None: the procedure's default).
  """
  desc: Optional[hparams.Desc] = None
  preset: str = ''
  output_dir: str = 'runs'
  data_dir: Optional[str] = None
  threads: int = 1
  progress: bool = True
  verbosity: int = 0
  procedure: str = 'lottery'
  source_experiment: str = 'lottery'
  source_dir: Optional[str] = None  # the lottery run's output dir (None: output_dir)
  levels: Optional[List[int]] = None
  help: str = ''


# A network's presets may depend on the dropout rate (a paper variant); the help shows the
# defaults at rate 0 and, where they differ, at this rate.
DROPOUT_SHOWN = 0.5

InputError = environment.InputError
check_writable, check_data_dir = environment.check_writable, environment.check_data_dir
configure_tensorflow, load_data = environment.configure_tensorflow, environment.load_data


def apply_common(fv, parsed: Invocation) -> Invocation:
  """`parsed` with the flags every command has (checked: --threads, --output_dir writable)."""
  if fv['threads'].value <= 0:
    raise InputError(f'--threads={fv["threads"].value}: must be positive')
  check_writable(fv['output_dir'].value, 'output_dir')
  return dataclasses.replace(parsed, output_dir=fv['output_dir'].value,
                             data_dir=fv['data_dir'].value, threads=fv['threads'].value,
                             progress=fv['progress'].value, verbosity=fv['verbosity'].value)


def train_flags(network_names: Sequence[str], fv: Optional[flags.FlagValues] = None
                ) -> flags.FlagValues:
  """The common flags, --preset and a flag per hyperparameter (help lists the presets' values)."""
  fv = fv or flags.FlagValues()
  cli.define_common(fv)
  entries = [networks.get(n) for n in network_names]
  preset_names = list(entries[0].presets(0.0))
  flags.DEFINE_string('preset', preset_names[0], f'Hyperparameter preset: {"|".join(preset_names)}.',
                      flag_values=fv)
  defaults, with_dropout = {}, {}
  for e in entries:
    dropout_presets = e.presets(DROPOUT_SHOWN)
    for p, d in e.presets(0.0).items():
      label = p if len(entries) == 1 else e.name if len(preset_names) == 1 else f'{e.name} {p}'
      # What resolve_desc uses when the flag is not given (the rounds are computed there).
      defaults[label] = d.replace(rounds=default_rounds(e, d))
      variant = dropout_presets[p].replace(dropout=0.0)  # the rate itself is the user's
      with_dropout[label] = variant.replace(rounds=default_rounds(e, variant))
  cli.define_hparam_flags(fv, help_defaults=defaults,
                          help_variants={'with --dropout > 0': with_dropout})
  return fv


def default_rounds(network, desc: hparams.Desc) -> int:
  """The rounds used when --rounds is not given: pruning by `desc`'s rates until Pm <= the
  network's smallest_pm (ValueError when the rates never get there)."""
  return pruning.rounds_to_reach(network.smallest_pm, network.shapes,
                                 network.layer_percents(desc.pruning))


def resolve_desc(fv: flags.FlagValues, network_names: Sequence[str]) -> hparams.Desc:
  """The preset of --network/--dropout/--preset, overridden by every hparam flag given.

  Without --rounds, the rounds are the network's default depth (its smallest_pm).
  """
  network_name = fv['network'].value or network_names[0]
  if network_name not in network_names:
    raise hparams.HparamsError(f'--network={network_name}: expected one of '
                               f'{", ".join(network_names)}')
  network = networks.get(network_name)
  presets = network.presets(fv['dropout'].value or 0.0)
  if fv['preset'].value not in presets:
    raise hparams.HparamsError(f'--preset={fv["preset"].value}: expected one of '
                               f'{", ".join(presets)}')
  overrides = cli.hparam_overrides(fv)
  desc = presets[fv['preset'].value].replace(**overrides)
  if 'rounds' not in overrides:
    desc.validate()
    try:
      rounds = default_rounds(network, desc)
    except ValueError:
      raise hparams.HparamsError(
          f'--prune_percent={desc.pruning.prune_percent}: the default --rounds prunes until Pm '
          f'<= {network.smallest_pm}%, which these rates never reach; give --rounds') from None
    desc = desc.replace(rounds=rounds)
  networks.check_dataset(network, desc.dataset.dataset)
  if desc.model.initial_weights:
    desc = desc.replace(initial_weights=environment.check_initial_weights(
        desc.model.initial_weights, network.shapes))
  environment.check_run(desc)
  check_schedule(desc, network)
  return desc.validate()


def check_schedule(desc: hparams.Desc, network) -> None:
  """Refuses rounds that would prune nothing; warns (one line) of a run evaluated only at its
  end."""
  p = desc.pruning
  hidden = [percent for name, percent in network.round_percents(p).items()
            if network.layer_kinds[name] != 'output']
  if p.rounds > 0 and not any(hidden):
    raise hparams.HparamsError(f'--prune_percent={p.prune_percent}: with --rounds={p.rounds} no '
                               'hidden layer is ever pruned; give --prune_percent > 0 or '
                               '--rounds=0')
  t = desc.training
  if t.eval_every > t.training_iterations:
    print(f'warning: --eval_every={t.eval_every} is larger than --training_iterations='
          f'{t.training_iterations}: the net is evaluated only at the end, so the early stop is '
          'the last iteration', file=sys.stderr)



def parse_train(argv: Sequence[str], network_names: Sequence[str],
                module: str = 'lottery train') -> Invocation:
  """argv -> Invocation of the lottery experiment; raises UsageError/HparamsError/InputError."""
  fv = train_flags(network_names)
  cli.parse(fv, argv)
  if fv['help'].value:
    return Invocation(help=cli.help_text(fv, TRAIN_USAGE.format(module=module)))
  parsed = apply_common(fv, Invocation())
  desc = resolve_desc(fv, network_names)
  check_data_dir(parsed.data_dir, desc.dataset.dataset)
  return dataclasses.replace(parsed, desc=desc, preset=fv['preset'].value)


def os_error_line(e: OSError, finished: str) -> str:
  """The one error line for an OS error mid-run (disk full, ...): what is kept, how to resume."""
  where = f'{e.filename}: ' if e.filename else ''
  return (f'error: {where}{e.strerror or e}; finished {finished} are kept: fix this and rerun '
          'the same command to resume')


def _errors():
  from datasets.base import DatasetError  # pylint: disable=g-import-not-at-top
  from foundations.save_restore import JsonError, NpzError  # pylint: disable=g-import-not-at-top
  from lottery import levels, reference_format  # pylint: disable=g-import-not-at-top
  return (cli.UsageError, hparams.HparamsError, InputError, NpzError, JsonError, DatasetError,
          levels.ResultsMismatchError, levels.DivergedError, procedures.MissingSourceError,
          reference_format.FormatError)


def execute(inv: Invocation) -> int:
  """Runs a parsed invocation; returns the exit code (errors are one line on stderr)."""
  from lottery import levels  # pylint: disable=g-import-not-at-top
  from lottery import progress  # pylint: disable=g-import-not-at-top
  desc, procedure = inv.desc, procedures.get(inv.procedure)
  desc = procedure.variant_of(desc)  # what a variant procedure sets (e.g. mask_criterion)
  name, source_dir = procedure.experiment_name(desc), inv.source_dir or inv.output_dir
  what = 'Hyperparameters' + (f' (preset {inv.preset})' if inv.preset else
                              f' of {paths.trial(source_dir, desc.trial)}/<level>/'
                              f'{inv.source_experiment}')
  print(f'{procedure.name}: {procedure.doc}\n{what}:\n{procedure.describe(desc).describe()}')
  print(f'Output: {os.path.abspath(paths.trial(inv.output_dir, desc.trial))}/<level>/{name}/',
        flush=True)
  network = networks.get(desc.model.network)

  def data():  # called once a level has to run: a rerun of finished levels starts no TensorFlow
    configure_tensorflow(inv.threads, inv.verbosity)
    return load_data(desc, network, inv.data_dir)

  clock = []

  def on_start(level_list, finished):
    clock.append(progress.LevelClock(level_list, finished))

  def on_level(level, summary, resumed):
    del level
    print(clock[0].line(summary, resumed), flush=True)

  summaries = levels.run(procedure, desc, data, network, inv.output_dir, inv.levels,
                         inv.source_experiment, inv.progress, on_level, source_dir, on_start)
  if not summaries:
    raise InputError(f'{paths.trial(source_dir, desc.trial)}: the '
                     f'{inv.source_experiment!r} run has no finished level')
  table_path = paths.results_table(inv.output_dir, desc.trial, name)
  with open(table_path) as f:  # every finished level, also those not asked for this time
    print('\n' + f.read(), end='')
  print(f'Table saved to {table_path}')
  return 0


def run_command(parse) -> int:
  """parse() -> Invocation, then execute it: one error line and exit 1 for bad input, 130/143
  on a signal."""
  from lottery import interrupt  # pylint: disable=g-import-not-at-top
  return interrupt.run(lambda: _parse_and_execute(parse))


def _parse_and_execute(parse) -> int:
  from lottery import output_lock  # pylint: disable=g-import-not-at-top
  errors = (cli.UsageError, hparams.HparamsError, InputError, output_lock.InUseError)
  try:
    inv = parse()
  except errors as e:  # reported before TensorFlow loads, which takes seconds
    print(f'error: {e}', file=sys.stderr)
    return 1
  if inv.help:
    print(inv.help)
    return 0
  try:
    name = procedures.get(inv.procedure).experiment_name(inv.desc)
    with output_lock.held(inv.output_dir, [(inv.desc.trial, name)]):  # validated: the first write
      return execute(inv)
  except _errors() + (output_lock.InUseError,) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  except OSError as e:  # disk full, permissions changed mid-run, ...
    print(os_error_line(e, 'levels'), file=sys.stderr)
    return 1


def main_train(argv: Sequence[str], network_names: Sequence[str], module: str) -> int:
  """The lottery experiment for one of `network_names` (the first is the default); `module`
  is what the usage line runs (e.g. 'lottery train')."""
  return run_command(lambda: parse_train(argv, network_names, module))

"""A whole reproduction in one command: every trial, control and level, on all cores or a Ray cluster.

  python -m lottery sweep --network=lenet300_100 --trials=5 \\
      --procedures=lottery,reinit,random_prune,one_shot --control_levels=3,7,9,12,15,18 \\
      --output_dir=runs/lenet [--ray_address=auto] [--dry_run]

Plans the task graph (lottery/plan.py) and runs each task as soon as
the levels it reads exist, so trials and controls interleave. Without
--ray_address it starts an embedded Ray with one single-thread worker per
core. Workers never write --output_dir: inputs travel to them and results back
through Ray, and this driver writes them atomically in the runners' layout
(summary.json last). Rerunning the command resumes: finished tasks are never
recomputed. A failed task is one line; tasks that do not need it go on, and
the sweep exits 1 naming the failed tasks. At the end it runs the analyze
command's analysis (--noanalyze: not).

--procedures=transfer --transfer_source=DIR --dataset=B trains the tickets of
DIR's lottery runs (read only: their levels must have finished there) on B, one
experiment per start of --transfer_inits, each trial with its source run's own
hyperparameters.
"""

import dataclasses
import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from absl import flags

from foundations import cli
from foundations import hparams
from lottery import networks
from lottery import procedure_command
from lottery import procedures
from lottery import train_command
from lottery.procedures import transfer
from lottery.sweep import plan

USAGE = __doc__.split('\n\n')[0] + '\n\n' + __doc__.split('\n\n')[1]


@dataclasses.dataclass
class SweepArgs:
  """A parsed sweep command line."""
  desc: Optional[hparams.Desc] = None
  tasks: List[plan.Task] = dataclasses.field(default_factory=list)
  output_dir: str = 'runs'
  data_dir: Optional[str] = None
  ray_address: Optional[str] = None
  workers: int = 0
  gpus_per_task: float = 0.0
  dry_run: bool = False
  progress: bool = True
  analyze: bool = True
  help: str = ''
  # A sweep over lottery runs it does not make (transfer): where they are, and the description
  # of each (trial, experiment) it runs.
  source_dir: Optional[str] = None
  descs: Dict[Tuple[int, str], hparams.Desc] = dataclasses.field(default_factory=dict)


def sweep_flags() -> flags.FlagValues:
  fv = train_command.train_flags(networks.names())
  flags.DEFINE_integer('trials', 5, 'Trials 1..N (trial T uses seed T).', flag_values=fv)
  flags.DEFINE_list('procedures', ['lottery', 'reinit', 'random_prune', 'one_shot'],
                    f'Procedures to run: {", ".join(procedures.names())}.', flag_values=fv)
  flags.DEFINE_list('control_levels', None, 'Levels of every procedure but lottery (default: '
                    '1..rounds).', flag_values=fv)
  flags.DEFINE_list('one_shot_levels', None, 'Levels of one_shot (default: --control_levels).',
                    flag_values=fv)
  flags.DEFINE_string('ray_address', None, 'Join this Ray cluster (e.g. auto, or host:port); '
                      'default: an embedded local Ray with one worker per core.', flag_values=fv)
  flags.DEFINE_integer('workers', os.cpu_count() or 1, 'Embedded Ray: workers (one core each).',
                       flag_values=fv)
  flags.DEFINE_float('gpus_per_task', 0.0, 'GPUs each task asks Ray for; a fraction (0.25) lets '
                     'several tasks share one GPU.', flag_values=fv)
  flags.DEFINE_boolean('dry_run', False, 'Print the task graph and exit.', flag_values=fv)
  flags.DEFINE_boolean('analyze', True, 'Run the analysis (python -m lottery analyze) on '
                       '--output_dir when every task has finished.', flag_values=fv)
  flags.DEFINE_string('transfer_source', None, '--procedures=transfer: the output dir of the '
                      'lottery runs (trials 1..--trials) whose tickets are trained on --dataset; '
                      'only read, and their levels must have finished.', flag_values=fv)
  flags.DEFINE_list('transfer_inits', list(hparams.TRANSFER_INITS), '--procedures=transfer: the '
                    'starts, one experiment each (transfer_<start>).', flag_values=fv)
  return fv


def _transfer(fv: flags.FlagValues, names: List[str], common) -> SweepArgs:
  """A transfer sweep: each trial's recorded hyperparameters in --transfer_source, on --dataset,
  at --control_levels (default: 1..the source's rounds), once per start in --transfer_inits."""
  source, dataset = fv['transfer_source'].value, fv['dataset'].value
  if names != ['transfer'] or not source:
    raise train_command.InputError('--procedures=transfer runs alone, with --transfer_source '
                                   '(the lottery runs it reads)')
  given = sorted(set(cli.hparam_overrides(fv)) - {'dataset'})
  if given:
    raise train_command.InputError(f'--{given[0]}: a transfer sweep takes the hyperparameters '
                                   'of --transfer_source\'s runs; give only --dataset')
  if dataset is None:
    raise train_command.InputError('--dataset is required: the dataset the tickets train on')
  inits = fv['transfer_inits'].value
  unknown = [i for i in inits if i not in hparams.TRANSFER_INITS]
  if unknown or not inits:
    raise train_command.InputError(f'--transfer_inits={",".join(inits)}: expected some of '
                                   f'{", ".join(hparams.TRANSFER_INITS)}')
  levels = procedure_command.parse_levels(fv, 'control_levels')
  descs, tasks = {}, []
  for trial in range(1, fv['trials'].value + 1):
    source_desc = procedure_command.load_source_desc(source, trial, plan.LOTTERY)
    for init in inits:
      desc = transfer.target_desc(source_desc, dataset, init, source)
      descs[(trial, desc.experiment_name)] = desc
      tasks += [plan.Task('transfer', trial, level, init)
                for level in levels or range(1, source_desc.pruning.rounds + 1)]
  train_command.check_data_dir(common.data_dir, dataset)
  return SweepArgs(desc=descs[(1, transfer.experiment_name(inits[0]))],
                   tasks=sorted(tasks, key=lambda t: (t.trial, t.level, t.variant)),
                   output_dir=common.output_dir, data_dir=common.data_dir,
                   ray_address=fv['ray_address'].value, workers=fv['workers'].value,
                   gpus_per_task=fv['gpus_per_task'].value, dry_run=fv['dry_run'].value,
                   progress=common.progress, analyze=False, source_dir=source, descs=descs)


def parse(argv: Sequence[str]) -> SweepArgs:
  """argv -> SweepArgs; raises UsageError/HparamsError/InputError (one line)."""
  fv = sweep_flags()
  cli.parse(fv, argv)
  if fv['help'].value:
    return SweepArgs(help=cli.help_text(fv, USAGE))
  common = train_command.apply_common(fv, train_command.Invocation())
  if fv['transfer_source'].value or 'transfer' in fv['procedures'].value:
    return _transfer(fv, fv['procedures'].value, common)
  desc = train_command.resolve_desc(fv, networks.names()).replace(experiment_name='lottery')
  if fv['trials'].value < 1:
    raise train_command.InputError(f'--trials={fv["trials"].value}: must be >= 1')
  if fv['workers'].value < 1:  # an embedded node without a CPU would wait forever for one
    raise train_command.InputError(f'--workers={fv["workers"].value}: must be >= 1')
  if fv['gpus_per_task'].value < 0:
    raise train_command.InputError(f'--gpus_per_task={fv["gpus_per_task"].value}: must be >= 0')
  names = fv['procedures'].value
  unknown = [n for n in names if n not in procedures.names()]
  if unknown:
    raise train_command.InputError(f'--procedures={",".join(names)}: unknown {", ".join(unknown)}; '
                            f'expected some of {", ".join(procedures.names())}')
  for name in names:  # a variant procedure's own hparams must not clash with the flags given
    procedures.get(name).variant_of(desc)
  control = procedure_command.parse_levels(fv, 'control_levels')
  one_shot = procedure_command.parse_levels(fv, 'one_shot_levels') or control
  rounds = desc.pruning.rounds
  too_deep = [v for v in (control or []) + (one_shot or []) if v > rounds]
  if too_deep:
    raise train_command.InputError(f'level {max(too_deep)} is deeper than --rounds={rounds}')
  levels = {n: control for n in names if control}
  if one_shot:
    levels['one_shot'] = one_shot
  tasks = plan.plan(names, range(1, fv['trials'].value + 1), rounds, levels)
  return SweepArgs(desc=desc, tasks=tasks, output_dir=common.output_dir,
                   data_dir=common.data_dir, ray_address=fv['ray_address'].value,
                   workers=fv['workers'].value, gpus_per_task=fv['gpus_per_task'].value,
                   dry_run=fv['dry_run'].value, progress=common.progress,
                   analyze=fv['analyze'].value)


def main(argv: Sequence[str]) -> int:
  from lottery import interrupt  # pylint: disable=g-import-not-at-top
  return interrupt.run(lambda: _main(argv))


def _main(argv: Sequence[str]) -> int:
  try:
    args = parse(argv)
  except (cli.UsageError, hparams.HparamsError, train_command.InputError, ValueError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  if args.help:
    print(args.help)
    return 0
  print(plan.describe(args.tasks), flush=True)
  if args.dry_run:
    return 0
  from lottery import levels  # pylint: disable=g-import-not-at-top  (Ray: only here)
  from lottery import output_lock  # pylint: disable=g-import-not-at-top
  from lottery.sweep import driver  # pylint: disable=g-import-not-at-top  (Ray: only here)
  from lottery.sweep import provenance  # pylint: disable=g-import-not-at-top
  try:
    with output_lock.held(args.output_dir, [(t.trial, t.experiment) for t in args.tasks]):
      # Which code and CPU made these level-runs, for the reports (sweep_log.csv).
      provenance.append(args.output_dir, 'started', args.workers, len(args.tasks), argv[1:])
      event = 'interrupted'
      try:
        code = driver.run(args)
        event = 'finished' if code == 0 else 'failed'
        return code
      finally:
        provenance.append(args.output_dir, event, args.workers, len(args.tasks), argv[1:])
  except (levels.ResultsMismatchError, output_lock.InUseError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  except OSError as e:  # disk full while writing a result, ...
    print(train_command.os_error_line(e, 'tasks'), file=sys.stderr)
    return 1


if __name__ == '__main__':
  sys.exit(main(sys.argv))

"""Sweep throughput: level-runs per hour on all cores against the same tasks in one process.

  python -m lottery bench_sweep [--iterations=5000] [--workers=2] [--pairs=2] [--plain]

Runs 8 LeNet lottery level-runs (2 trials x levels 0..3, real MNIST) --pairs
times each way, in ABBA order so that a drift of the machine's speed weighs on
both, each run a command timed from launch to exit: sequentially in one process
(`lottery.levels.run`, one thread), and as a sweep on an embedded Ray with
--workers single-thread workers (`lottery sweep --noanalyze`: the analysis is
not a level-run). Prints both rates, their ratio, and the per-level-run
overhead: wall time x cores / 8 minus steps x step time minus evaluations x
evaluation time, with the step and evaluation times measured in this run
(the bench command's worker). Also the mean level time alone and beside the
other workers, which bounds what the cores can give. --plain adds a third way,
timed in the same order: --workers plain processes side by side, each running
its share of the trials with no scheduler, which is what the sweep's own
start-up and shutdown are measured against.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from absl import flags

from foundations import cli

TRIALS = (1, 2)  # each runs lottery levels 0..3
TASKS = 4 * len(TRIALS)


def make_flags() -> flags.FlagValues:
  """The command's flags (a private FlagValues: importing this module defines nothing global)."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_integer('iterations', 5000, 'Training iterations per level.', flag_values=fv)
  flags.DEFINE_integer('workers', os.cpu_count() or 1, 'Sweep workers.', flag_values=fv)
  flags.DEFINE_integer('pairs', 2, 'Sweep/sequential pairs, run in ABBA order.', flag_values=fv)
  flags.DEFINE_boolean('plain', False, 'Also time --workers plain processes side by side '
                       '(no scheduler), each running its share of the trials.', flag_values=fv)
  flags.DEFINE_string('sequential_into', None, 'Internal: run the level-runs of --trials one '
                      'after another into this directory and exit.', flag_values=fv)
  flags.DEFINE_list('trials', [str(t) for t in TRIALS],
                    'Internal, with --sequential_into: the trials.', flag_values=fv)
  return fv


def sequential(out: str, iterations: int, trials=TRIALS) -> None:
  """The level-runs of `trials` (levels 0..3 each) one after another in this process."""
  from lottery import levels, networks, procedures  # pylint: disable=g-import-not-at-top
  from lottery import train_command  # pylint: disable=g-import-not-at-top
  from lottery.sweep import plan  # pylint: disable=g-import-not-at-top
  train_command.configure_tensorflow(1)
  network = networks.get('lenet300_100')
  base = network.presets(0.0)['paper'].replace(rounds=3, training_iterations=iterations)
  for trial in trials:
    desc = plan.trial_desc(base, trial)
    data = train_command.load_data(desc, network, None)
    levels.run(procedures.get('lottery'), desc, data, network, out, show_progress=False)


def _mean_level_seconds(out: str) -> float:
  """Mean wall_seconds (training and evaluating) of the level summaries under `out`."""
  from foundations import experiment  # pylint: disable=g-import-not-at-top
  walls = []
  for trial in experiment.trials(out):
    for name in experiment.experiment_names(out, trial):
      store = experiment.LevelStore(out, trial, name)
      walls += [store.load_summary(level)['wall_seconds'] for level in store.finished_levels()]
  return sum(walls) / len(walls)


def _timed(command) -> float:
  start = time.time()
  subprocess.run(command, check=True, capture_output=True)
  return time.time() - start


def _compute_seconds(iterations: int) -> float:
  """Steps x step time + evaluations x evaluation time of one level-run, timed now (1 thread)."""
  timing = subprocess.run([sys.executable, '-m', 'lottery.bench.training', '--worker=lenet300_100',
                           '--threads=1', '--repeats=5'], capture_output=True, text=True,
                          check=True)
  t = json.loads(timing.stdout.strip().splitlines()[-1])
  evals = iterations // 100 + 1
  compute = iterations * t['step_ms'] / 1e3 + evals * t['eval_ms'] / 1e3
  print(f'step {t["step_ms"]:.2f} ms, val+test eval {t["eval_ms"]:.1f} ms (1 thread): '
        f'{compute:.1f} s of compute per level-run ({iterations} steps + {evals} evals)',
        flush=True)
  return compute


def _run(kind: str, out: str, iterations: int, workers: int):
  """(command wall seconds, mean level wall_seconds) of the 8 level-runs as `kind`."""
  if kind == 'sweep':
    wall = _timed([sys.executable, '-m', 'lottery', 'sweep', '--network=lenet300_100',
                   '--trials=2', '--rounds=3', f'--training_iterations={iterations}',
                   '--procedures=lottery', f'--workers={workers}', f'--output_dir={out}',
                   '--progress=false', '--noanalyze'])
  elif kind == 'plain':  # one process per worker, trials dealt out, all started at once
    shares = [TRIALS[w::workers] for w in range(workers)]
    errors = [tempfile.TemporaryFile() for _ in shares]  # files, not pipes: nothing can block
    start = time.time()
    procs = [subprocess.Popen(_sequential_command(out, iterations, share),
                              stdout=subprocess.DEVNULL, stderr=err)
             for share, err in zip(shares, errors) if share]
    for proc, err in zip(procs, errors):
      if proc.wait() != 0:
        err.seek(0)
        raise subprocess.CalledProcessError(proc.returncode, proc.args, stderr=err.read())
    wall = time.time() - start
  else:
    wall = _timed(_sequential_command(out, iterations, TRIALS))
  return wall, _mean_level_seconds(out)


def _sequential_command(out: str, iterations: int, trials) -> list:
  return [sys.executable, '-m', 'lottery.bench.sweep', f'--iterations={iterations}',
          f'--sequential_into={out}', f'--trials={",".join(map(str, trials))}']


def main(argv) -> int:
  fv = make_flags()
  code = cli.parse_command(fv, argv, __doc__)
  if code is not None:  # --help shown (0), or a bad command line (1)
    return code
  iterations, workers = fv['iterations'].value, fv['workers'].value
  if fv['sequential_into'].value:  # the parent times this whole command
    sequential(fv['sequential_into'].value, iterations, [int(t) for t in fv['trials'].value])
    return 0
  compute = _compute_seconds(iterations)
  # ABBA order (sweep, sequential, sequential, sweep, ...): a drift in the machine's speed
  # weighs on both sides alike.
  kinds = ('sweep', 'sequential') + (('plain',) if fv['plain'].value else ())
  order = [k for i in range(fv['pairs'].value) for k in (kinds if i % 2 == 0 else kinds[::-1])]
  walls = {k: [] for k in kinds}
  levels = {k: [] for k in kinds}
  with tempfile.TemporaryDirectory() as root:
    for i, kind in enumerate(order):
      wall, level = _run(kind, os.path.join(root, f'{kind}{i}'), iterations, workers)
      walls[kind].append(wall)
      levels[kind].append(level)
      print(f'{kind:<10} #{len(walls[kind])}: {wall:6.1f} s, a level {level:.1f} s', flush=True)
  compute = (compute + _compute_seconds(iterations)) / 2
  seq, swept = sum(walls['sequential']), sum(walls['sweep'])
  runs = len(walls['sweep'])
  rows = [('sequential, 1 process', seq, 1), (f'sweep, {workers} workers', swept, workers)]
  if 'plain' in walls:
    rows.append((f'{workers} plain processes', sum(walls['plain']), workers))
  for label, wall, cores in rows:
    print(f'{label:<22} {wall / runs:7.1f} s  {TASKS * runs / wall * 3600:7.1f} level-runs/h  '
          f'overhead {wall / runs * cores / TASKS - compute:5.1f} s per level-run')
  alone = sum(levels['sequential']) / len(levels['sequential'])
  beside = sum(levels['sweep']) / len(levels['sweep'])
  print(f'speed-up {seq / swept:.2f}x (commands from launch to exit, {len(order)} runs in ABBA '
        f'order)')
  if 'plain' in walls:
    print(f'without a scheduler (plain processes): {seq / sum(walls["plain"]):.2f}x; the sweep '
          f'takes {(swept - sum(walls["plain"])) / runs:.1f} s longer per run of {TASKS} tasks')
  print(f'a level\'s training and evaluation (summary wall_seconds): {alone:.1f} s alone, '
        f'{beside:.1f} s beside the other workers; so {workers} cores give at most '
        f'{workers * alone / beside:.2f}x')
  return 0


if __name__ == '__main__':  # the sequential runs this command times run this module
  sys.exit(main(sys.argv))

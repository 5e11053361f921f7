"""Sweep throughput: level-runs per hour on all cores against the same tasks in one process.

  python -m lottery.sweep_benchmark [--iterations=5000] [--workers=2]

Runs 8 LeNet lottery level-runs (2 trials x levels 0..3, real MNIST) twice:
sequentially in this process (`lottery.levels.run`, one thread), and as a
sweep on an embedded Ray with --workers single-thread workers. Prints both
rates, their ratio, and the per-level-run overhead: wall time x workers / 8
minus steps x step time minus evaluations x evaluation time, with the step and
evaluation times measured in this run (lottery.benchmark's worker).
"""

import os

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import json  # pylint: disable=g-import-not-at-top,g-bad-import-order,wrong-import-position
import subprocess  # pylint: disable=g-import-not-at-top,wrong-import-position
import sys  # pylint: disable=g-import-not-at-top,wrong-import-position
import tempfile  # pylint: disable=g-import-not-at-top,wrong-import-position
import time  # pylint: disable=g-import-not-at-top,wrong-import-position

from absl import app  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from foundations import cli  # pylint: disable=g-import-not-at-top,wrong-import-position
from absl import flags  # pylint: disable=g-import-not-at-top,wrong-import-position

_ITERATIONS = flags.DEFINE_integer('iterations', 5000, 'Training iterations per level.')
_WORKERS = flags.DEFINE_integer('workers', os.cpu_count() or 1, 'Sweep workers.')
TASKS = 8


def sequential(out: str, iterations: int) -> float:
  """Wall seconds of the 8 level-runs one after another in this process."""
  from lottery import levels, networks, procedures, runner, sweep_plan  # pylint: disable=g-import-not-at-top
  runner.configure_tensorflow(1)
  network = networks.get('lenet300_100')
  base = network.presets(0.0)['paper'].replace(rounds=3, training_iterations=iterations)
  start = time.time()
  for trial in (1, 2):
    desc = sweep_plan.trial_desc(base, trial)
    data = runner.load_data(desc, network, None)
    levels.run(procedures.get('lottery'), desc, data, network, out, show_progress=False)
  return time.time() - start


def _task_times(out: str):
  """Mean worker seconds per task (sweep_tasks.csv) and mean level wall_seconds (summaries)."""
  import csv  # pylint: disable=g-import-not-at-top
  import glob  # pylint: disable=g-import-not-at-top
  with open(os.path.join(out, 'sweep_tasks.csv')) as f:
    tasks = [float(row['seconds']) for row in csv.DictReader(f)]
  walls = []
  for path in glob.glob(os.path.join(out, 'trial*', '*', '*', 'summary.json')):
    with open(path) as f:
      walls.append(json.load(f)['wall_seconds'])
  return sum(tasks) / len(tasks), sum(walls) / len(walls)


def main(argv):
  del argv
  iterations, workers = _ITERATIONS.value, _WORKERS.value
  evals = iterations // 100 + 1
  timing = subprocess.run([sys.executable, '-m', 'lottery.benchmark', '--worker=lenet300_100',
                           '--threads=1', '--repeats=5'], capture_output=True, text=True,
                          check=True)
  t = json.loads(timing.stdout.strip().splitlines()[-1])
  compute = iterations * t['step_ms'] / 1e3 + evals * t['eval_ms'] / 1e3
  print(f'step {t["step_ms"]:.2f} ms, val+test eval {t["eval_ms"]:.1f} ms (1 thread): '
        f'{compute:.1f} s of compute per level-run ({iterations} steps + {evals} evals)')
  with tempfile.TemporaryDirectory() as root:
    command = [sys.executable, '-m', 'lottery.sweep', '--network=lenet300_100', '--trials=2',
               '--rounds=3', f'--training_iterations={iterations}', '--procedures=lottery',
               f'--workers={workers}', f'--output_dir={root}/sweep', '--progress=false']
    start = time.time()
    subprocess.run(command, check=True, capture_output=True)
    swept = time.time() - start
    task_s, level_s = _task_times(os.path.join(root, 'sweep'))
    seq = sequential(os.path.join(root, 'sequential'), iterations)
  for label, wall, cores in (('sequential, 1 process', seq, 1),
                             (f'sweep, {workers} workers', swept, workers)):
    overhead = wall * cores / TASKS - compute
    print(f'{label:<22} {wall:7.1f} s  {TASKS / wall * 3600:7.1f} level-runs/h  '
          f'overhead {overhead:5.1f} s per level-run')
  print(f'speed-up {seq / swept:.2f}x')
  print(f'in the sweep, per level-run: {level_s:.1f} s training and evaluating (the level\'s '
        f'wall_seconds), {task_s:.1f} s as the worker\'s task (with data and files); the rest of '
        f'{swept * workers / TASKS:.1f} s is Ray, worker start-up and idle workers')
  return 0


if __name__ == '__main__':
  cli.run_absl(main)

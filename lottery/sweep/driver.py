"""The sweep's driver: submits ready tasks to Ray, writes their results, shows progress.

Only this process writes results to --output_dir (a worker keeps at most a level's
scratch checkpoint there, lottery.sweep.worker). A task's inputs (the npz files and
summary of the levels it reads) are read here and sent with it; its outputs
come back as bytes and are written atomically, summary.json last, so a killed
driver leaves every level either finished or absent.
"""

import contextlib
import csv
import io
import os
import shutil
import sys
import time
from typing import Dict, List, Set, Tuple

from foundations import experiment
from foundations import paths
from foundations import save_restore
from lottery import interrupt
from lottery import levels
from lottery.sweep import plan
from lottery.sweep import provenance
from lottery.sweep import reaper
from lottery.sweep import worker

Task = plan.Task
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECORD = provenance.TASKS  # one line per finished or failed task: where and how it ran
RECORD_FIELDS = ('time', 'task', 'status', 'node', 'host', 'pid', 'seconds', 'percent_remaining',
                 'early_stop_iteration', 'test_accuracy_at_early_stop', 'error')


def _store(output_dir: str, task: Task) -> experiment.LevelStore:
  return experiment.LevelStore(output_dir, task.trial, task.experiment)


def run_dir(output_dir: str, task: Task) -> str:
  return _store(output_dir, task).run_dir(task.level)


def is_done(output_dir: str, task: Task) -> bool:
  return _store(output_dir, task).is_finished(task.level)


def dependency_dirs(args, task: Task) -> List[Tuple[Task, str]]:
  """(dependency, the output dir holding it) of `task`: its 'source' levels are in
  args.source_dir when the sweep reads runs it does not make (transfer), else in --output_dir."""
  source_dir = args.source_dir or args.output_dir
  return ([(d, args.output_dir) for d in plan.dependencies(task, ('self',))] +
          [(d, source_dir) for d in plan.dependencies(task, ('source',))])


def task_desc(args, trial: int, experiment: str, recorded: bool = True):
  """The description of trial's run of `experiment`: args.descs' (a sweep over runs it did not
  make), else the sweep's with seed = trial, recorded under the experiment's name and sent to
  the worker under the lottery run's (the source it reads)."""
  if (trial, experiment) in args.descs:
    return args.descs[(trial, experiment)]
  return plan.trial_desc(args.desc, trial, experiment if recorded else plan.LOTTERY)


def task_inputs(args, task: Task) -> worker.Files:
  """The files of the levels `task` reads: their npz files and summary.json, keyed by their
  path relative to the output dir holding them."""
  files = {}
  for dep, root in dependency_dirs(args, task):
    d = run_dir(root, dep)
    for name in sorted(os.listdir(d)):
      if name.endswith('.npz') or name == 'summary.json':
        with open(os.path.join(d, name), 'rb') as f:
          files[os.path.relpath(os.path.join(d, name), root)] = f.read()
  return files


def write_outputs(output_dir: str, task: Task, files: worker.Files) -> None:
  """Writes a finished task's files atomically; summary.json last (it marks the level done)."""
  shutil.rmtree(paths.tensorboard(run_dir(output_dir, task)), ignore_errors=True)
  summary_last = sorted(files, key=lambda rel: (os.path.basename(rel) == 'summary.json', rel))
  for rel in summary_last:
    save_restore.save_bytes(os.path.join(output_dir, rel), files[rel])


def record(output_dir: str, row: dict) -> None:
  path = os.path.join(output_dir, RECORD)
  new = not os.path.exists(path)
  line = io.StringIO()
  writer = csv.DictWriter(line, RECORD_FIELDS, extrasaction='ignore')
  if new:
    writer.writeheader()
  writer.writerow(row)
  with open(path, 'a') as f:
    f.write(line.getvalue())


class Status:
  """Counts, rate and ETA for the live progress line."""

  def __init__(self, total: int, done: int):
    self.total, self.done, self.failed, self.blocked = total, done, 0, 0
    self.start, self.finished_here = time.time(), 0
    self.tty = sys.stdout.isatty()

  def line(self, running: int) -> str:
    hours = (time.time() - self.start) / 3600
    rate = self.finished_here / hours if hours > 0 and self.finished_here else 0.0
    pending = self.total - self.done - self.failed - self.blocked - running
    eta = f'{(pending + running) / rate:.1f} h' if rate else '?'
    return (f'[sweep] done {self.done}/{self.total}  running {running}  pending {pending}  '
            f'failed {self.failed + self.blocked}  {rate:.1f} level-runs/h  ETA {eta}')

  def show(self, running: int, final: bool = False) -> None:
    if self.tty and not final:
      sys.stdout.write('\r' + self.line(running) + '   ')
    else:
      print(('\r' if self.tty else '') + self.line(running))
    sys.stdout.flush()


def _init_ray(args):
  """Returns (ray, the reaper's watchdog of an embedded node, or None)."""
  import ray  # pylint: disable=g-import-not-at-top
  import logging  # pylint: disable=g-import-not-at-top
  # Embedded workers are children of this process: they import the project from here.
  os.environ['PYTHONPATH'] = os.pathsep.join(
      p for p in (REPO, os.environ.get('PYTHONPATH')) if p)
  common = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR,
                configure_logging=True)
  watchdog = None
  if args.ray_address:
    ray.init(address=args.ray_address, **common)
  else:
    watchdog = reaper.start()  # the node's processes die with this one, even on kill -9
    # The workers the raylet starts import TensorFlow before any task arrives.
    # No metrics collection: without ray[default] installed nothing reads them.
    with _without_idle_services(ray):
      ray.init(address='local', num_cpus=args.workers, num_gpus=0 if not args.gpus_per_task
               else None, _system_config=dict(preload_python_modules=['lottery.sweep.preload'],
                                              enable_metrics_collection=False),
               **common)
    reaper.node_started()
  return ray, watchdog


# Head-node services an embedded, fixed-size, dashboard-less node never uses: the autoscaler
# monitor (nothing to scale), the log monitor (log_to_driver=False) and the API server. The
# last is on the start-up path: ray.init waits for it (0.8 s) before it starts the raylet, and
# the three Python processes importing Ray take ~1.9 s of CPU beside the raylet's agents.
_IDLE_SERVICES = ('start_monitor', 'start_log_monitor', 'start_api_server')


@contextlib.contextmanager
def _without_idle_services(ray):
  """Inside: an embedded ray.init starts no monitor, log monitor or API server.

  These are private methods of the pinned Ray (requirements.txt); if a Ray lacks
  any of them, the node starts as Ray ships it.
  """
  node_class = getattr(getattr(getattr(ray, '_private', None), 'node', None), 'Node', None)
  saved = {name: getattr(node_class, name, None) for name in _IDLE_SERVICES}
  if None in saved.values():
    yield
    return

  def no_api_server(self, **unused):
    self._webui_url = None  # pylint: disable=protected-access  (what Ray reads for the URL)

  for name in _IDLE_SERVICES:
    setattr(node_class, name, no_api_server if name == 'start_api_server' else
            lambda self: None)
  try:
    yield
  finally:
    for name, method in saved.items():
      setattr(node_class, name, method)


def _shutdown_ray(ray, watchdog) -> None:
  """ray.shutdown(), without its 1 s wait on the embedded node's autoscaler monitor.

  ray.shutdown() stops the node's processes one at a time: SIGTERM, then up to
  1 s before SIGKILL. The autoscaler monitor (idle on a fixed local node) takes
  that whole second; it is sent the SIGKILL at once (there is one only when
  _without_idle_services could not leave it out). A joined cluster is left
  alone (shutdown only disconnects from it).
  """
  node = getattr(getattr(ray, '_private', None), 'worker', None)
  node = getattr(node, '_global_node', None)
  for info in (getattr(node, 'all_processes', None) or {}).get('monitor', []):
    if info.process.poll() is None:
      info.process.kill()
      info.process.wait()
  ray.shutdown()
  if watchdog:
    reaper.stop(watchdog)


def run(args) -> int:
  """Runs every unfinished task of args.tasks; returns the exit code."""
  os.makedirs(args.output_dir, exist_ok=True)
  for trial in sorted({t.trial for t in args.tasks}):
    for name in sorted({t.experiment for t in args.tasks if t.trial == trial}):
      levels.check_or_record_hparams(task_desc(args, trial, name), args.output_dir)
  todo = [t for t in args.tasks if not is_done(args.output_dir, t)]
  status = Status(len(args.tasks), len(args.tasks) - len(todo))
  print(f'{status.done} finished earlier, {len(todo)} to run; results in '
        f'{os.path.abspath(args.output_dir)}', flush=True)
  if not todo:
    return _finish(args, [], status)
  ray, watchdog = _init_ray(args)
  interrupt.install()  # ray.init replaced the SIGTERM handler with its own sys.exit
  remote = ray.remote(num_cpus=1, num_gpus=args.gpus_per_task, max_retries=3)(
      worker.run_task)
  # Submit no more than can run at once, so "running" is true and inputs travel late.
  slots = max(1, int(ray.cluster_resources().get('CPU', 1)))
  waiting: Set[Task] = set(todo)
  running: Dict[object, Task] = {}
  failed: List[str] = []
  try:
    while waiting or running:
      for task in sorted(waiting):
        if len(running) >= slots:
          break
        deps = dependency_dirs(args, task)
        if any(d in waiting or d in running.values() for d, _ in deps):
          continue
        waiting.discard(task)
        missing = [(d, root) for d, root in deps if not is_done(root, d)]
        if missing:  # a dependency failed, or a source run has not finished that level
          status.blocked += 1
          d, root = missing[0]
          failed.append(f'{task}: skipped, it needs {run_dir(root, d)}' + (
              ', which failed' if root == args.output_dir else ' (not finished yet)'))
          continue
        desc = task_desc(args, task.trial, task.experiment, recorded=False)
        ref = remote.remote(desc.to_dict(), task.procedure, task.level,
                            task_inputs(args, task), args.data_dir, args.output_dir,
                            os.path.abspath(args.output_dir))
        running[ref] = task
      if not running:
        continue
      ready, _ = ray.wait(list(running), num_returns=1, timeout=5.0)
      for ref in ready:
        task = running.pop(ref)
        _collect(ray, ref, task, args, status, failed)
      if args.progress and (ready or status.tty):
        status.show(len(running))
  finally:  # Ctrl-C / SIGTERM: reported by the command (lottery.interrupt) once Ray is down
    _shutdown_ray(ray, watchdog)
  return _finish(args, failed, status)


def _collect(ray, ref, task: Task, args, status: Status, failed: List[str]) -> None:
  try:
    result = ray.get(ref)
  except Exception as e:  # pylint: disable=broad-except  (a lost worker, after retries)
    result = dict(error=f'{type(e).__name__}: {(str(e).splitlines() or [""])[0]}')
  row = dict(time=time.strftime('%Y-%m-%d %H:%M:%S'), task=str(task), node=result.get('node'),
             host=result.get('host'), pid=result.get('pid'),
             seconds=f'{result.get("seconds", 0):.1f}')
  if 'error' in result:
    status.failed += 1
    failed.append(f'{task}: {result["error"]}')
    print(f'\nerror: {task}: {result["error"]}', file=sys.stderr, flush=True)
    record(args.output_dir, dict(row, status='failed', error=result['error']))
    return
  write_outputs(args.output_dir, task, result['files'])
  status.done += 1
  status.finished_here += 1
  s = result['summary']
  print(f'{"" if not status.tty else chr(10)}{task}: Pm {s["percent_remaining"]:.2f}%  '
        f'early-stop it {s["early_stop_iteration"]}  test acc @es '
        f'{100 * s["test_accuracy_at_early_stop"]:.2f}%  {result["seconds"]:.0f}s on '
        f'{result["host"]}', flush=True)
  for note in result.get('notes', []):  # e.g. 'level 3: resuming at iteration 24000 ...'
    print(f'  {note}', flush=True)
  record(args.output_dir, dict(row, status='done', percent_remaining=s['percent_remaining'],
                               early_stop_iteration=s['early_stop_iteration'],
                               test_accuracy_at_early_stop=s['test_accuracy_at_early_stop']))


def _finish(args, failed: List[str], status: Status) -> int:
  status.show(0, final=True)
  if failed:
    print(f'error: {len(failed)} task(s) failed:', file=sys.stderr)
    for line in failed:
      print(f'  {line}', file=sys.stderr)
    return 1
  if not args.analyze:
    return 0
  from lottery.report import analyze  # pylint: disable=g-import-not-at-top
  written = analyze.analyze(args.output_dir, args.desc.model.network,
                            os.path.join(args.output_dir, 'report'))
  print('Analysis: ' + ', '.join(written))
  return 0


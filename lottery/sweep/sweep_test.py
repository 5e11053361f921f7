"""The sweep on real Ray and real MNIST: same files as the runners by hand, on one node or two,
after kill -9, and with a failing task.

The expensive fixtures (the sequential reference runs and the local-Ray sweep)
are made once for the class and only read.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from unittest import mock

from absl.testing import absltest

from foundations import paths
from lottery.sweep import provenance
from lottery.sweep import reaper
from lottery.testing import subprocess_run

# 2 trials x 3 levels, all four procedures, 200 iterations: 14 level-runs.
HPARAMS = ['--rounds=2', '--training_iterations=200', '--eval_every=100']
SWEEP = ['lottery.sweep.command', '--trials=2', *HPARAMS, '--control_levels=2', '--one_shot_levels=1,2',
         '--procedures=lottery,reinit,random_prune,one_shot']


def sweep(out, *extra, **kwargs):
  return subprocess_run.run(*SWEEP, f'--output_dir={out}', *extra, **kwargs)


def result_files(out):
  """Relative path -> bytes of every npz and metrics file, and summaries without wall time."""
  files = {}
  for path in glob.glob(os.path.join(out, 'trial*', '*', '*', '*')):
    rel = os.path.relpath(path, out)
    if path.endswith(('.npz', 'metrics.csv')):
      with open(path, 'rb') as f:
        files[rel] = f.read()
    elif path.endswith('summary.json'):
      with open(path) as f:
        summary = json.load(f)
      summary.pop('wall_seconds')
      files[rel] = summary
  return files


BY_HAND = """
import sys
from lottery import procedure_command
from lottery import train_command
out, hparams = sys.argv[1], sys.argv[2:]
for trial in (1, 2):
  ids = ['prog', f'--trial={trial}', f'--output_dir={out}', '--progress=false']
  assert train_command.main_train([*ids, *hparams, f'--seed={trial}'], ['lenet300_100'], 'train') == 0
  for procedure, levels in (('reinit', '2'), ('random_prune', '2'), ('one_shot', '1,2')):
    assert procedure_command.main_procedure([*ids, f'--levels={levels}'], procedure, procedure) == 0
"""


def by_hand(out) -> subprocess.Popen:
  """Starts the same tasks with the runners' main functions (what `python -m mnist_fc.runners.X`
  runs), one after another in one fresh process (trial T, seed T)."""
  return subprocess.Popen([sys.executable, '-c', BY_HAND, out, *HPARAMS], cwd=subprocess_run.REPO,
                          env=subprocess_run.env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


class SweepTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp(prefix='lth-sweep-test-')
    cls.reference = os.path.join(cls.root, 'by_hand')
    # The runners by hand (one thread) beside the local sweep: each waits on start-up now and
    # then (imports, Ray's processes), and the two are independent.
    reference = by_hand(cls.reference)
    cls.local = os.path.join(cls.root, 'local')
    cls.local_run = sweep(cls.local, '--workers=2')
    _, stderr = reference.communicate(timeout=900)
    assert reference.returncode == 0, stderr
    cls.expected = result_files(cls.reference)

  @classmethod
  def tearDownClass(cls):
    shutil.rmtree(cls.root, ignore_errors=True)
    super().tearDownClass()

  def assert_same_files(self, out):
    got = result_files(out)
    self.assertEqual(sorted(got), sorted(self.expected))
    self.assertLen(got, 14 * 6)  # initial, masks, final, final_biases, metrics, summary
    for rel, data in self.expected.items():
      self.assertEqual(got[rel], data, rel)

  def test_local_sweep_matches_the_runners_by_hand(self):
    self.assertEqual(self.local_run.returncode, 0, self.local_run.stderr)
    self.assertIn('14 level-runs:', self.local_run.stdout)
    self.assertNotRegex(self.local_run.stderr, subprocess_run.TENSORFLOW_NOISE)
    self.assertIn('one_shot/trial2/level1: Pm 80.04%', self.local_run.stdout)
    self.assert_same_files(self.local)
    self.assertTrue(os.path.exists(os.path.join(self.local, 'report', 'report.md')))
    # Rerunning finds everything finished and recomputes nothing.
    mtime = os.stat(paths.final(paths.run(self.local, 2, 2, 'lottery'))).st_mtime_ns
    again = sweep(self.local, '--workers=2')
    self.assertEqual(again.returncode, 0, again.stderr)
    self.assertIn('14 finished earlier, 0 to run', again.stdout)
    self.assertEqual(os.stat(paths.final(paths.run(self.local, 2, 2, 'lottery'))).st_mtime_ns,
                     mtime)
    # Each invocation left a started and a finished line naming this checkout's code version.
    log = provenance.read(self.local)
    self.assertEqual([line['event'] for line in log], ['started', 'finished'] * 2)
    self.assertEqual({line['code_version'] for line in log}, {provenance.code_version()})
    self.assertEqual({line['tasks'] for line in log}, {'14'})
    self.assertIn('--workers=2', log[0]['command'])

  def test_a_task_stopped_inside_its_level_resumes_there_to_the_same_files(self):
    root = self.create_tempdir().full_path
    args = ['lottery.sweep.command', '--trials=1', '--rounds=0', '--training_iterations=8000',
            '--eval_every=100', '--procedures=lottery', '--workers=1', '--noanalyze']
    with mock.patch.dict(os.environ, LTH_CHECKPOINT_SECONDS='off'):
      full = subprocess_run.run(*args, f'--output_dir={root}/full')
    self.assertEqual(full.returncode, 0, full.stderr)
    cut = os.path.join(root, 'cut')
    run_dir = paths.run(cut, 1, 0, 'lottery')
    with mock.patch.dict(os.environ, LTH_CHECKPOINT_SECONDS='0'):  # one at every evaluation
      proc = subprocess_run.popen(*args, f'--output_dir={cut}', stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
      deadline = time.time() + 300
      while not os.path.exists(paths.checkpoint(run_dir)):  # the worker writes it there
        self.assertIsNone(proc.poll(), 'the sweep ended before its level saved a checkpoint')
        self.assertLess(time.time(), deadline)
        time.sleep(0.05)
      proc.send_signal(signal.SIGTERM)
      self.assertEqual(proc.wait(timeout=120), 143)
      self.assertFalse(os.path.exists(paths.summary(run_dir)))  # stopped inside the level
      self.assertTrue(os.path.exists(paths.checkpoint(run_dir)))
      resumed = subprocess_run.run(*args, f'--output_dir={cut}')
    self.assertEqual(resumed.returncode, 0, resumed.stderr)
    # The worker's resume line reaches the driver's output, under the task's line.
    self.assertRegex(resumed.stdout, r'lottery/trial1/level0: Pm 100\.00% .*\n'
                     r'  level 0: resuming at iteration [1-9]\d* from checkpoint\n')
    got, expected = result_files(cut), result_files(os.path.join(root, 'full'))
    self.assertEqual(sorted(got), sorted(expected))  # no checkpoint.npz left behind
    for rel, data in expected.items():
      self.assertEqual(got[rel], data, rel)

  def test_kill_9_of_the_driver_then_rerun_gives_the_same_files(self):
    out = os.path.join(self.create_tempdir().full_path, 'killed')
    # Every process of the killed sweep's Ray node inherits this variable.
    mark = ('LTH_TEST_KILLED_SWEEP', uuid.uuid4().hex)
    with mock.patch.dict(os.environ, [mark]):
      proc = subprocess_run.popen(*SWEEP, f'--output_dir={out}', '--workers=2',
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while len(glob.glob(os.path.join(out, 'trial*', '*', '*', 'summary.json'))) < 3:
      self.assertIsNone(proc.poll(), 'the sweep ended before it could be killed')
      self.assertLess(time.time(), deadline)
      time.sleep(0.1)
    self.assertNotEmpty(reaper.processes_with(*mark))  # the node (raylet, agents, workers)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Ray's agents used to outlive the driver as orphans; the sweep's reaper kills them at once.
    deadline = time.time() + 10
    while reaper.processes_with(*mark) and time.time() < deadline:
      time.sleep(0.1)
    self.assertEqual(reaper.processes_with(*mark), [])
    finished = len(glob.glob(os.path.join(out, 'trial*', '*', '*', 'summary.json')))
    self.assertLess(finished, 14)
    resumed = sweep(out, '--workers=2', '--noanalyze')  # the analysis is tested above
    self.assertEqual(resumed.returncode, 0, resumed.stderr)
    self.assertRegex(resumed.stdout, r'(\d+) finished earlier, (\d+) to run')
    self.assert_same_files(out)

  def test_a_corrupt_input_fails_its_task_and_the_others_finish(self):
    out = os.path.join(self.create_tempdir().full_path, 'corrupt')
    shutil.copytree(self.local, out)
    # Un-finish the level-2 controls and one_shot of trial 1, and corrupt what reinit reads.
    for name in ('reinit', 'random_prune', 'one_shot'):
      shutil.rmtree(paths.run(out, 1, 2, name))
    with open(paths.masks(paths.run(out, 1, 2, 'lottery')), 'wb') as f:
      f.write(b'garbage')
    result = sweep(out, '--workers=2')
    self.assertEqual(result.returncode, 1)
    self.assertIn('error: 2 task(s) failed:', result.stderr)
    self.assertRegex(result.stderr, r'reinit/trial1/level2: .*trial1/2/lottery/masks.npz: '
                                    r'unreadable npz')
    self.assertRegex(result.stderr, r'random_prune/trial1/level2: .*masks.npz: unreadable npz')
    # one_shot reads only level 0: it ran.
    self.assertTrue(os.path.exists(paths.summary(paths.run(out, 1, 2, 'one_shot'))))
    self.assertNotIn('Traceback', result.stderr)

  def test_two_node_cluster_gives_the_same_files_and_uses_both_nodes(self):
    out = os.path.join(self.create_tempdir().full_path, 'cluster')
    port = _free_port()
    env = dict(subprocess_run.env(), PYTHONPATH=subprocess_run.REPO, RAY_USAGE_STATS_ENABLED='0',
               RAY_AUTH_MODE='token')  # the head makes a token; the worker and driver use it
    ray = os.path.join(os.path.dirname(sys.executable), 'ray')
    temp = tempfile.mkdtemp(prefix='ray', dir='/tmp')  # Ray's socket paths must stay short
    self.addCleanup(shutil.rmtree, temp, True)

    starters = []

    def start_node(*args):
      starters.append(subprocess.Popen([ray, 'start', '--block', *args], env=env,
                                       cwd=subprocess_run.REPO, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL))

    def stop_nodes():
      # Only this test's two nodes. `ray stop` would end every Ray on the machine, such as a
      # sweep running beside the tests.
      for proc in reversed(starters):
        proc.send_signal(signal.SIGTERM)
      for proc in starters:
        try:
          proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
          proc.kill()
      _kill_processes_of_cluster(temp, port)

    self.addCleanup(stop_nodes)
    start_node('--head', f'--port={port}', '--num-cpus=1', '--include-dashboard=false',
               f'--temp-dir={temp}')
    address = f'{_host_ip()}:{port}'
    _wait_for_nodes(ray, address, env, 1)
    start_node(f'--address={address}', '--num-cpus=1')
    _wait_for_nodes(ray, address, env, 2)
    result = subprocess.run(
        subprocess_run.command(*SWEEP, f'--output_dir={out}', f'--ray_address={address}',
                               '--noanalyze'),
        env=env, cwd=subprocess_run.REPO, capture_output=True, text=True, timeout=600,
        check=False)
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assert_same_files(out)
    with open(os.path.join(out, 'sweep_tasks.csv')) as f:
      nodes = {line.split(',')[3] for line in f.read().splitlines()[1:]}
    self.assertLen(nodes, 2)


def _wait_for_nodes(ray: str, address: str, env: dict, count: int) -> None:
  """Waits (at most 120 s) until `ray status` shows `count` live nodes."""
  deadline = time.time() + 120
  while time.time() < deadline:
    status = subprocess.run([ray, 'status', f'--address={address}'], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    active = status.stdout.split('Pending:')[0]
    if status.returncode == 0 and active.count(' node_') >= count:
      return
    time.sleep(1)
  raise AssertionError(f'{count} Ray node(s) at {address} did not come up: {status.stdout}')


def _kill_processes_of_cluster(temp: str, port: int) -> None:
  """SIGKILLs leftover processes of this test's cluster (an argument names its temp dir or ends
  with its GCS port), never any other Ray."""
  for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
      with open(f'/proc/{pid}/cmdline', 'rb') as f:
        cmdline = f.read().decode('utf-8', 'replace')
    except OSError:
      continue
    args = cmdline.split('\x00')
    if int(pid) != os.getpid() and any(temp in a or a.endswith(f':{port}') for a in args):
      try:
        os.kill(int(pid), signal.SIGKILL)
      except OSError:
        pass


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def _host_ip() -> str:
  """The address Ray binds to: the machine's own interface (see `ray start`'s output)."""
  import ray._private.services  # pylint: disable=g-import-not-at-top
  return ray._private.services.get_node_ip_address()  # pylint: disable=protected-access


if __name__ == '__main__':
  absltest.main()

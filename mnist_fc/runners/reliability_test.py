"""What a user can do wrong or abruptly, through the runner as a user runs it (real MNIST): one
line and a non-zero exit, never a traceback, a half-written folder or a stuck run."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from absl.testing import absltest
import numpy as np

from foundations import paths
from lottery import interrupt
from lottery import output_lock
from lottery.testing import subprocess_run

MODULE = 'mnist_fc.runners.train'
TINY = ['--training_iterations=200', '--eval_every=100', '--progress=false']
LONG = ['--training_iterations=100000', '--eval_every=100', '--rounds=1', '--progress=false']


def popen(*args):
  return subprocess_run.popen(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def started(test, out):
  """A runner training level 0 of `out` (its tensorboard folder exists)."""
  level0 = paths.tensorboard(paths.run(out, 1, 0, 'lottery'))
  shutil.rmtree(level0, ignore_errors=True)  # left by an earlier interrupted run
  proc = popen(MODULE, *LONG, f'--output_dir={out}')
  test.addCleanup(proc.kill)  # a no-op once it has ended
  deadline = time.time() + 300
  while not os.path.exists(level0):
    test.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else '')
    test.assertLess(time.time(), deadline)
    time.sleep(0.05)
  return proc


class DamagedRunTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.out = tempfile.mkdtemp(dir=absltest.get_default_test_tmpdir())  # fresh: trained here
    result = subprocess_run.run(MODULE, *TINY, '--rounds=2', f'--output_dir={cls.out}')
    assert result.returncode == 0, result.stderr
    cls.stdout = result.stdout

  def test_each_level_says_where_the_run_stands(self):
    lines = [line for line in self.stdout.splitlines() if line.startswith('level ')]
    self.assertLen(lines, 3)
    self.assertRegex(lines[0], r'^level  0 of 2  Pm 100\.00%  .* wall \d+s  ETA \d+s '
                     r'\(2 levels left\)$')
    self.assertRegex(lines[1], r'^level  1 of 2  Pm  80\.04%  .*  ETA \d+s \(1 level left\)$')
    self.assertRegex(lines[2], r'^level  2 of 2  Pm  64\.06%  .* wall \d+s$')

  def copy(self):
    out = self.create_tempdir().full_path
    shutil.copytree(self.out, out, dirs_exist_ok=True)
    return out

  def test_damaged_files_are_one_error_line_naming_them(self):
    cases = []  # (command args, expected stderr line); each on its own damaged copy
    for content, what in ((b'{"level": 1, "percent_rem', 'not valid JSON (Unterminated string '
                           'starting at: line 1 column 14 (char 13))'),
                          (b'{"level": 1}', 'lacks percent_remaining, early_stop_iteration, '
                           'test_accuracy_at_early_stop, final_iteration, final_test_accuracy')):
      for command in ([MODULE, *TINY, '--rounds=2', '--output_dir={}'],
                      ['lottery', 'analyze', '--output_dir={}'],
                      ['lottery', 'compare', '{}', self.out]):
        out = self.copy()
        level1 = paths.run(out, 1, 1, 'lottery')
        with open(paths.summary(level1), 'wb') as f:
          f.write(content)
        cases.append(([a.format(out) for a in command],
                      f'{paths.summary(level1)}: {what}; delete {level1} to recompute that level'))
    for command in ([MODULE, *TINY, '--rounds=2'], ['lottery', 'analyze'],
                    ['lottery', 'reinit', '--levels=1']):
      out = self.copy()
      with open(paths.hparams(out, 1, 'lottery'), 'w') as f:
        f.write('garbage')
      cases.append(([*command, f'--output_dir={out}'],
                    f'{paths.hparams(out, 1, "lottery")}: not valid JSON (Expecting value: line 1 '
                    'column 1 (char 0)); delete it and rerun the command that made the run to '
                    'record its hyperparameters again'))
    out = self.copy()
    level1 = paths.run(out, 1, 1, 'lottery')
    np.savez(paths.masks(level1), layer0=np.array([{}], dtype=object))  # a pickled object
    for command in ([MODULE, *TINY, '--rounds=2', f'--output_dir={out}'],
                    ['lottery', 'compare', out, self.out]):
      cases.append((command, f'{paths.masks(level1)}: unreadable npz (not an npz of plain '
                    f'arrays); delete {level1} to recompute that level'))
    cases.append((['lottery', 'analyze', '--network=conv2', f'--output_dir={self.out}'],
                  f'--network=conv2: {paths.hparams(self.out, 1, "lottery")} records network '
                  'lenet300_100; give --network=lenet300_100 or leave it out'))
    procs = [popen(*command) for command, _ in cases]
    for proc, (command, line) in zip(procs, cases):
      stdout, stderr = proc.communicate(timeout=300)
      self.assertEqual(proc.returncode, 1, (command, stdout, stderr))
      self.assertEqual(subprocess_run.error_lines(stderr), [f'error: {line}'], command)
      self.assertNotIn('Traceback', stderr)

  def test_fewer_rounds_keep_every_finished_level_in_the_table(self):
    out = self.copy()
    result = subprocess_run.run(MODULE, *TINY, '--rounds=1', f'--output_dir={out}')
    self.assertEqual(result.returncode, 0, result.stderr)
    with open(paths.results_table(out, 1, 'lottery')) as f:
      rows = f.read().splitlines()[2:]
    self.assertEqual([r.split('|')[1].strip() for r in rows], ['0', '1', '2'])
    self.assertIn('| 2 | 64.06 |', result.stdout)

  def test_an_experiment_in_use_is_refused_by_every_writer(self):
    out = self.copy()
    with output_lock.held(out, [(1, 'lottery'), (1, 'reinit')]):
      procs = [popen(*command, f'--output_dir={out}') for command in (
          [MODULE, *TINY, '--rounds=2'], ['lottery', 'reinit', '--levels=1'],
          ['lottery', 'sweep', *TINY, '--rounds=1', '--trials=1', '--procedures=lottery'])]
      for proc in procs:
        _, stderr = proc.communicate(timeout=300)
        self.assertEqual(proc.returncode, 1, stderr)
        self.assertRegex(stderr, rf'^error: {out} is in use by pid {os.getpid()} \(python .*\); '
                         'wait for it or use another --output_dir\n$')
      # Readers take no lock.
      self.assertEqual(subprocess_run.run('lottery', 'analyze', f'--output_dir={out}').returncode,
                       0)


class DivergenceTest(absltest.TestCase):

  def test_a_diverged_level_is_an_error_not_a_result(self):
    out = self.create_tempdir().full_path
    # --eval_every beyond the run: a warning, the one evaluation is at the end.
    result = subprocess_run.run(MODULE, '--training_iterations=200', '--eval_every=300',
                                '--rounds=1', '--learning_rate=1e30', '--progress=false',
                                f'--output_dir={out}')
    self.assertEqual(result.returncode, 1, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith('datasets:')]
    self.assertEqual(lines, [
        'warning: --eval_every=300 is larger than --training_iterations=200: the net is '
        'evaluated only at the end, so the early stop is the last iteration',
        'error: level 0 diverged at iteration 200 (train loss nan); lower --learning_rate'])
    level0 = paths.run(out, 1, 0, 'lottery')
    self.assertFalse(os.path.exists(paths.summary(level0)))
    self.assertFalse(os.path.exists(paths.run(out, 1, 1, 'lottery')))  # nothing pruned from it
    with open(paths.metrics(level0)) as f:
      self.assertEqual(f.read().splitlines()[2].split(',')[:2], ['200', 'nan'])

  def test_rounds_that_prune_nothing_are_refused(self):
    out = self.create_tempdir().full_path
    result = subprocess_run.run(MODULE, '--prune_percent=0', '--rounds=2', f'--output_dir={out}')
    self.assertEqual(result.returncode, 1)
    self.assertEqual(result.stderr.splitlines(), [
        'error: --prune_percent=0.0: with --rounds=2 no hidden layer is ever pruned; give '
        '--prune_percent > 0 or --rounds=0'])
    self.assertEqual(os.listdir(out), [])


class SignalTest(absltest.TestCase):

  def test_signals_end_the_run_in_one_line_and_a_killed_run_leaves_no_lock(self):
    out = self.create_tempdir().full_path
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
      proc = started(self, out)
      if sig == signal.SIGINT:  # meanwhile a second writer is refused, naming the first
        second = subprocess_run.run(MODULE, *LONG, f'--output_dir={out}')
        self.assertEqual(second.returncode, 1)
        self.assertEqual(subprocess_run.error_lines(second.stderr), [
            f'error: {out} is in use by pid {proc.pid} (python -m {MODULE} {" ".join(LONG)} '
            f'--output_dir={out}); wait for it or use another --output_dir'])
      proc.send_signal(sig)
      _, stderr = proc.communicate(timeout=120)
      self.assertEqual(proc.returncode, code, stderr)
      lines = stderr.splitlines()
      self.assertEqual(lines[-1], interrupt.LINE)
      self.assertEqual(stderr.count('interrupted'), 1, stderr)
      self.assertNotIn('Traceback', stderr)
      self.assertFalse(os.path.exists(paths.summary(paths.run(out, 1, 0, 'lottery'))))
    proc = started(self, out)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The lock died with it: the next run gets past it (to the hparams check it then fails).
    other = subprocess_run.run(MODULE, *TINY, '--rounds=1', f'--output_dir={out}')
    self.assertEqual(subprocess_run.error_lines(other.stderr), [
        f'error: {paths.hparams(out, 1, "lottery")}: existing results were made with different '
        'hyperparameters (training_iterations); use another --output_dir or --experiment_name'])


if __name__ == '__main__':
  absltest.main()

"""The MNIST runner as a user runs it: --help, bad input, SIGKILL and resume (real MNIST)."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
from absl.testing import absltest

from foundations import paths
from foundations import save_restore
from lottery.testing import subprocess_run

MODULE = 'mnist_fc.runners.train'
TINY = ['--rounds=2', '--training_iterations=600', '--eval_every=200', '--progress=false']


def run(*args):
  return subprocess_run.run(MODULE, *args)


# The runner's main in-process, then whether it imported TensorFlow.
RERUN = """
import sys
from lottery import train_command
code = train_command.main_train(['prog', *sys.argv[1:]], ['lenet300_100'], 'mnist_fc.runners.train')
print('tensorflow imported:', 'tensorflow' in sys.modules)
sys.exit(code)
"""


class RunnerFlagsTest(absltest.TestCase):

  def test_help_lists_flags(self):
    result = run('--help')
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assertEqual(result.stderr, '')
    for flag in ('--prune_percent', '--output_prune_percent', '--rounds', '--training_iterations',
                 '--eval_every', '--batch_size', '--learning_rate', '--output_dir', '--data_dir',
                 '--trial', '--seed', '--preset'):
      self.assertIn(flag, result.stdout)

  def test_bad_flags_give_one_error_line_and_write_nothing(self):
    out = self.create_tempdir().full_path
    cases = {
        '--prune_percent=-5': '--prune_percent=-5.0: must be in [0, 100)',
        '--prune_percent=100': '--prune_percent=100.0: must be in [0, 100)',
        '--output_prune_percent=120': '--output_prune_percent=120.0: must be in [0, 100)',
        '--training_iterations=0': '--training_iterations=0: must be positive',
        '--preset=bogus': '--preset=bogus: expected one of paper, reference',
        '--seed=-1': '--seed=-1: must be >= 0',
        '--validation_size=60000': '--validation_size=60000: the mnist training split has '
                                   '60,000 examples; hold out fewer',
    }
    subprocess_run.check_bad_flags(self, MODULE, cases, out)


class RunnerResumeTest(absltest.TestCase):

  def masks_and_finals(self, out):
    arrays = {}
    for level in range(3):
      run_dir = paths.run(out, 1, level, 'lottery')
      for what in ('masks', 'final'):
        arrays[level, what] = save_restore.load_npz(getattr(paths, what)(run_dir))
    return arrays

  def test_sigkill_then_rerun_resumes_and_matches_uninterrupted_run(self):
    reference, interrupted = (self.create_tempdir().full_path for _ in range(2))
    # The uninterrupted reference runs beside the run that gets killed.
    complete = subprocess_run.popen(MODULE, *TINY, f'--output_dir={reference}',
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    self.addCleanup(complete.kill)  # a no-op once it has ended
    proc = subprocess_run.popen(MODULE, *TINY, f'--output_dir={interrupted}',
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    level1 = paths.run(interrupted, 1, 1, 'lottery')
    deadline = time.time() + 300
    while not os.path.exists(paths.tensorboard(level1)) and proc.poll() is None:
      self.assertLess(time.time(), deadline)
      time.sleep(0.05)
    time.sleep(0.1)  # level 1 has begun (its tensorboard dir exists) and takes over a second
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    self.assertEqual(proc.returncode, -signal.SIGKILL)
    self.assertFalse(os.path.exists(paths.summary(level1)), 'level 1 finished before the kill')
    level0_final = paths.final(paths.run(interrupted, 1, 0, 'lottery'))
    mtime = os.stat(level0_final).st_mtime_ns

    stdout, stderr = complete.communicate(timeout=600)
    self.assertEqual(complete.returncode, 0, stderr)
    self.assertIn('| 2 | 64.06 |', stdout)  # the level-2 row of the final table
    self.assertNotRegex(stderr, subprocess_run.TENSORFLOW_NOISE)
    # Exporting the finished level 2 is just as quiet (SavedModel and TFLite conversion).
    export = subprocess_run.run('lottery.export', f'--output_dir={reference}', '--level=2',
                                '--latency_examples=10')
    self.assertEqual(export.returncode, 0, export.stderr)
    self.assertIn('TFLite sparse', export.stdout)
    self.assertNotRegex(export.stderr, subprocess_run.TENSORFLOW_NOISE)

    resumed = run(*TINY, f'--output_dir={interrupted}')
    self.assertEqual(resumed.returncode, 0, resumed.stderr)
    self.assertIn('(finished earlier, kept)', resumed.stdout)
    self.assertEqual(os.stat(level0_final).st_mtime_ns, mtime)
    expected, got = self.masks_and_finals(reference), self.masks_and_finals(interrupted)
    for key, arrays in expected.items():
      for name, array in arrays.items():
        np.testing.assert_array_equal(got[key][name], array, err_msg=str((key, name)))

    # Once every level is finished, a rerun prints the table and never starts TensorFlow.
    again = subprocess.run([sys.executable, '-c', RERUN, *TINY, f'--output_dir={interrupted}'],
                           cwd=subprocess_run.REPO, env=subprocess_run.env(), capture_output=True,
                           text=True, check=False)
    self.assertEqual(again.returncode, 0, again.stderr)
    self.assertEqual(again.stdout.count('(finished earlier, kept)'), 3)
    self.assertTrue(again.stdout.endswith('tensorflow imported: False\n'), again.stdout)

    # A corrupted finished level: one error line naming the file; nothing rewritten.
    masks_file = paths.masks(paths.run(interrupted, 1, 1, 'lottery'))
    with open(masks_file, 'wb') as f:
      f.write(b'garbage')
    broken = run(*TINY, '--rounds=3', f'--output_dir={interrupted}')
    self.assertEqual(broken.returncode, 1)
    self.assertEqual(len(subprocess_run.error_lines(broken.stderr)), 1, broken.stderr)
    self.assertIn('masks.npz: unreadable npz', broken.stderr)
    self.assertEqual(open(masks_file, 'rb').read(), b'garbage')
    self.assertFalse(os.path.exists(paths.run(interrupted, 1, 3, 'lottery')))


if __name__ == '__main__':
  absltest.main()

"""Failures a newcomer meets are one `error:` line: unwritable dirs, disk full (real MNIST)."""

import contextlib
import io
import os
import subprocess
import sys
import time
from unittest import mock

from absl.testing import absltest
import numpy as np

from foundations import hparams
from foundations import paths
from foundations import save_restore
from lottery import environment
from lottery import train_command
from lottery.testing import subprocess_run

LENET = ['lenet300_100']
TINY = ['--rounds=1', '--training_iterations=200', '--eval_every=100', '--progress=false']


def refuse_writes_under(root):
  """os.access as for a non-root user who may not write `root` (tests run as root)."""
  real = os.access

  def access(path, mode):
    if mode & os.W_OK and os.path.abspath(path).startswith(root):
      return False
    return real(path, mode)
  return mock.patch('os.access', access)


def main(*args):
  err = io.StringIO()
  with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    code = train_command.main_train(['prog', *args], LENET, 'test')
  return code, err.getvalue()


class LoadDataTest(absltest.TestCase):

  def test_test_size_keeps_the_first_test_examples_and_changes_nothing_else(self):
    from lottery import networks  # pylint: disable=g-import-not-at-top
    network = networks.get('lenet300_100')
    desc = network.presets(0.0)['paper']
    full = environment.load_data(desc, network, None)  # real MNIST
    part = environment.load_data(desc.replace(test_size=1000), network, None)
    self.assertEqual((full.x_test.shape, part.x_test.shape), ((10000, 784), (1000, 784)))
    np.testing.assert_array_equal(part.x_test, full.x_test[:1000])
    np.testing.assert_array_equal(part.y_test, full.y_test[:1000])
    for name in ('x_train', 'y_train', 'x_val', 'y_val'):
      np.testing.assert_array_equal(getattr(part, name), getattr(full, name), name)
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--test_size=10001: the mnist test split has 10,000 examples'):
      environment.load_data(desc.replace(test_size=10001), network, None)


class WritableTest(absltest.TestCase):

  def test_unwritable_output_dir_is_refused_at_once(self):
    root = self.create_tempdir().full_path
    start = time.time()
    with refuse_writes_under(root):
      code, err = main(f'--output_dir={root}/runs')
    self.assertLess(time.time() - start, 1.0)
    self.assertEqual(code, 1)
    self.assertEqual(err, f'error: --output_dir={root}/runs: {root} is not a writable directory; '
                          'choose another --output_dir or fix its permissions\n')
    self.assertEqual(os.listdir(root), [])

  def test_unwritable_data_dir_is_refused_only_when_it_must_be_filled(self):
    root = self.create_tempdir().full_path
    out = self.create_tempdir().full_path
    with refuse_writes_under(root):
      code, err = main(f'--output_dir={out}', f'--data_dir={root}')
      self.assertEqual((code, err.count('\n')), (1, 1))
      self.assertIn(f'error: --data_dir={root}: {root} is not a writable directory', err)
      save_restore.save_npz(os.path.join(root, 'mnist.npz'), {})  # a cache is there: reading is fine
      environment.check_data_dir(root, 'mnist')
    self.assertEqual(os.listdir(out), [])


# Runs in a fresh process: TensorFlow's thread settings are fixed once it starts.
DISK_FULL = """
import errno, sys
from unittest import mock
from foundations import paths, save_restore
from lottery import train_command
out, full = sys.argv[1], sys.argv[2] == 'full'
real = save_restore._atomic_write
level1 = paths.run(out, 1, 1, 'lottery')

def full_at_level1(path, write_fn, suffix):
  if full and path.startswith(level1):
    raise OSError(errno.ENOSPC, 'No space left on device', path)
  return real(path, write_fn, suffix)

with mock.patch.object(save_restore, '_atomic_write', full_at_level1):
  sys.exit(train_command.main_train(['prog', *sys.argv[3:], f'--output_dir={out}'], ['lenet300_100'], 't'))
"""


class DiskFullTest(absltest.TestCase):

  def run_tiny(self, out, disk):
    return subprocess.run([sys.executable, '-c', DISK_FULL, out, disk, *TINY],
                          cwd=subprocess_run.REPO, env=subprocess_run.env(), capture_output=True,
                          text=True, timeout=600, check=False)

  def test_disk_full_mid_run_is_one_line_and_the_run_resumes(self):
    out = self.create_tempdir().full_path
    level1 = paths.run(out, 1, 1, 'lottery')
    result = self.run_tiny(out, 'full')
    self.assertEqual(result.returncode, 1, result.stderr)
    self.assertEqual(subprocess_run.error_lines(result.stderr), [
        f'error: {paths.initial(level1)}: No space left on device; finished levels are kept: '
        'fix this and rerun the same command to resume'])
    self.assertNotIn('Traceback', result.stderr)
    self.assertTrue(os.path.exists(paths.summary(paths.run(out, 1, 0, 'lottery'))))
    final0 = open(paths.final(paths.run(out, 1, 0, 'lottery')), 'rb').read()
    result = self.run_tiny(out, 'fine')
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assertIn('(finished earlier, kept)', result.stdout)
    self.assertTrue(os.path.exists(paths.summary(level1)))
    self.assertEqual(open(paths.final(paths.run(out, 1, 0, 'lottery')), 'rb').read(), final0)


if __name__ == '__main__':
  absltest.main()

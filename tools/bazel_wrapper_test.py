"""tools/bazel (the launcher's workspace wrapper): LTH_DATA_DIR defaults to the workspace's .data,
which `bazel test` fills first; other commands pass straight through. Fake Bazel and Python."""

import os
import stat
import subprocess
import tempfile

from absl.testing import absltest

WRAPPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bazel')
# Each fake writes one line: its arguments and the LTH_DATA_DIR it was given.
FAKE = '#!/bin/sh\necho "$0 $* | $LTH_DATA_DIR" >> "$(dirname "$0")/calls"\n'


class BazelWrapperTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.dir = tempfile.mkdtemp(dir=absltest.get_default_test_tmpdir())
    for name in ('bazel-real', 'python'):
      path = os.path.join(self.dir, name)
      with open(path, 'w') as f:
        f.write(FAKE)
      os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)

  def wrapper(self, *args, **env):
    base = {k: v for k, v in os.environ.items() if k != 'LTH_DATA_DIR'}
    base.update(BAZEL_REAL=os.path.join(self.dir, 'bazel-real'),
                PYTHON_BIN_PATH=os.path.join(self.dir, 'python'), **env)
    subprocess.run([WRAPPER, *args], env=base, check=True, capture_output=True)
    with open(os.path.join(self.dir, 'calls')) as f:
      return [line.split(' ', 1)[1].strip() for line in f]

  def test_test_fills_the_data_dir_first_and_passes_it_on(self):
    data = os.path.join(self.dir, 'data')
    self.assertEqual(self.wrapper('--output_base=/x', 'test', '//...', LTH_DATA_DIR=data), [
        f'-m datasets.prepare --dataset=all --data_dir={data} | {data}',
        f'--output_base=/x test //... | {data}'])
    self.assertTrue(os.path.isdir(data))

  def test_other_commands_only_get_the_default_data_dir(self):
    workspace = os.path.dirname(os.path.dirname(WRAPPER))
    self.assertEqual(self.wrapper('info', 'output_base'),
                     [f'info output_base | {workspace}/.data'])


if __name__ == '__main__':
  absltest.main()

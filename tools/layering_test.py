"""The layering check: the real tree has no upward import, and a planted one is caught."""

import os

from absl.testing import absltest

from tools import layering

# The real source tree (Bazel runs this from a runfiles symlink to it).
ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


class LayeringTest(absltest.TestCase):

  def test_source_tree_has_no_upward_import(self):
    self.assertTrue(os.path.isdir(os.path.join(ROOT, 'foundations')), ROOT)
    self.assertEqual(layering.violations(ROOT), [])

  def test_planted_violations_are_found_with_file_and_line(self):
    root = self.create_tempdir()
    root.create_file('foundations/trainer.py', 'import os\nfrom datasets.pipeline import x\n')
    root.create_file('datasets/cache.py', 'def f():\n  import lottery.seeds\n')
    root.create_file('lottery/bench.py', 'from mnist_fc import constants\nfrom foundations import y\n')
    root.create_file('mnist_fc/runners/train.py', 'from lottery import runner\n')
    root.create_file('cifar_conv/x.py', 'from mnist_fc import constants\n')
    self.assertEqual(layering.violations(root.full_path), [
        'cifar_conv/x.py:1: cifar_conv imports mnist_fc',
        'datasets/cache.py:2: datasets imports lottery',
        'foundations/trainer.py:2: foundations imports datasets',
        'lottery/bench.py:1: lottery imports mnist_fc',
    ])


if __name__ == '__main__':
  absltest.main()

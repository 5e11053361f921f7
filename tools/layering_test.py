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

  def test_lottery_core_imports_no_sub_package_and_only_tests_import_fixtures(self):
    root = self.create_tempdir()
    root.create_file('lottery/levels.py', 'from lottery.report import analyze\n'
                     'from lottery import sweep\nfrom lottery import networks\n')
    root.create_file('lottery/procedures/gmp.py', 'def f():\n  import lottery.interop.parity\n')
    root.create_file('lottery/networks/lenet.py', 'from lottery.bench import sweep\n'
                     'CLAIMS = "lottery.report.sections:lenet"\n')
    root.create_file('lottery/procedures/gmp_test.py', 'from lottery.testing import tiny_run\n'
                     'from lottery.report import analyze\n')
    root.create_file('lottery/sweep/driver.py', 'from lottery.report import analyze\n'
                     'from lottery.testing import tiny_run\n')
    root.create_file('lottery/testing/tiny_run.py', 'from lottery.testing import subprocess_run\n')
    root.create_file('mnist_fc/runners/train.py', 'import lottery.testing.tiny_run\n')
    self.assertEqual(layering.violations(root.full_path), [
        'lottery/levels.py:1: lottery core imports lottery.report.analyze',
        'lottery/levels.py:2: lottery core imports lottery.sweep',
        'lottery/networks/lenet.py:1: lottery core imports lottery.bench.sweep',
        'lottery/procedures/gmp.py:2: lottery core imports lottery.interop.parity',
        'lottery/sweep/driver.py:2: a non-test module imports lottery.testing.tiny_run',
        'mnist_fc/runners/train.py:1: a non-test module imports lottery.testing.tiny_run',
    ])


if __name__ == '__main__':
  absltest.main()

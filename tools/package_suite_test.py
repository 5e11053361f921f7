"""package_suite.collect: a module's own TestCase classes, under names that cannot collide."""

import os
import subprocess
import sys
import tempfile

from absl.testing import absltest

from tools import package_suite

_A = '''import unittest
class SameNameTest(unittest.TestCase):
  def test_a(self):
    pass
'''
_B = '''import unittest
from suite_pkg.a_test import SameNameTest as Imported  # imported, not its own: not collected
class SameNameTest(unittest.TestCase):
  def test_b(self):
    self.assertEqual(1, 2)
'''


class CollectTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.root = tempfile.mkdtemp()
    os.makedirs(os.path.join(self.root, 'suite_pkg'))
    for name, text in (('__init__', ''), ('a_test', _A), ('b_test', _B), ('empty_test', 'X = 1\n')):
      with open(os.path.join(self.root, 'suite_pkg', name + '.py'), 'w') as f:
        f.write(text)
    sys.path.insert(0, self.root)
    self.addCleanup(sys.path.remove, self.root)

  def test_each_modules_own_classes_under_module_prefixed_names(self):
    namespace = {}
    self.assertEqual(package_suite.collect(['suite_pkg.a_test', 'suite_pkg.b_test'], namespace), 2)
    self.assertEqual(sorted(namespace), ['a_test__SameNameTest', 'b_test__SameNameTest'])
    self.assertEqual(namespace['b_test__SameNameTest'].__module__, 'suite_pkg.b_test')

  def test_a_module_without_tests_is_an_error(self):
    with self.assertRaisesRegex(ValueError, 'suite_pkg.empty_test: no TestCase class'):
      package_suite.collect(['suite_pkg.empty_test'], {})

  def test_main_runs_every_module_and_fails_when_one_test_fails(self):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([self.root] + sys.path))
    run = subprocess.run([sys.executable, package_suite.__file__, 'suite_pkg.a_test',
                          'suite_pkg.b_test'], capture_output=True, text=True, env=env,
                         check=False)
    self.assertEqual(run.returncode, 1, run.stderr)
    self.assertRegex(run.stderr, r'Ran 2 tests')
    self.assertIn('FAIL: test_b (suite_pkg.b_test.SameNameTest.test_b)', run.stderr)
    self.assertIn('[       OK ] suite_pkg.a_test.SameNameTest.test_a', run.stderr)


if __name__ == '__main__':
  absltest.main()

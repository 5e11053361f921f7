"""Runs several test modules in one process: one Bazel target for a package's test files.

Every py_test target is a process of its own, so each pays TensorFlow's import
(about 4 s on a 2-core machine) and builds its own fixtures (the tiny lottery
run of lottery.testing_util, the MNIST cache). Test files that share those run
faster as one target. In a BUILD file (tools/package_suite.bzl makes the rule):

  load("//tools:package_suite.bzl", "package_py_test")
  package_py_test(name = "tests", size = "medium", srcs = glob(["*_test.py"]), deps = [...])

The arguments are the test modules' dotted names. Their TestCase classes (those
defined in the module itself, not imported into it) run under absltest, which
writes Bazel's XML report.
"""

import importlib
import sys
import unittest

from absl.testing import absltest


def collect(module_names, namespace: dict) -> int:
  """Puts each module's own TestCase classes into `namespace` as module__Class; returns how many.

  Raises ImportError naming the module that fails to import, ValueError if a module has none.
  """
  count = 0
  for name in module_names:
    module = importlib.import_module(name)
    own = [(attr, value) for attr, value in vars(module).items()
           if isinstance(value, type) and issubclass(value, unittest.TestCase)
           and value.__module__ == module.__name__]
    if not own:
      raise ValueError(f'{name}: no TestCase class defined in it')
    for attr, value in own:
      namespace[f'{name.rsplit(".", 1)[-1]}__{attr}'] = value
      count += 1
  return count


if __name__ == '__main__':
  modules = [arg for arg in sys.argv[1:] if not arg.startswith('-')]
  collect(modules, globals())
  absltest.main(argv=[sys.argv[0]] + [arg for arg in sys.argv[1:] if arg.startswith('-')])

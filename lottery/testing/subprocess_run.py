"""Helpers for tests that run the absl runners as a user does: `python -m <module>` in a subprocess."""

import os
import subprocess
import sys

from datasets import base

# The source root (or Bazel's runfiles root), where `python -m` finds the packages.
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# What a normal run, export or sweep must not print (shown only with --verbosity=1): TensorFlow's
# C++ start-up lines (cuInit "errors" on a machine without a GPU), the XLA cache's AOT loader
# lines, TensorFlow's Python warnings and deprecation notices (TF, TFLite).
TENSORFLOW_NOISE = (r'(?m)^[IWE]0000 |InitializeLog|cuInit|cpu_aot_loader|WARNING:tensorflow|'
                    r'[Dd]eprecat')


def command(module: str, *args) -> list:
  return [sys.executable, '-m', module, *args]


def env() -> dict:
  """The environment with the real data cache the tests use."""
  return dict(os.environ, LTH_DATA_DIR=base.default_data_dir())


def run(module: str, *args, timeout: int = 600) -> subprocess.CompletedProcess:
  return subprocess.run(command(module, *args), cwd=REPO, env=env(), capture_output=True,
                        text=True, timeout=timeout, check=False)


def popen(module: str, *args, **kwargs) -> subprocess.Popen:
  return subprocess.Popen(command(module, *args), cwd=REPO, env=env(), **kwargs)


def error_lines(stderr: str) -> list:
  return [line for line in stderr.splitlines() if line.startswith('error:')]


def check_bad_flags(test, module: str, cases: dict, output_dir: str) -> None:
  """Each flag in `cases` (flag -> message) exits 1 with exactly `error: <message>`, writing nothing.

  The processes run side by side: they fail before TensorFlow is imported.
  """
  procs = {flag: popen(module, flag, f'--output_dir={output_dir}', stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True) for flag in cases}
  for flag, message in cases.items():
    stdout, stderr = procs[flag].communicate(timeout=300)
    test.assertEqual(procs[flag].returncode, 1, (flag, stdout, stderr))
    test.assertEqual(error_lines(stderr), [f'error: {message}'], (flag, stderr))
  test.assertEqual(os.listdir(output_dir), [])

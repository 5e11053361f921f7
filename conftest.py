"""pytest glue: absltest helpers (create_tempdir, ...) read absl flags, which pytest never parses."""

import os

# Tests that read the real datasets use $LTH_DATA_DIR; unset, this checkout's .data (as
# `bazel test` via tools/bazel and .ci/run), filled on first use: never the home directory,
# which may not be writable.
if not os.environ.get('LTH_DATA_DIR'):
  os.environ['LTH_DATA_DIR'] = os.path.join(os.path.dirname(os.path.abspath(__file__)), '.data')

import foundations  # pylint: disable=unused-import,g-import-not-at-top,wrong-import-position


def pytest_configure(config):  # pylint: disable=unused-argument
  from absl import flags  # pylint: disable=g-import-not-at-top
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()


# Bazel's output symlinks (bazel-bin, bazel-main, ...) hold copies of every test file:
# collecting them fails (or runs everything twice) once `bazel test` has run here.
collect_ignore_glob = ['bazel-*']

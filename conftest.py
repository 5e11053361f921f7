"""pytest glue: absltest helpers (create_tempdir, ...) read absl flags, which pytest never parses."""

import foundations  # pylint: disable=unused-import  (the TensorFlow environment, before any test)


def pytest_configure(config):  # pylint: disable=unused-argument
  from absl import flags  # pylint: disable=g-import-not-at-top
  if not flags.FLAGS.is_parsed():
    flags.FLAGS.mark_as_parsed()


# Bazel's output symlinks (bazel-bin, bazel-main, ...) hold copies of every test file:
# collecting them fails (or runs everything twice) once `bazel test` has run here.
collect_ignore_glob = ['bazel-*']

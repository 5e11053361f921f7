"""What a run needs before it starts: writable directories, TensorFlow set up, the data.

The checks load no TensorFlow, so a refusal takes well under a second.
"""

import os
from typing import Optional

from foundations import hparams


class InputError(ValueError):
  """Bad flags, or no lottery run to work on; the message is one line."""


def check_writable(path: str, flag: str) -> None:
  """Refuses a directory that cannot be created or written, before anything slow starts."""
  probe = os.path.abspath(path)
  while not os.path.exists(probe):
    probe = os.path.dirname(probe)
  if not os.path.isdir(probe) or not os.access(probe, os.W_OK | os.X_OK):
    raise InputError(f'--{flag}={path}: {probe} is not a writable directory; choose another '
                     f'--{flag} or fix its permissions')


def check_data_dir(data_dir: Optional[str], dataset: str) -> None:
  """A dataset not cached yet will be fetched into data_dir: it must be writable (read-only is
  fine once the verified cache is there)."""
  from datasets import base, cache  # pylint: disable=g-import-not-at-top  (no TensorFlow)
  data_dir = data_dir or base.default_data_dir()
  if not os.path.exists(cache.cache_path(dataset, data_dir)):
    check_writable(data_dir, 'data_dir')


def check_run(desc: hparams.Desc) -> None:
  """What the description's own checks cannot see (they know no dataset): the seed and the
  split sizes against the dataset's, from its registry entry (nothing is read)."""
  from datasets import registry  # pylint: disable=g-import-not-at-top  (no TensorFlow)
  if desc.seed < 0:
    raise hparams.HparamsError(f'--seed={desc.seed}: must be >= 0')
  d = desc.dataset
  shapes = registry.get(d.dataset).shapes
  train, test = shapes['y_train'][0], shapes['y_test'][0]
  if d.validation_size >= train:
    raise hparams.HparamsError(f'--validation_size={d.validation_size}: the {d.dataset} '
                               f'training split has {train:,} examples; hold out fewer')
  if d.test_size > test:  # a silent "all of them" would misstate the protocol
    raise hparams.HparamsError(f'--test_size={d.test_size}: the {d.dataset} test split has '
                               f'{test:,} examples')


def check_initial_weights(path: str, shapes) -> str:
  """The absolute path of a theta_0 file whose layers and shapes are `shapes` (numpy only)."""
  from lottery import reference_format  # pylint: disable=g-import-not-at-top
  try:
    reference_format.load_weights(path, shapes)
  except reference_format.FormatError as e:
    raise InputError(f'--initial_weights: {e}') from None
  return os.path.abspath(path)


def configure_tensorflow(threads: int, verbosity: int = 0) -> None:
  """Starts TensorFlow (its C++ start-up lines and Python warnings only with verbosity >= 1),
  threads, determinism, and the machine's cache of compiled train loops (foundations/xla_cache.py)."""
  from foundations import quiet, xla_cache  # pylint: disable=g-import-not-at-top
  xla_cache.enable()  # TensorFlow reads its XLA flags as it starts
  tf = quiet.tensorflow_started(show=verbosity >= 1)
  # TensorFlow's Python warnings ("WARNING:tensorflow:...", deprecation notices, e.g. when a
  # SavedModel is written) say nothing a user of these commands can act on.
  tf.get_logger().setLevel('WARNING' if verbosity >= 1 else 'ERROR')
  threading = tf.config.threading
  for get, set_ in ((threading.get_intra_op_parallelism_threads,
                     threading.set_intra_op_parallelism_threads),
                    (threading.get_inter_op_parallelism_threads,
                     threading.set_inter_op_parallelism_threads)):
    if get() != threads:  # fixed once TensorFlow has started: a second run in-process may reuse it
      set_(threads)
  # Same seed -> same masks, which is what makes an interrupted run resumable.
  tf.config.experimental.enable_op_determinism()


def load_data(desc: hparams.Desc, network, data_dir: Optional[str]):
  """The verified raw dataset -> normalized DataSplits with the run's validation hold-out (and
  only the first test_size test examples when that is set)."""
  from datasets import pipeline, registry  # pylint: disable=g-import-not-at-top
  from lottery import seeds  # pylint: disable=g-import-not-at-top
  d = desc.dataset
  raw = registry.load_raw(d.dataset, data_dir)
  if d.test_size > len(raw.y_test):  # a silent "all of them" would misstate the protocol
    raise hparams.HparamsError(f'--test_size={d.test_size}: the {d.dataset} test split has '
                               f'{len(raw.y_test):,} examples')
  test = slice(d.test_size or None)
  return pipeline.make_splits(raw.x_train, raw.y_train, raw.x_test[test], raw.y_test[test],
                              d.validation_size,
                              seeds.derive(desc.seed, desc.trial, 'validation_split'),
                              d.normalization, network.flatten)

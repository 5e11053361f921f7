"""Fills the verified dataset cache, e.g. before running experiments offline.

  python -m datasets.prepare --dataset=all --data_dir=/path/to/data

Prints each dataset's array shapes and the source used. On a DatasetError
(corrupt cache, unreachable mirror, checksum mismatch) prints one line
`error: ...` to stderr and exits with status 1.
"""

import os

# Before anything can import TensorFlow (tfds does): use tf_keras (Keras 2), as all code here does.
os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')

import sys  # pylint: disable=g-import-not-at-top,wrong-import-position
import time  # pylint: disable=g-import-not-at-top,wrong-import-position

from absl import app  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from foundations import cli  # pylint: disable=g-import-not-at-top,wrong-import-position
from absl import flags  # pylint: disable=g-import-not-at-top,wrong-import-position

from datasets import base  # pylint: disable=g-import-not-at-top,wrong-import-position
from datasets import registry  # pylint: disable=g-import-not-at-top,wrong-import-position

_DATASET = flags.DEFINE_enum('dataset', 'all', sorted(registry.names()) + ['all'],
                             'Which dataset to prepare.')
_DATA_DIR = flags.DEFINE_string(
    'data_dir', None,
    'Cache directory; default $LTH_DATA_DIR, else ~/.cache/lottery_ticket/data.')


def prepare(names, data_dir):
  """Loads each dataset (filling the cache) and prints a summary line for it."""
  for name in names:
    start = time.time()
    raw, source = registry.load_raw_with_source(name, data_dir)
    shapes = ' '.join(f'{k}={v.shape}' for k, v in raw.arrays().items())
    print(f'{name}: {shapes} uint8, from {source} ({time.time() - start:.1f} s)',
          flush=True)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'unexpected arguments: {" ".join(argv[1:])}')
  names = sorted(registry.names()) if _DATASET.value == 'all' else [_DATASET.value]
  data_dir = _DATA_DIR.value or base.default_data_dir()
  try:
    prepare(names, data_dir)
  except base.DatasetError as e:
    print(f'error: {e}', file=sys.stderr)
    sys.exit(1)


if __name__ == '__main__':
  cli.run_absl(main)

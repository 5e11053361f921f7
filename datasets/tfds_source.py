"""Source 2: an already-prepared TensorFlow Datasets copy, if there is one.

`try_tfds` never downloads: `tfds.load(..., download=False)` fails in well under
a second when nothing is prepared, whereas a plain `tfds.load('mnist')` hangs for
about 205 s here (no internet) before raising ConnectionError.

Why not `batch_size=-1`: tfds turns -1 into "the split's example count, or
sys.maxsize when the metadata has none", and `padded_batch(sys.maxsize)` aborts
the whole process (C++ std::length_error, seen with tfds.testing.mock_data).
Fixed batches of `_BATCH` examples, concatenated, cannot do that.

Caveat on order: TFDS shuffles examples when it prepares a dataset. CIFAR-10
records carry an 'id' ('train_00042') that gives back the canonical order; MNIST
records carry none, so an MNIST from tfds is in tfds order and will fail the
canonical checksums (the registry then falls through to the mirror).
"""

import sys
from typing import Optional

from absl import logging
import numpy as np

from datasets import base

_BATCH = 10000  # examples per tf.data batch; divides every split size here


def _to_uint8(array, what: str) -> np.ndarray:
  array = np.asarray(array)
  if array.dtype != np.uint8:
    if array.size and (array.min() < 0 or array.max() > 255):
      raise ValueError(f'{what} values out of uint8 range')
    array = array.astype(np.uint8)
  return np.ascontiguousarray(array)


def _split_arrays(name: str, batches, image_shape=None):
  """(x, y) uint8 arrays of one tfds split, given as an iterable of numpy batches.

  image_shape: the canonical (H, W) or (H, W, C) of one image; tfds's (H, W, 1) becomes (H, W).
  """
  batches = list(batches)
  if not batches:
    raise ValueError(f'tfds {name} split is empty')
  split = {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}
  x = np.asarray(split['image'])
  y = np.asarray(split['label'])
  if 'id' in split:
    # ids are '<prefix><5-digit index>' (cifar); sorting them restores the
    # order of the original batch files, undoing tfds's shuffle.
    order = np.argsort(np.asarray(split['id']), kind='stable')
    x, y = x[order], y[order]
  if image_shape is not None and x.shape[1:] == tuple(image_shape) + (1,):
    x = x[..., 0]  # tfds stores (Fashion-)MNIST as (N, 28, 28, 1); canonical is (N, 28, 28)
  return _to_uint8(x, f'tfds {name} image'), _to_uint8(y, f'tfds {name} label')


def try_tfds(name: str, data_dir: Optional[str] = None, tfds_name: Optional[str] = None,
             image_shape=None) -> Optional[base.RawDataset]:
  """Returns `name` from a prepared tfds copy, or None on any failure (fast).

  Args:
    name: the registry name, given to the RawDataset ('mnist', 'fashion_mnist', 'cifar10').
    data_dir: the tfds data directory to look in; None means tfds's default
      ($TFDS_DATA_DIR or ~/tensorflow_datasets).
    tfds_name: the dataset's name in tfds; None means `name`.
    image_shape: the canonical shape of one image, (H, W) or (H, W, C); tfds's trailing
      channel of 1 is dropped when the canonical images are (H, W).

  Returns:
    A RawDataset in canonical layout (not yet verified: the caller verifies),
    or None when tfds is not installed, nothing is prepared, or reading fails.
  """
  # tfds logs a few warning/info lines (missing dataset_info.json, "Constructing
  # tf.data.Dataset") before failing; the one line we print below says enough.
  previous_verbosity = logging.get_verbosity()
  logging.set_verbosity(logging.ERROR)
  try:
    # Imported lazily: tensorflow_datasets is optional and slow-ish to import.
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    splits = tfds.load(
        tfds_name or name,
        split=['train', 'test'],
        data_dir=data_dir,
        download=False,  # never download: that is what hangs without internet
        try_gcs=False,
        batch_size=_BATCH,  # not -1: see the module docstring
        with_info=False,
    )
    train, test = (tfds.as_numpy(s) for s in splits)
    x_train, y_train = _split_arrays(name, train, image_shape)
    x_test, y_test = _split_arrays(name, test, image_shape)
    return base.RawDataset(name=name, x_train=x_train, y_train=y_train,
                           x_test=x_test, y_test=y_test)
  except Exception as e:  # pylint: disable=broad-except
    # Any failure just means "tfds does not work here": fall through.
    text = (str(e).strip().splitlines() or [''])[0]
    if len(text) > 120:  # tfds's messages run on; the start names the problem
      text = text[:117] + '...'
    print(f'datasets: tfds has no usable {tfds_name or name} ({type(e).__name__}: {text})',
          file=sys.stderr)
    return None
  finally:
    logging.set_verbosity(previous_verbosity)

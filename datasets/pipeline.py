"""Canonical uint8 arrays -> normalized splits and a shuffled tf.data training stream.

Normalizations (applied to float32 pixels):
  'unit'    : x / 255, in [0, 1] (the paper's MNIST inputs).
  'l2'      : each flattened example divided by its L2 norm, as the reference
              code's `keras.utils.normalize` does.
  'channel' : per-channel (last axis) mean/std standardization, with mean and
              std computed on the training split only (CIFAR-10).
"""

import dataclasses

import numpy as np
import tensorflow as tf


@dataclasses.dataclass
class DataSplits:
  """Normalized float32 arrays; labels int32.

  x_*: [N, ...] float32 (flattened [N, 784] for fully-connected nets);
  y_*: [N] int32 class ids. The validation split is empty when
  validation_size is 0 (the reference preset), in which case x_val is None.
  """
  x_train: np.ndarray
  y_train: np.ndarray
  x_val: np.ndarray
  y_val: np.ndarray
  x_test: np.ndarray
  y_test: np.ndarray

  def train_batches(self, batch_size: int, seed: int) -> tf.data.Dataset:
    """Endless stream of (x [batch, ...], y [batch]) batches, reshuffled every epoch.

    The permutation is drawn on indices and the examples gathered from an
    in-memory tensor, so memory stays at one copy of the training set.
    """
    x = tf.constant(self.x_train)
    y = tf.constant(self.y_train)
    n = len(self.y_train)
    indices = tf.data.Dataset.range(n).shuffle(n, seed=seed, reshuffle_each_iteration=True)
    return (indices.repeat().batch(batch_size, drop_remainder=True)
            .map(lambda i: (tf.gather(x, i), tf.gather(y, i)))
            .prefetch(2))


def split_validation(x: np.ndarray, y: np.ndarray, validation_size: int, seed: int):
  """Holds out `validation_size` random examples: returns (x_train, y_train, x_val, y_val)."""
  order = np.random.RandomState(seed).permutation(len(y))
  val, train = order[:validation_size], order[validation_size:]
  return x[train], y[train], x[val], y[val]


def normalize(x_uint8: np.ndarray, method: str, stats_from: np.ndarray = None) -> np.ndarray:
  """Float32 version of `x_uint8` normalized by `method` (see module doc).

  `stats_from` (uint8, training split) supplies the per-channel statistics for 'channel'.
  """
  x = x_uint8.astype(np.float32)
  if method == 'unit':
    return x / 255.0
  if method == 'l2':
    flat = x.reshape(len(x), -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return (flat / np.maximum(norms, 1e-12)).reshape(x.shape)
  if method == 'channel':
    ref = (x if stats_from is None else stats_from.astype(np.float32)) / 255.0
    axes = tuple(range(ref.ndim - 1))
    mean, std = ref.mean(axis=axes), ref.std(axis=axes)
    return ((x / 255.0 - mean) / std).astype(np.float32)
  raise ValueError(f'unknown normalization {method!r}')


def make_splits(x_train, y_train, x_test, y_test, validation_size: int, seed: int,
                normalization: str, flatten: bool) -> DataSplits:
  """Canonical uint8 arrays -> DataSplits with a seeded validation hold-out.

  Args:
    x_train, y_train, x_test, y_test: uint8 arrays (x [N, H, W(, C)], y [N]).
    validation_size: examples held out of the training set (0: none).
    seed: seed of the hold-out permutation.
    normalization: 'unit', 'l2' or 'channel'.
    flatten: reshape x to [N, H*W*C] (fully-connected nets).
  """
  xt, yt, xv, yv = split_validation(x_train, y_train, validation_size, seed)

  def prep(x):
    x = normalize(x, normalization, stats_from=xt)
    return x.reshape(len(x), -1) if flatten else x

  has_val = validation_size > 0
  return DataSplits(
      x_train=prep(xt), y_train=yt.astype(np.int32),
      x_val=prep(xv) if has_val else None, y_val=yv.astype(np.int32) if has_val else None,
      x_test=prep(x_test), y_test=y_test.astype(np.int32))

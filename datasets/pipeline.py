"""Canonical uint8 arrays -> normalized splits and a shuffled tf.data training stream.

Normalizations (applied to float32 pixels):
  'unit'    : x / 255, in [0, 1] (the paper's MNIST inputs).
  'standard': (x / 255 - mean) / std with one mean and std over all pixels of
              the training split (MNIST: about 0.1307 and 0.3081).
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
  # Tensors made once per process and shared by every level's training and
  # evaluation (a copy per level kept each level's graphs' data alive).
  _tensors: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

  def _tensor(self, name: str) -> tf.Tensor:
    if name not in self._tensors:
      self._tensors[name] = tf.constant(getattr(self, name))
    return self._tensors[name]

  def eval_sets(self):
    """[validation, test] as (x, y) tensors; None for a missing validation split."""
    return [None if self.x_val is None else (self._tensor('x_val'), self._tensor('y_val')),
            (self._tensor('x_test'), self._tensor('y_test'))]

  def train_batches(self, batch_size: int, seed: int) -> tf.data.Dataset:
    """Endless stream of (x [batch, ...], y [batch]) batches, reshuffled every epoch.

    The permutation is drawn on indices and the examples gathered from an
    in-memory tensor, so memory stays at one copy of the training set.
    """
    x, y = self.train_arrays()
    return (self.train_indices(batch_size, seed)
            .map(lambda i: (tf.gather(x, i), tf.gather(y, i)))
            .prefetch(2))

  def train_indices(self, batch_size: int, seed: int) -> tf.data.Dataset:
    """The example indices [batch] int64 of `train_batches`'s batches, in the same order."""
    return self._shuffled(seed).repeat().batch(batch_size, drop_remainder=True).prefetch(2)

  def train_order(self, seed: int) -> tf.data.Dataset:
    """Endless [N] int64 permutations, one per epoch: train_indices's order laid end to end.

    The trainer takes whole epochs and cuts them into batches itself (foundations.trainer.
    IndexStream), so tf.data does no per-element work while the steps run.
    """
    # No autotuning and no injected prefetch: tf.data then runs no background threads for this
    # stream, whose epochs are pulled synchronously; with them, a pull took 78-81 ms instead of
    # 43-51 ms, and destroying the iterator waited on those threads for up to half a second.
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.inject_prefetch = False
    return self._shuffled(seed).batch(len(self.y_train)).repeat().with_options(options)

  def _shuffled(self, seed: int) -> tf.data.Dataset:
    n = len(self.y_train)
    return tf.data.Dataset.range(n).shuffle(n, seed=seed, reshuffle_each_iteration=True)

  def train_arrays(self):
    """(x_train, y_train) as tensors made once per process."""
    return self._tensor('x_train'), self._tensor('y_train')


def split_validation(x: np.ndarray, y: np.ndarray, validation_size: int, seed: int):
  """Holds out `validation_size` random examples: returns (x_train, y_train, x_val, y_val)."""
  order = np.random.RandomState(seed).permutation(len(y))
  val, train = order[:validation_size], order[validation_size:]
  return x[train], y[train], x[val], y[val]


def channel_stats(x_uint8: np.ndarray):
  """Per-channel (last axis) mean and std of x_uint8 / 255, as float64 arrays [C].

  Exact: computed from each channel's histogram of the 256 pixel values, in
  one fast pass over the data (no float copy of it).
  """
  flat = x_uint8.reshape(-1, x_uint8.shape[-1])
  values = np.arange(256) / 255.0
  mean, std = [], []
  for c in range(flat.shape[1]):
    p = np.bincount(flat[:, c], minlength=256) / len(flat)
    m = float(p @ values)
    mean.append(m)
    std.append(float(np.sqrt(p @ (values - m) ** 2)))
  return np.array(mean), np.array(std)


def normalize(x_uint8: np.ndarray, method: str, stats_from: np.ndarray = None,
              stats=None) -> np.ndarray:
  """Float32 version of `x_uint8` normalized by `method` (see module doc).

  For 'channel', `stats` is (mean, std) from `channel_stats`; else they are
  computed from `stats_from` (uint8, the training split), else from x_uint8.
  """
  if method == 'channel':
    if x_uint8.dtype != np.uint8:
      raise ValueError(f"'channel' normalization expects uint8 pixels, got {x_uint8.dtype}")
    mean, std = stats if stats is not None else channel_stats(
        x_uint8 if stats_from is None else stats_from)
    # A [C, 256] table of normalized values, indexed by (channel, pixel value):
    # one gather, without float temporaries the size of the data.
    table = (((np.arange(256) / 255.0)[None, :] - mean[:, None]) / std[:, None]).astype(np.float32)
    return table[np.arange(len(mean)), x_uint8]
  if method == 'standard':
    mean, std = stats if stats is not None else channel_stats(
        (x_uint8 if stats_from is None else stats_from).reshape(-1, 1))
    table = ((np.arange(256) / 255.0 - mean[0]) / std[0]).astype(np.float32)
    return table[x_uint8]
  x = x_uint8.astype(np.float32)
  if method == 'unit':
    # In place: the same float32 division as x / 255.0, without a second array to page in.
    x /= np.float32(255.0)
    return x
  if method == 'l2':
    flat = x.reshape(len(x), -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return (flat / np.maximum(norms, 1e-12)).reshape(x.shape)
  raise ValueError(f'unknown normalization {method!r}')


def make_splits(x_train, y_train, x_test, y_test, validation_size: int, seed: int,
                normalization: str, flatten: bool) -> DataSplits:
  """Canonical uint8 arrays -> DataSplits with a seeded validation hold-out.

  Args:
    x_train, y_train, x_test, y_test: uint8 arrays (x [N, H, W(, C)], y [N]).
    validation_size: examples held out of the training set (0: none).
    seed: seed of the hold-out permutation.
    normalization: 'unit', 'standard', 'l2' or 'channel'.
    flatten: reshape x to [N, H*W*C] (fully-connected nets).
  """
  xt, yt, xv, yv = split_validation(x_train, y_train, validation_size, seed)
  stats = None  # from the training split only
  if normalization == 'channel':
    stats = channel_stats(xt)
  elif normalization == 'standard':
    stats = channel_stats(xt.reshape(-1, 1))

  def prep(x):
    x = normalize(x, normalization, stats=stats)
    return x.reshape(len(x), -1) if flatten else x

  has_val = validation_size > 0
  return DataSplits(
      x_train=prep(xt), y_train=yt.astype(np.int32),
      x_val=prep(xv) if has_val else None, y_val=yv.astype(np.int32) if has_val else None,
      x_test=prep(x_test), y_test=y_test.astype(np.int32))

"""Test helper: a tiny fake dataset, registered for the length of a test.

Lets base/cache/registry tests run in milliseconds without the real data.
"""

import contextlib

import numpy as np

from datasets import base

TINY = 'tiny_for_tests'


def tiny_raw(seed: int = 0) -> base.RawDataset:
  """A RawDataset named TINY: x (4, 2, 2) uint8, y (4,) uint8 in 0..9."""
  rng = np.random.default_rng(seed)
  return base.RawDataset(
      name=TINY,
      x_train=rng.integers(0, 256, (4, 2, 2), dtype=np.uint8),
      y_train=rng.integers(0, 10, (4,), dtype=np.uint8),
      x_test=rng.integers(0, 256, (3, 2, 2), dtype=np.uint8),
      y_test=rng.integers(0, 10, (3,), dtype=np.uint8),
  )


@contextlib.contextmanager
def tiny_registered(raw: base.RawDataset, fetch=None, checksums: bool = True):
  """Within the block, TINY is a registered dataset whose arrays are exactly `raw`'s.

  fetch: its source (default: returns `raw`), labelled 'fake mirror'; tfds name TINY.
  checksums: False registers it without sha256 (never cached, like generated data).
  """
  arrays = raw.arrays()
  base.register(base.Dataset(
      name=TINY, shapes={k: v.shape for k, v in arrays.items()}, num_classes=10,
      sha256={k: base.sha256_of(v) for k, v in arrays.items()} if checksums else None,
      fetch=fetch or (lambda: raw), source='fake mirror', tfds=TINY))
  try:
    yield
  finally:
    base.unregister(TINY)


def stripes(train: int, test: int, seed: int = 0) -> dict:
  """A generated 10-class dataset of 28x28 grayscale images: the four uint8 arrays.

  Class k is a bright horizontal bar over rows 2k+4 and 2k+5 (brightness 150..255) on
  background noise 0..99, so a small network learns it in a few hundred steps.
  """
  rng = np.random.RandomState(seed)
  n = train + test
  y = rng.randint(0, 10, n).astype(np.uint8)
  x = rng.randint(0, 100, (n, 28, 28)).astype(np.uint8)
  bars = rng.randint(150, 256, (n, 2, 28)).astype(np.uint8)
  rows = 2 * y[:, None].astype(int) + 4 + np.arange(2)  # (n, 2)
  x[np.arange(n)[:, None], rows] = bars
  return {'x_train': x[:train], 'y_train': y[:train], 'x_test': x[train:], 'y_test': y[train:]}

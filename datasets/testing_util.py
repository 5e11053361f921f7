"""Test helper: a tiny fake dataset registered in the checksum tables.

Lets base/cache/registry tests run in milliseconds without the real data.
"""

import contextlib
from unittest import mock

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
def tiny_registered(raw: base.RawDataset):
  """Within the block, `base.verify` accepts exactly `raw`'s arrays as TINY."""
  arrays = raw.arrays()
  with mock.patch.dict(base.SHA256, {TINY: {k: base.sha256_of(v) for k, v in arrays.items()}}), \
       mock.patch.dict(base.SHAPES, {TINY: {k: v.shape for k, v in arrays.items()}}):
    yield

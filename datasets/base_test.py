"""Tests for datasets.base: verify() and default_data_dir()."""

import os
from unittest import mock

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import testing_util


class VerifyTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.raw = testing_util.tiny_raw()
    self.enter_context(testing_util.tiny_registered(self.raw))

  def _with(self, key, array):
    arrays = self.raw.arrays()
    arrays[key] = array
    return base.RawDataset(name=self.raw.name, **arrays)

  def test_accepts_exact_arrays(self):
    base.verify(self.raw, source='somewhere')

  def test_detects_one_flipped_byte_in_each_array(self):
    for key in base.ARRAY_NAMES:
      flipped = getattr(self.raw, key).copy()
      flipped.reshape(-1)[1] ^= 1  # flip one bit of one byte
      with self.assertRaises(base.DatasetError) as ctx:
        base.verify(self._with(key, flipped), source='/some/file.npz')
      message = str(ctx.exception)
      self.assertIn('/some/file.npz', message)
      self.assertIn(key, message)
      self.assertIn('sha256', message)
      self.assertNotIn('\n', message)

  def test_detects_wrong_dtype(self):
    with self.assertRaisesRegex(base.DatasetError, r'^src: .*y_test.*int64'):
      base.verify(self._with('y_test', self.raw.y_test.astype(np.int64)), source='src')

  def test_detects_wrong_shape(self):
    with self.assertRaisesRegex(base.DatasetError, r'^src: .*x_train.*shape'):
      base.verify(self._with('x_train', self.raw.x_train.reshape(4, 4)), source='src')

  def test_unknown_name(self):
    raw = base.RawDataset('nope', *[getattr(self.raw, k) for k in base.ARRAY_NAMES])
    with self.assertRaisesRegex(base.DatasetError, r"^src: unknown dataset 'nope'"):
      base.verify(raw, source='src')

  def test_hash_ignores_memory_layout(self):
    # The table is defined on C-order bytes; a Fortran-ordered copy hashes the same.
    x = self.raw.x_train
    self.assertEqual(base.sha256_of(x), base.sha256_of(np.asfortranarray(x)))

  def test_tables_cover_all_arrays(self):
    for name in ('mnist', 'cifar10'):
      self.assertEqual(set(base.SHA256[name]), set(base.ARRAY_NAMES))
      self.assertEqual(set(base.SHAPES[name]), set(base.ARRAY_NAMES))
      for digest in base.SHA256[name].values():
        self.assertRegex(digest, r'^[0-9a-f]{64}$')


class DefaultDataDirTest(absltest.TestCase):

  def test_env_var_wins(self):
    with mock.patch.dict(os.environ, {'LTH_DATA_DIR': '/x/y'}):
      self.assertEqual(base.default_data_dir(), '/x/y')

  def test_default_under_home(self):
    env = {k: v for k, v in os.environ.items() if k != 'LTH_DATA_DIR'}
    with mock.patch.dict(os.environ, env, clear=True):
      self.assertEqual(base.default_data_dir(),
                       os.path.expanduser('~/.cache/lottery_ticket/data'))


if __name__ == '__main__':
  absltest.main()

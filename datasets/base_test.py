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



class VerifyWithoutChecksumsTest(absltest.TestCase):

  def test_dtypes_shapes_and_labels_are_checked(self):
    raw = testing_util.tiny_raw()
    with testing_util.tiny_registered(raw, checksums=False):
      other = base.RawDataset(raw.name, raw.x_train, (raw.y_train + 1) % 10, raw.x_test,
                              raw.y_test)
      base.verify(other, source='src')  # other bytes pass: there are no checksums
      with self.assertRaisesWithLiteralMatch(
          base.DatasetError, f'src: {testing_util.TINY} y_test holds label 10, expected 0..9'):
        base.verify(base.RawDataset(raw.name, raw.x_train, raw.y_train, raw.x_test,
                                    np.full(3, 10, np.uint8)), source='src')
      with self.assertRaisesRegex(base.DatasetError, r'^src: .*x_test has shape \(3, 4\)'):
        base.verify(base.RawDataset(raw.name, raw.x_train, raw.y_train,
                                    raw.x_test.reshape(3, 4), raw.y_test), source='src')
    self.assertNotIn(testing_util.TINY, base.names())


def _entry(**changes):
  fields = dict(name='digits', shapes=base.image_shapes(50, 20, (8, 8)), num_classes=10,
                fetch=lambda: None, source='generated digits')
  fields.update(changes)
  return base.Dataset(**fields)


class DatasetEntryTest(absltest.TestCase):

  def test_shapes_input_shape_and_text(self):
    entry = _entry()
    self.assertEqual(entry.shapes, {'x_train': (50, 8, 8), 'y_train': (50,),
                                    'x_test': (20, 8, 8), 'y_test': (20,)})
    self.assertEqual((entry.input_shape, entry.cached, entry.normalization, entry.tfds),
                     ((8, 8, 1), False, 'unit', None))
    self.assertEqual(_entry(shapes=base.image_shapes(5, 2, (4, 6, 3))).input_shape, (4, 6, 3))
    self.assertEqual(base.shape_text((32, 32, 3)), '32x32x3')

  def test_inconsistent_entries_are_one_line_errors(self):
    digest = 'a' * 64
    cases = {
        'dataset name \'Digits\': use lower-case letters, digits and _': dict(name='Digits'),
        'dataset digits: shapes must give exactly x_train, y_train, x_test, y_test':
            dict(shapes={'x_train': (5, 8, 8)}),
        'dataset digits: x_train is (50, 64); expected (N, H, W) or (N, H, W, C)':
            dict(shapes=base.image_shapes(50, 20, (64,))),
        'dataset digits: x_test (20, 8, 9) and y_test (20,) do not match x_train (50, 8, 8) '
        '(same images, one label per image)':
            dict(shapes=dict(base.image_shapes(50, 20, (8, 8)), x_test=(20, 8, 9))),
        'dataset digits: x_train (50, 8, 8) and y_train (49,) do not match x_train (50, 8, 8) '
        '(same images, one label per image)':
            dict(shapes=dict(base.image_shapes(50, 20, (8, 8)), y_train=(49,))),
        'dataset digits: num_classes=1; expected 2..256 (uint8 labels)': dict(num_classes=1),
        'dataset digits: sha256 must map each of x_train, y_train, x_test, y_test to 64 '
        'lower-case hex digits': dict(sha256={'x_train': digest}),
        "dataset digits: normalization 'minmax'; expected one of unit, standard, l2, channel":
            dict(normalization='minmax'),
        'dataset digits: fetch must be a function returning the arrays': dict(fetch='digits.npz'),
    }
    for message, changes in cases.items():
      with self.assertRaisesWithLiteralMatch(base.DatasetError, message):
        _entry(**changes)
    sha256 = {k: digest for k in base.ARRAY_NAMES}
    self.assertTrue(_entry(sha256=sha256).cached)


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

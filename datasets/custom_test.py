"""A dataset whose arrays come from a function (generated or user data), registered by the
same public call as the built-in datasets, `base.register(base.Dataset(...))`, and verified alike."""

import os
import tempfile
from unittest import mock

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import registry
from datasets import testing_util

NAME = 'stripes_for_tests'
SHAPES = base.image_shapes(300, 100, (28, 28))


def _must_not_be_called(*args, **kwargs):
  raise AssertionError(f'source must not be tried (args {args} {kwargs})')


class FunctionDatasetTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.data_dir = self.enter_context(tempfile.TemporaryDirectory())
    self.arrays = testing_util.stripes(300, 100)
    self.make = mock.Mock(side_effect=lambda: dict(self.arrays))
    # No tfds name: tfds is never asked.
    self.enter_context(mock.patch.object(registry.tfds_source, 'try_tfds', _must_not_be_called))

  def _register(self, **changes):
    fields = dict(name=NAME, shapes=SHAPES, num_classes=10, fetch=self.make,
                  source='generated stripes')
    fields.update(changes)
    entry = base.register(base.Dataset(**fields))
    self.addCleanup(base.unregister, NAME)
    return entry

  def test_without_checksums_each_load_calls_the_function_and_caches_nothing(self):
    self._register()
    for _ in range(2):
      raw, source = registry.load_raw_with_source(NAME, self.data_dir)
      self.assertEqual(source, 'generated stripes (no checksums: not cached)')
      for key in base.ARRAY_NAMES:
        np.testing.assert_array_equal(getattr(raw, key), self.arrays[key])
    self.assertEqual(self.make.call_count, 2)
    self.assertEqual(os.listdir(self.data_dir), [])
    self.assertEqual(registry.get(NAME).input_shape, (28, 28, 1))

  def test_with_checksums_it_is_verified_cached_and_read_back(self):
    self._register(sha256={k: base.sha256_of(v) for k, v in self.arrays.items()})
    _, source = registry.load_raw_with_source(NAME, self.data_dir)
    self.assertEqual(source, 'mirror generated stripes')
    raw, source = registry.load_raw_with_source(NAME, self.data_dir)
    self.assertEqual(source, f'cache {os.path.join(self.data_dir, NAME + ".npz")}')
    self.assertEqual(self.make.call_count, 1)
    np.testing.assert_array_equal(raw.x_test, self.arrays['x_test'])

  def test_wrong_checksum_is_an_error_and_caches_nothing(self):
    sha256 = {k: base.sha256_of(v) for k, v in self.arrays.items()}
    sha256['y_train'] = '0' * 64
    self._register(sha256=sha256)
    with self.assertRaisesRegex(base.DatasetError, r'^generated stripes: stripes_for_tests '
                                r'y_train sha256 [0-9a-f]{16}\.\.\. does not match the canonical '
                                r'0000000000000000\.\.\.$'):
      registry.load_raw(NAME, self.data_dir)
    self.assertEqual(os.listdir(self.data_dir), [])

  def test_wrong_shapes_dtypes_labels_and_returns_are_one_line_errors(self):
    self._register()
    cases = {
        'generated stripes: stripes_for_tests x_train has shape (300, 784), expected '
        '(300, 28, 28)': dict(self.arrays, x_train=self.arrays['x_train'].reshape(300, -1)),
        'generated stripes: stripes_for_tests x_test has dtype float32, expected uint8':
            dict(self.arrays, x_test=self.arrays['x_test'].astype(np.float32)),
        'generated stripes: stripes_for_tests y_train holds label 12, expected 0..9':
            dict(self.arrays, y_train=np.full(300, 12, np.uint8)),
        "generated stripes: fetch returned list, expected a RawDataset named "
        "'stripes_for_tests' or a dict of x_train, y_train, x_test, y_test":
            [self.arrays['x_train']],
        "generated stripes: fetch returned mnist, expected a RawDataset named "
        "'stripes_for_tests' or a dict of x_train, y_train, x_test, y_test":
            base.RawDataset('mnist', **self.arrays),
    }
    for message, returned in cases.items():
      self.make.side_effect = lambda returned=returned: returned
      with self.assertRaisesWithLiteralMatch(base.DatasetError, message):
        registry.load_raw(NAME, self.data_dir)
    self.assertEqual(os.listdir(self.data_dir), [])

  def test_a_raw_dataset_may_be_returned_and_the_name_is_freed_after(self):
    self.make.side_effect = lambda: base.RawDataset(NAME, **self.arrays)
    self._register()
    self.assertEqual(registry.load_raw(NAME, self.data_dir).y_test.tolist(),
                     self.arrays['y_test'].tolist())
    self.doCleanups()
    self.assertNotIn(NAME, registry.names())


if __name__ == '__main__':
  absltest.main()

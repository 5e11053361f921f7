"""Tests for datasets.tfds_source: fails fast without data, converts mock data."""

import os
import tempfile
import time

from absl.testing import absltest
import numpy as np

from datasets import tfds_source


class TryTfdsTest(absltest.TestCase):

  def test_returns_none_fast_when_nothing_is_prepared(self):
    empty = self.enter_context(tempfile.TemporaryDirectory())
    for name in ('mnist', 'cifar10'):
      start = time.time()
      self.assertIsNone(tfds_source.try_tfds(name, empty))
      # A download attempt would hang ~205 s here; failing fast means none was made.
      self.assertLess(time.time() - start, 20.0)
    self.assertEqual(os.listdir(empty), [])  # nothing downloaded or prepared

  def test_unknown_dataset_is_none(self):
    self.assertIsNone(tfds_source.try_tfds('no_such_dataset_xyz'))

  def test_converts_mock_data_to_canonical_layout(self):
    import tensorflow_datasets as tfds  # pylint: disable=g-import-not-at-top
    with tfds.testing.mock_data(num_examples=6):
      mnist = tfds_source.try_tfds('mnist', image_shape=(28, 28))
      cifar = tfds_source.try_tfds('cifar10', image_shape=(32, 32, 3))
      renamed = tfds_source.try_tfds('digits', tfds_name='mnist', image_shape=(28, 28, 1))
    # A canonical (H, W, 1) keeps tfds's channel; the registry's name is the RawDataset's.
    self.assertEqual((renamed.name, renamed.x_train.shape), ('digits', (6, 28, 28, 1)))
    for raw, image_shape in ((mnist, (28, 28)), (cifar, (32, 32, 3))):
      self.assertIsNotNone(raw)
      for x, y in ((raw.x_train, raw.y_train), (raw.x_test, raw.y_test)):
        self.assertEqual(x.dtype, np.uint8)
        self.assertEqual(y.dtype, np.uint8)
        self.assertEqual(x.shape, (6,) + image_shape)
        self.assertEqual(y.shape, (6,))
        self.assertLess(int(y.max()), 10)

  def test_cifar_ids_restore_canonical_order(self):
    # Record i of the canonical order has image value i and label i.
    order = np.array([2, 0, 1])
    batch = {'id': np.array([b'train_%05d' % i for i in order]),
             'image': np.broadcast_to(order.astype(np.uint8)[:, None, None, None],
                                      (3, 32, 32, 3)),
             'label': order}
    x, y = tfds_source._split_arrays('cifar10', [batch])  # pylint: disable=protected-access
    np.testing.assert_array_equal(y, [0, 1, 2])
    np.testing.assert_array_equal(x[:, 0, 0, 0], [0, 1, 2])


if __name__ == '__main__':
  absltest.main()

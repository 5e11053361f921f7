"""Tests for datasets.fashion_mnist: the real files of the Debian package, and the IDX reader.

The real-data tests read the cache in $LTH_DATA_DIR (filled by
`python -m datasets.prepare --dataset=all`) and the installed package's files.
"""

import gzip
import os
import tempfile

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import fashion_mnist
from datasets import registry


class RealFashionMnistTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.raw = registry.load_raw('fashion_mnist', base.default_data_dir())

  def test_checksums_shapes_and_classes(self):
    entry = registry.get('fashion_mnist')
    for key, expected in entry.sha256.items():
      array = getattr(self.raw, key)
      self.assertEqual((array.dtype, array.shape), (np.uint8, entry.shapes[key]), key)
      self.assertEqual(base.sha256_of(array), expected, key)
    # 6,000 training and 1,000 test images per class; the first labels of the upstream files.
    self.assertEqual(np.bincount(self.raw.y_train).tolist(), [6000] * 10)
    self.assertEqual(np.bincount(self.raw.y_test).tolist(), [1000] * 10)
    self.assertEqual(self.raw.y_train[:5].tolist(), [9, 0, 0, 3, 0])
    self.assertEqual(self.raw.y_test[:5].tolist(), [9, 2, 1, 1, 6])

  def test_debian_package_gives_the_same_arrays(self):
    if not os.path.isdir(fashion_mnist.DIRECTORY):
      self.skipTest(f'{fashion_mnist.PACKAGE} is not installed')
    fetched = fashion_mnist.read_directory()
    for key in base.ARRAY_NAMES:
      np.testing.assert_array_equal(getattr(fetched, key), getattr(self.raw, key))


def _idx_images(count: int) -> bytes:
  header = np.array([0x803, count, 28, 28], dtype='>u4').tobytes()
  return header + bytes(count * 28 * 28)


class IdxTest(absltest.TestCase):

  def test_parses_images_and_labels(self):
    images = fashion_mnist.parse_idx(_idx_images(2), True, 'x')
    self.assertEqual((images.shape, images.dtype), ((2, 28, 28), np.uint8))
    labels = np.array([0x801, 3], dtype='>u4').tobytes() + bytes([7, 0, 9])
    self.assertEqual(fashion_mnist.parse_idx(labels, False, 'y').tolist(), [7, 0, 9])

  def test_wrong_magic_and_truncated_body(self):
    with self.assertRaisesRegex(ValueError, r'^x: IDX magic 0x00000803, expected 0x00000801$'):
      fashion_mnist.parse_idx(_idx_images(1), False, 'x')
    with self.assertRaisesRegex(ValueError, r'^x: 783 data bytes, the header says \(1, 28, 28\)$'):
      fashion_mnist.parse_idx(_idx_images(1)[:-1], True, 'x')

  def test_missing_package_and_wrong_arrays_are_one_line_errors(self):
    with tempfile.TemporaryDirectory() as d:
      with self.assertRaisesRegex(base.DatasetError, r'train-images-idx3-ubyte\.gz: not found; '
                                  r'install the Debian package dataset-fashion-mnist'):
        fashion_mnist.read_directory(d)
      for key, name in fashion_mnist.FILES.items():  # well-formed files with zero pixels
        count = 60000 if 'train' in key else 10000
        data = _idx_images(count) if key.startswith('x') else (
            np.array([0x801, count], dtype='>u4').tobytes() + bytes(count))
        with gzip.open(os.path.join(d, name), 'wb') as f:
          f.write(data)
      with self.assertRaisesRegex(base.DatasetError, r'fashion_mnist x_train sha256 .* does not '
                                  r'match the canonical 2e487a6c89124f78'):
        fashion_mnist.read_directory(d)


if __name__ == '__main__':
  absltest.main()

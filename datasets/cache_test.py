"""Tests for datasets.cache: round trip, and corrupt caches are refused, not touched."""

import io
import os
import tempfile

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import cache
from datasets import testing_util


class CacheTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.raw = testing_util.tiny_raw()
    self.enter_context(testing_util.tiny_registered(self.raw))
    # tempfile, not self.create_tempdir(): that needs absl flags parsed (pytest).
    self.data_dir = self.enter_context(tempfile.TemporaryDirectory())
    self.path = cache.cache_path(self.raw.name, self.data_dir)

  def _write(self, content: bytes):
    with open(self.path, 'wb') as f:
      f.write(content)

  def _assert_refused_and_untouched(self):
    with open(self.path, 'rb') as f:
      before = f.read()
    mtime = os.stat(self.path).st_mtime_ns
    with self.assertRaises(base.DatasetError) as ctx:
      cache.load_cache(self.raw.name, self.data_dir)
    message = str(ctx.exception)
    self.assertIn(self.path, message)
    self.assertNotIn('\n', message)
    with open(self.path, 'rb') as f:
      self.assertEqual(f.read(), before)
    self.assertEqual(os.stat(self.path).st_mtime_ns, mtime)
    return message

  def _saved_bytes(self, arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()

  def test_missing_cache_is_none(self):
    self.assertIsNone(cache.load_cache(self.raw.name, self.data_dir))

  def test_round_trip(self):
    self.assertEqual(cache.save_cache(self.raw, self.data_dir), self.path)
    loaded = cache.load_cache(self.raw.name, self.data_dir)
    for key in base.ARRAY_NAMES:
      np.testing.assert_array_equal(getattr(loaded, key), getattr(self.raw, key))
      self.assertEqual(getattr(loaded, key).dtype, np.uint8)
    # Atomic save leaves no temporary files behind.
    self.assertEqual(os.listdir(self.data_dir), [os.path.basename(self.path)])

  def test_save_refuses_unverified_arrays(self):
    bad = base.RawDataset(self.raw.name, self.raw.x_train, self.raw.y_train,
                          self.raw.x_test, (self.raw.y_test + 1) % 10)
    with self.assertRaises(base.DatasetError):
      cache.save_cache(bad, self.data_dir)
    self.assertFalse(os.path.exists(self.path))

  def test_flipped_byte_in_array_data(self):
    content = bytearray(self._saved_bytes(self.raw.arrays()))
    # Flip a byte of the y_test payload (the last array written, whose data ends
    # right before the zip's central directory).
    marker = self.raw.y_test.tobytes()
    offset = bytes(content).rindex(marker)
    content[offset] ^= 0xFF
    self._write(bytes(content))
    self._assert_refused_and_untouched()

  def test_checksum_mismatch_with_valid_zip(self):
    arrays = self.raw.arrays()
    arrays['y_test'] = (arrays['y_test'] + 1) % 10
    self._write(self._saved_bytes(arrays))
    message = self._assert_refused_and_untouched()
    self.assertIn('y_test', message)

  def test_truncated_file(self):
    content = self._saved_bytes(self.raw.arrays())
    self._write(content[:len(content) // 2])
    self._assert_refused_and_untouched()

  def test_garbage_file(self):
    self._write(b'this is not an npz file\n' * 10)
    self._assert_refused_and_untouched()

  def test_empty_file(self):
    self._write(b'')
    self._assert_refused_and_untouched()

  def test_wrong_keys(self):
    arrays = self.raw.arrays()
    del arrays['y_test']
    self._write(self._saved_bytes(arrays))
    self.assertIn('y_test', self._assert_refused_and_untouched())

  def test_pickled_object_array_is_refused(self):
    arrays = self.raw.arrays()
    arrays['y_test'] = np.array([{'not': 'data'}], dtype=object)
    self._write(self._saved_bytes(arrays))
    self._assert_refused_and_untouched()


if __name__ == '__main__':
  absltest.main()

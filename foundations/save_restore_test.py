"""npz save/restore: round trip, atomic writes, and one-line errors naming the file."""

import os
from unittest import mock

import numpy as np
from absl.testing import absltest

from foundations import save_restore


class SaveRestoreTest(absltest.TestCase):

  def test_round_trip_keyed_by_layer_name(self):
    path = os.path.join(self.create_tempdir().full_path, 'sub', 'masks.npz')
    arrays = {'layer0': np.arange(6, dtype=np.float32).reshape(2, 3), 'layer1': np.ones(4)}
    save_restore.save_npz(path, arrays)
    loaded = save_restore.load_npz(path, {'layer0': (2, 3), 'layer1': (4,)})
    self.assertEqual(sorted(loaded), ['layer0', 'layer1'])
    np.testing.assert_array_equal(loaded['layer0'], arrays['layer0'])
    self.assertEqual([f for f in os.listdir(os.path.dirname(path)) if f.startswith('.tmp')], [])

  def test_failed_write_keeps_old_file_and_leaves_no_temp(self):
    directory = self.create_tempdir().full_path
    path = os.path.join(directory, 'final.npz')
    save_restore.save_npz(path, {'a': np.zeros(3)})
    before = open(path, 'rb').read()

    def crash_midway(f, unused_arrays):
      f.write(b'partial')
      raise KeyboardInterrupt()  # as if the process were interrupted mid-write

    with mock.patch.object(save_restore, '_write_npz', crash_midway):
      with self.assertRaises(KeyboardInterrupt):
        save_restore.save_npz(path, {'a': np.ones(3)})
    self.assertEqual(open(path, 'rb').read(), before)
    self.assertEqual(os.listdir(directory), ['final.npz'])

  def test_same_arrays_same_bytes_readable_by_numpy(self):
    directory = self.create_tempdir().full_path
    arrays = {'layer0': np.arange(6, dtype=np.float32).reshape(2, 3), 'layer1': np.ones(4)}
    first, second = os.path.join(directory, 'a.npz'), os.path.join(directory, 'b.npz')
    save_restore.save_npz(first, arrays)
    with mock.patch('time.time', return_value=1e9):  # another moment (2001) changes nothing
      save_restore.save_npz(second, arrays)
    self.assertEqual(open(first, 'rb').read(), open(second, 'rb').read())
    with np.load(first, allow_pickle=False) as data:
      self.assertEqual(data.files, ['layer0', 'layer1'])
      np.testing.assert_array_equal(data['layer0'], arrays['layer0'])
    save_restore.save_npz(second, {**arrays, 'layer1': np.zeros(4)})
    self.assertNotEqual(open(first, 'rb').read(), open(second, 'rb').read())

  def test_errors_are_one_line_and_name_the_file(self):
    directory = self.create_tempdir().full_path
    garbage = os.path.join(directory, 'initial.npz')
    with open(garbage, 'wb') as f:
      f.write(b'PK\x03\x04 truncated zip')
    good = os.path.join(directory, 'masks.npz')
    save_restore.save_npz(good, {'layer0': np.ones((2, 2))})
    cases = [
        (os.path.join(directory, 'missing.npz'), None, 'missing.npz: file does not exist'),
        (garbage, None, 'initial.npz: unreadable npz'),
        (good, {'layer0': (2, 2), 'layer1': (3,)}, r"masks.npz: holds keys \['layer0'\]"),
        (good, {'layer0': (3, 2)}, "masks.npz: array 'layer0' has shape"),
    ]
    for path, expected, message in cases:
      with self.assertRaisesRegex(save_restore.NpzError, message) as ctx:
        save_restore.load_npz(path, expected)
      self.assertNotIn('\n', str(ctx.exception))

  def test_refuses_pickled_objects(self):
    path = os.path.join(self.create_tempdir().full_path, 'evil.npz')
    np.savez(path, a=np.array([{'x': 1}], dtype=object))
    with self.assertRaisesRegex(save_restore.NpzError, 'evil.npz: unreadable npz'):
      save_restore.load_npz(path)


if __name__ == '__main__':
  absltest.main()

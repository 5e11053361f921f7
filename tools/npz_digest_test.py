"""npz content digests: equal for equal arrays whatever the container, different otherwise."""

import os

import numpy as np
from absl.testing import absltest

from tools import npz_digest


class DigestTest(absltest.TestCase):

  def test_content_not_container(self):
    root = self.create_tempdir().full_path
    arrays = {'layer0': np.arange(6, dtype=np.float32).reshape(2, 3), 'layer1': np.ones(2)}
    os.makedirs(os.path.join(root, 'a', 'b'))
    np.savez(os.path.join(root, 'a', 'b', 'x.npz'), **arrays)
    np.savez_compressed(os.path.join(root, 'a', 'y.npz'), **arrays)  # another container
    np.savez(os.path.join(root, 'z.npz'), **dict(arrays, layer1=np.zeros(2)))
    lines = npz_digest.digests(root)
    self.assertEqual([line.split()[1] for line in lines], ['a/b/x.npz', 'a/y.npz', 'z.npz'])
    x, y, z = (line.split()[0] for line in lines)
    self.assertEqual(x, y)
    self.assertNotEqual(x, z)


if __name__ == '__main__':
  absltest.main()

"""Content digests of every npz under a directory, to compare two runs array by array.

  python -m tools.npz_digest DIR

Prints `<sha256 prefix> <path relative to DIR>`, sorted by path. The digest covers each array's
name, dtype, shape and bytes (not the zip container, whose timestamps older files carry), so
runs written at different times or by different code versions compare equal when their arrays do.
"""

import glob
import hashlib
import os
import sys

import numpy as np


def digest(path: str) -> str:
  h = hashlib.sha256()
  with np.load(path, allow_pickle=False) as data:
    for name in sorted(data.files):
      array = data[name]
      h.update(f'{name}|{array.dtype.str}|{array.shape}|'.encode())
      h.update(np.ascontiguousarray(array).tobytes())
  return h.hexdigest()[:16]


def digests(root: str) -> list:
  paths = sorted(glob.glob(os.path.join(root, '**', '*.npz'), recursive=True))
  return [f'{digest(p)} {os.path.relpath(p, root)}' for p in paths]


if __name__ == '__main__':
  if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
    print('usage: python -m tools.npz_digest DIR', file=sys.stderr)
    sys.exit(1)
  print('\n'.join(digests(sys.argv[1])))

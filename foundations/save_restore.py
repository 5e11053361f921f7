"""Atomic npz save/restore of dicts of arrays, keyed by layer name.

Every file is written to a temporary file in the same directory and then
renamed into place, so a killed process never leaves a half-written file
under the final name.
"""

import json
import os
import tempfile
import zipfile
from typing import Dict, Mapping

import numpy as np


class NpzError(ValueError):
  """An npz file is missing, unreadable, or does not hold what was expected."""


class JsonError(ValueError):
  """A JSON file is unreadable or does not hold what was expected; the message is one line."""


def _atomic_write(path: str, write_fn, suffix: str) -> None:
  directory = os.path.dirname(os.path.abspath(path))
  os.makedirs(directory, exist_ok=True)
  fd, tmp_path = tempfile.mkstemp(dir=directory, prefix='.tmp-', suffix=suffix)
  try:
    with os.fdopen(fd, 'wb') as f:
      write_fn(f)
      f.flush()
      os.fsync(f.fileno())
    # mkstemp creates 0600 files; give results the usual umask-based mode.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)
    os.replace(tmp_path, path)
  except BaseException:
    if os.path.exists(tmp_path):
      os.remove(tmp_path)
    raise


# np.savez stamps each member with the current time; a fixed stamp makes the
# same arrays give the same bytes, so runs can be compared file by file.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _write_npz(f, arrays: Mapping[str, np.ndarray]) -> None:
  with zipfile.ZipFile(f, 'w', zipfile.ZIP_STORED, allowZip64=True) as archive:
    for name, array in arrays.items():
      info = zipfile.ZipInfo(name + '.npy', date_time=_ZIP_TIME)
      with archive.open(info, 'w', force_zip64=True) as member:
        np.lib.format.write_array(member, array, allow_pickle=False)


def save_npz(path: str, arrays: Mapping[str, np.ndarray]) -> None:
  """Writes `arrays` (name -> ndarray) to `path` atomically (uncompressed npz, as np.savez).

  The bytes depend only on the arrays (names, dtypes, shapes, values, order).
  """
  arrays = {k: np.asarray(v) for k, v in arrays.items()}
  _atomic_write(path, lambda f: _write_npz(f, arrays), '.npz')


def save_text(path: str, text: str) -> None:
  """Writes `text` to `path` atomically."""
  _atomic_write(path, lambda f: f.write(text.encode('utf-8')), '.txt')


def save_bytes(path: str, data: bytes) -> None:
  """Writes `data` to `path` atomically."""
  _atomic_write(path, lambda f: f.write(data), '.bin')


def save_json(path: str, obj) -> None:
  """Writes `obj` as indented JSON to `path` atomically."""
  save_text(path, json.dumps(obj, indent=2, sort_keys=True) + '\n')


def load_json(path: str, remedy: str, required=()) -> dict:
  """The JSON object in `path`; JsonError (one line: the file, what is wrong, then `remedy`,
  what the user should do) when it is not valid JSON, not an object, or lacks a `required` key."""
  try:
    with open(path, 'rb') as f:
      obj = json.loads(f.read().decode('utf-8'))
  except (ValueError, UnicodeDecodeError) as e:  # json.JSONDecodeError is a ValueError
    raise JsonError(f'{path}: not valid JSON ({str(e).splitlines()[0]}); {remedy}') from None
  if not isinstance(obj, dict):
    raise JsonError(f'{path}: holds a JSON {type(obj).__name__}, expected an object; {remedy}')
  missing = [k for k in required if k not in obj]
  if missing:
    raise JsonError(f'{path}: lacks {", ".join(missing)}; {remedy}')
  return obj


def load_npz(path: str, expected: Mapping[str, tuple] = None) -> Dict[str, np.ndarray]:
  """Loads an npz written by `save_npz` into a dict name -> ndarray.

  Args:
    path: the npz file.
    expected: optional name -> shape; the file must hold exactly these keys
      with these shapes.

  Raises:
    NpzError: with a one-line message naming `path` when the file is missing,
      unreadable (corrupt, pickled objects) or does not match `expected`.
  """
  if not os.path.exists(path):
    raise NpzError(f'{path}: file does not exist')
  try:
    with np.load(path, allow_pickle=False) as data:
      arrays = {k: data[k] for k in data.files}
  except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as e:
    # numpy's advice for object arrays (load them unsafely) is not ours to give: such a file
    # was not written by save_npz.
    first_line = ('not an npz of plain arrays' if 'pickle' in str(e) else
                  str(e).splitlines()[0] if str(e) else type(e).__name__)
    raise NpzError(f'{path}: unreadable npz ({first_line})') from e
  if expected is not None:
    check_shapes(path, arrays, expected)
  return arrays


def check_shapes(path: str, arrays: Mapping[str, np.ndarray], expected: Mapping[str, tuple],
                 error=NpzError, item: str = 'array', items: str = 'keys') -> None:
  """`error` (one line naming `path`) unless `arrays` holds exactly `expected`'s names and shapes;
  `item`/`items` name what the arrays are in the message ('layer'/'layers' for kernel files)."""
  if set(arrays) != set(expected):
    raise error(f'{path}: holds {items} {sorted(arrays)}, expected {sorted(expected)}')
  for name, shape in expected.items():
    if tuple(arrays[name].shape) != tuple(shape):
      raise error(f'{path}: {item} {name!r} has shape {tuple(arrays[name].shape)}, '
                  f'expected {tuple(shape)}')

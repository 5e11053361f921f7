"""The verified npz cache: `<data_dir>/<name>.npz`.

The file holds four uint8 arrays named x_train, y_train, x_test, y_test, laid
out as described in `datasets.base`. It is only ever written after the arrays
verified against the canonical sha256 table, and it is verified again on every
load. A cache that is unreadable or does not verify raises `DatasetError` and is
left in place: silently deleting or re-fetching would hide disk corruption or a
tampered file, so a person must look at it (and delete it) instead.
"""

import os
from typing import Optional

import numpy as np

from datasets import base
from foundations.save_restore import save_npz


def cache_path(name: str, data_dir: str) -> str:
  """Where the cache of dataset `name` lives."""
  return os.path.join(data_dir, f'{name}.npz')


def _first_line(error: BaseException) -> str:
  text = str(error).strip()
  return text.splitlines()[0] if text else type(error).__name__


def load_cache(name: str, data_dir: str) -> Optional[base.RawDataset]:
  """Loads and verifies the cache of `name`; None when there is no cache file.

  Raises:
    DatasetError: one line naming the file when it is unreadable, holds the
      wrong keys, or its arrays do not verify. The file is not touched.
  """
  path = cache_path(name, data_dir)
  if not os.path.exists(path):
    return None
  try:
    # np.load treats anything without the zip/npy magic as a pickle, and then
    # reports "contains pickled data": check the zip magic for a clearer message.
    with open(path, 'rb') as f:
      magic = f.read(4)
    if magic != b'PK\x03\x04':
      raise base.DatasetError(f'{path}: corrupt cache: not an npz (zip) file '
                              f'(starts with {magic!r}); delete it to re-fetch')
    # allow_pickle=False: a cache must never execute code when loaded.
    with np.load(path, allow_pickle=False) as data:
      keys = sorted(data.files)
      if keys != sorted(base.ARRAY_NAMES):
        raise base.DatasetError(f'{path}: corrupt cache: holds arrays {keys}, expected '
                                f'{sorted(base.ARRAY_NAMES)}; delete it to re-fetch')
      arrays = {k: data[k] for k in base.ARRAY_NAMES}
  except base.DatasetError:
    raise
  except Exception as e:  # pylint: disable=broad-except
    # np.load and zipfile raise many types on garbage (BadZipFile, ValueError,
    # OSError, EOFError, zlib.error, ...); all of them mean "corrupt file".
    raise base.DatasetError(f'{path}: corrupt cache: unreadable npz '
                            f'({type(e).__name__}: {_first_line(e)}); '
                            'delete it to re-fetch') from e
  raw = base.RawDataset(name=name, **arrays)
  try:
    base.verify(raw, source=path)
  except base.DatasetError as e:
    raise base.DatasetError(f'corrupt cache: {e}; delete it to re-fetch') from e
  return raw


def save_cache(raw: base.RawDataset, data_dir: str) -> str:
  """Verifies `raw`, then writes it atomically to its cache file; returns the path.

  Raises:
    DatasetError: when `raw` does not verify or the file cannot be written.
  """
  path = cache_path(raw.name, data_dir)
  # Verify here too, so no caller can cache unverified arrays by mistake.
  base.verify(raw, source=f'arrays to be cached at {path}')
  try:
    # save_npz writes a temp file in the same directory and renames it, so a
    # killed process never leaves a half-written cache under the final name.
    save_npz(path, raw.arrays())
  except OSError as e:
    raise base.DatasetError(f'{path}: cannot write cache ({_first_line(e)})') from e
  return path

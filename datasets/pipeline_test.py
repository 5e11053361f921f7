"""Validation split, normalizations and the shuffled training stream."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from datasets import pipeline
from foundations import trainer


def fake(n=100, shape=(4, 4, 3)):
  rng = np.random.RandomState(0)
  return (rng.randint(0, 256, size=(n,) + shape).astype(np.uint8),
          rng.randint(0, 10, size=n).astype(np.uint8))


class PipelineTest(tf.test.TestCase):

  def test_validation_split_is_seeded_disjoint_and_complete(self):
    x, y = fake()
    x[:, 0, 0, 0] = np.arange(100)  # tag each example
    splits = pipeline.make_splits(x, y, x[:10], y[:10], validation_size=20, seed=3,
                                  normalization='unit', flatten=True)
    self.assertEqual(splits.x_train.shape, (80, 48))
    self.assertEqual(splits.x_val.shape, (20, 48))
    tags = np.round(np.concatenate([splits.x_train[:, 0], splits.x_val[:, 0]]) * 255)
    self.assertEqual(sorted(tags.astype(int)), list(range(100)))
    again = pipeline.make_splits(x, y, x[:10], y[:10], 20, 3, 'unit', True)
    np.testing.assert_array_equal(again.x_val, splits.x_val)
    other = pipeline.make_splits(x, y, x[:10], y[:10], 20, 4, 'unit', True)
    self.assertFalse(np.array_equal(other.x_val, splits.x_val))

  def test_no_validation_split(self):
    x, y = fake()
    splits = pipeline.make_splits(x, y, x, y, 0, 0, 'unit', False)
    self.assertIsNone(splits.x_val)
    self.assertEqual(splits.x_train.shape, (100, 4, 4, 3))

  def test_normalizations(self):
    x, _ = fake()
    unit = pipeline.normalize(x, 'unit')
    self.assertAllClose(unit, x / 255.0)
    l2 = pipeline.normalize(x, 'l2').reshape(100, -1)
    self.assertAllClose(np.linalg.norm(l2, axis=1), np.ones(100), atol=1e-5)
    channel = pipeline.normalize(x, 'channel', stats_from=x)
    self.assertAllClose(channel.mean(axis=(0, 1, 2)), np.zeros(3), atol=1e-4)
    self.assertAllClose(channel.std(axis=(0, 1, 2)), np.ones(3), atol=1e-4)
    with self.assertRaisesRegex(ValueError, 'unknown normalization'):
      pipeline.normalize(x, 'bogus')

  def test_channel_stats_are_exact_where_a_float32_sum_stalls(self):
    # 2**25 values per channel: a float32 running sum stops growing at 2**24 (the old
    # float32 mean of CIFAR-10 was 2**24 / N = 0.364 in every channel).
    x = np.tile(np.array([[100], [200]], np.uint8), (2**24, 1))
    mean, std = pipeline.channel_stats(x)
    self.assertAllClose(mean, [150 / 255], rtol=1e-12)
    self.assertAllClose(std, [50 / 255], rtol=1e-12)
    small, _ = fake()
    mean, std = pipeline.channel_stats(small)
    ref = small.astype(np.float64) / 255
    self.assertAllClose(mean, ref.mean(axis=(0, 1, 2)), rtol=1e-12)
    self.assertAllClose(std, ref.std(axis=(0, 1, 2)), rtol=1e-12)

  def test_channel_normalization_uses_training_split_statistics(self):
    x, y = fake(n=200)
    test = (x[:50] // 2).astype(np.uint8)
    splits = pipeline.make_splits(x, y, test, y[:50], 40, 1, 'channel', False)
    train = splits.x_train.astype(np.float64)
    self.assertAllClose(train.mean(axis=(0, 1, 2)), np.zeros(3), atol=1e-6)
    self.assertAllClose(train.std(axis=(0, 1, 2)), np.ones(3), atol=1e-6)
    train_part, _, _, _ = pipeline.split_validation(x, y, 40, 1)  # the 160 kept for training
    mean, std = pipeline.channel_stats(train_part)
    self.assertAllClose(splits.x_test, ((test / 255.0) - mean) / std, atol=1e-5)
    self.assertEqual(splits.x_test.dtype, np.float32)

  def test_train_batches_cover_each_epoch_and_reshuffle(self):
    x, y = fake(n=12, shape=(1,))
    x[:, 0] = np.arange(12)
    splits = pipeline.make_splits(x, y, x, y, 0, 0, 'unit', True)
    batches = list(splits.train_batches(4, seed=7).take(6))
    ids = [np.round(b[0].numpy()[:, 0] * 255).astype(int) for b in batches]
    epoch1, epoch2 = np.concatenate(ids[:3]), np.concatenate(ids[3:])
    self.assertEqual(sorted(epoch1), list(range(12)))
    self.assertEqual(sorted(epoch2), list(range(12)))
    self.assertFalse(np.array_equal(epoch1, epoch2))
    same = list(splits.train_batches(4, seed=7).take(6))
    for a, b in zip(batches, same):
      self.assertAllEqual(a[0], b[0])

  def test_train_indices_are_the_batches_order(self):
    # The trainer gathers examples by these indices inside its compiled loop: the same batches.
    x, y = fake(n=12, shape=(1,))
    x[:, 0] = np.arange(12)
    splits = pipeline.make_splits(x, y, x, y, 0, 0, 'unit', True)
    x_all, y_all = splits.train_arrays()
    batches = list(splits.train_batches(4, seed=7).take(7))
    indices = list(splits.train_indices(4, seed=7).take(7))
    for (xb, yb), i in zip(batches, indices):
      self.assertAllEqual(tf.gather(x_all, i), xb)
      self.assertAllEqual(tf.gather(y_all, i), yb)


  def test_train_order_cut_by_the_trainer_is_the_historical_order(self):
    # The data order every run so far trained on: shuffle().repeat().batch(), batches
    # spanning epoch boundaries (12 examples, batches of 5). The trainer pulls whole epochs.
    x, y = fake(n=12, shape=(1,))
    splits = pipeline.make_splits(x, y, x, y, 0, 0, 'unit', True)
    history = tf.data.Dataset.range(12).shuffle(12, seed=7, reshuffle_each_iteration=True)
    expected = np.stack(list(history.repeat().batch(5, drop_remainder=True).take(8)))
    self.assertAllEqual(np.stack(list(splits.train_indices(5, seed=7).take(8))), expected)
    stream = trainer.IndexStream(splits.train_order(seed=7))
    got = np.concatenate([stream.take(3, 5), stream.take(1, 5), stream.take(4, 5)])
    self.assertAllEqual(got, expected)
    self.assertEqual(got.dtype, np.int64)
    for epoch in np.concatenate(expected)[:36].reshape(3, 12):
      self.assertCountEqual(epoch, range(12))  # each epoch a permutation

if __name__ == '__main__':
  tf.test.main()

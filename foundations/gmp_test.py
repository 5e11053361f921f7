"""Gradual magnitude pruning with tfmot: shared variables, the schedule, exact target counts."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import gmp
from foundations import masked_layers
from foundations import model_fc
from foundations import pruning


class ScheduleTest(tf.test.TestCase):

  def test_paper_protocol_schedule(self):
    self.assertEqual(gmp.Schedule.of(50000, 0.1, 0.6, 100), gmp.Schedule(5000, 30000, 100))

  def test_end_is_a_whole_number_of_updates_after_begin(self):
    self.assertEqual(gmp.Schedule.of(60, 0.1, 0.6, 10), gmp.Schedule(6, 36, 10))

  def test_a_schedule_past_the_run_is_refused(self):
    with self.assertRaisesRegex(ValueError, 'would end at step 106, after the run\'s 60'):
      gmp.Schedule.of(60, 0.1, 0.6, 100)

  def test_target_sparsity_keeps_exact_counts_for_every_lenet_and_conv_level(self):
    sizes = [784 * 300, 300 * 100, 1000, 3 * 3 * 64 * 64, 8192 * 256, 256 * 256, 2560]
    for size in sizes:
      for level in range(31):
        for percent in (10.0, 15.0, 20.0):
          keep = pruning.expected_remaining(size, percent, level)
          s = gmp.target_sparsity(size, keep)
          self.assertEqual(int(np.round(np.float32(size) * (1 - np.float32(s)))), keep)


class WrapTest(tf.test.TestCase):

  def setUp(self):
    super().setUp()
    self.model = model_fc.make_fc(20, (16, 8, 3), seed=1)
    self.layers = masked_layers.masked_layers(self.model)

  def test_wraps_the_same_layers_without_copying_weights(self):
    before = masked_layers.get_kernels(self.model)
    wrapped = gmp.wrap(self.model, {'layer0': 100, 'layer1': 64, 'layer2': 20},
                       gmp.Schedule(2, 12, 2))
    inner = masked_layers.masked_layers(wrapped)
    self.assertEqual(list(inner), ['layer0', 'layer1', 'layer2'])
    for name, layer in inner.items():
      self.assertIs(layer, self.layers[name])
      np.testing.assert_array_equal(layer.kernel.numpy(), before[name])

  def test_training_reaches_the_exact_counts_and_keeps_biases(self):
    survivors = {'layer0': 100, 'layer1': 64, 'layer2': 20}
    wrapped = gmp.wrap(self.model, survivors, gmp.Schedule(2, 12, 2))
    gmp.prepare(wrapped)
    opt = keras.optimizers.SGD(0.1)
    x = tf.random.stateless_normal((32, 20), seed=(1, 2))
    y = tf.random.stateless_uniform((32,), seed=(3, 4), maxval=3, dtype=tf.int32)

    @tf.function
    def step():
      with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=wrapped(x, training=True)))
      grads = tape.gradient(loss, wrapped.trainable_variables)
      opt.apply_gradients(zip(grads, wrapped.trainable_variables))

    counts = []
    for _ in range(16):
      step()
      counts.append(int(gmp.masks(wrapped)['layer0'].sum()))
    # Gradual: the mask shrinks step by step (updates at steps 2, 4, ..., 12), then stays.
    self.assertEqual(counts[0], 320)
    self.assertLess(counts[3], counts[1])
    self.assertEqual(counts[11:], [100] * 5)
    masks, kernels = gmp.masks(wrapped), gmp.final_kernels(wrapped)
    for name, keep in survivors.items():
      self.assertEqual(int(masks[name].sum()), keep)
      self.assertEqual(int(np.count_nonzero(kernels[name])), keep)
      self.assertTrue(np.all(kernels[name][masks[name] == 0] == 0))
      # The kept entries are the largest-magnitude ones of the trained kernel.
      raw = np.abs(self.layers[name].kernel.numpy())
      self.assertGreaterEqual(raw[masks[name] == 1].min(), raw[masks[name] == 0].max() - 1e-12)
    # Biases are not pruned: every bias of the first layer has moved.
    self.assertEqual(int(np.count_nonzero(masked_layers.get_biases(wrapped)['layer0'])), 16)

  def test_survivors_must_name_every_masked_layer(self):
    with self.assertRaisesRegex(ValueError, r"survivors name \['layer0'\], the model has"):
      gmp.wrap(self.model, {'layer0': 10}, gmp.Schedule(2, 12, 2))


if __name__ == '__main__':
  tf.test.main()

"""Supermask sampling (straight-through gradient, sample mean), the layer, and Keras parity."""

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)
import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import masked_layers
from foundations import model_fc
from foundations import supermask
from foundations import supermask_layers


class SampleMaskTest(tf.test.TestCase):

  def test_values_are_exactly_zero_or_one(self):
    mask = supermask_layers.sample_mask(tf.random.normal((50, 40), seed=1),
                                        tf.random.Generator.from_seed(0)).numpy()
    self.assertEqual(set(np.unique(mask).tolist()), {0.0, 1.0})

  def test_mean_of_many_samples_is_sigmoid_of_score(self):
    scores = tf.constant(np.repeat(np.linspace(-3, 3, 13, dtype=np.float32)[:, None], 20000, 1))
    mean = tf.reduce_mean(supermask_layers.sample_mask(scores, tf.random.Generator.from_seed(2)),
                          axis=1).numpy()
    # Standard error of each mean is at most sqrt(.25 / 20000) = 0.0035.
    np.testing.assert_allclose(mean, tf.sigmoid(scores[:, 0]).numpy(), atol=0.015)

  def test_straight_through_gradient_is_weight_times_sigmoid_slope(self):
    scores = tf.Variable([[-2.0, 0.0, 1.5], [3.0, -0.5, 0.25]])
    weights = tf.constant([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    with tf.GradientTape() as tape:
      loss = tf.reduce_sum(supermask_layers.sample_mask(scores, tf.random.Generator.from_seed(3))
                           * weights)
    grad = tape.gradient(loss, scores).numpy()
    p = tf.sigmoid(scores).numpy()
    np.testing.assert_allclose(grad, weights.numpy() * p * (1 - p), rtol=1e-6)
    self.assertTrue(np.all(grad != 0))

  def test_signed_constant_is_sign_times_std(self):
    kernel = tf.constant([[0.5, -0.1], [0.3, -0.7]])
    std = np.std(kernel.numpy())
    self.assertAllClose(supermask_layers.signed_constant(kernel, 2.0),
                        np.sign(kernel.numpy()) * std * 2.0)


class SupermaskDenseTest(tf.test.TestCase):

  def _layer(self, scores, **kwargs):
    layer = supermask_layers.SupermaskDense(3, seed=0, **kwargs)
    layer.build((None, 4))
    layer.score.assign(scores)
    return layer

  def setUp(self):
    super().setUp()
    rng = np.random.default_rng(0)
    self.kernel = rng.standard_normal((4, 3)).astype(np.float32)
    self.x = rng.standard_normal((5, 4)).astype(np.float32)
    # Scores of +-100: sigmoid is 1 or ~4e-44, so the sample is fixed.
    self.keep = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1]], np.float32)
    self.scores = np.where(self.keep > 0, 100.0, -100.0).astype(np.float32)

  def test_only_the_score_trains_and_forward_is_kernel_times_mask(self):
    layer = self._layer(self.scores)
    layer.kernel.assign(self.kernel)
    self.assertEqual([w.name for w in layer.trainable_weights], [layer.score.name])
    self.assertLen(layer.non_trainable_weights, 2)  # kernel and bias
    self.assertAllClose(layer(self.x), self.x @ (self.kernel * self.keep), rtol=1e-6)
    with tf.GradientTape() as tape:
      loss = tf.reduce_sum(layer(self.x) ** 2)
    grads = tape.gradient(loss, layer.trainable_weights)
    self.assertEqual(grads[0].shape, (4, 3))

  def test_score_gradient_is_nonzero_at_initialisation(self):
    layer = self._layer(np.zeros((4, 3), np.float32))
    layer.kernel.assign(self.kernel)
    with tf.GradientTape() as tape:
      loss = tf.reduce_sum(layer(self.x) ** 2)
    self.assertGreater(np.abs(tape.gradient(loss, layer.score).numpy()).min(), 0)

  def test_signed_constant_and_dynamic_scaling(self):
    layer = self._layer(self.scores, use_signed_constant=True, dynamic_scaling=True)
    layer.kernel.assign(self.kernel)
    constants = np.sign(self.kernel) * np.std(self.kernel)
    scale = self.keep.size / self.keep.sum()  # 12 weights, 9 kept
    self.assertAllClose(layer(self.x), self.x @ (constants * self.keep) * scale, rtol=1e-5)

  def test_score_init_sets_keep_probability(self):
    layer = supermask_layers.SupermaskDense(3, score_init=1.0)
    layer.build((None, 4))
    self.assertAllClose(layer.expected_mask(), np.full((4, 3), 1 / (1 + np.exp(-1.0))))


class KerasParityTest(tf.test.TestCase):

  def test_supermask_accuracy_equals_a_keras_forward_pass(self):
    rng = np.random.default_rng(4)
    sizes = (30, 20, 12, 5)
    images = rng.random((300, sizes[0]), dtype=np.float32)
    labels = rng.integers(0, sizes[-1], 300)
    theta0 = supermask.glorot_fc(rng, sizes)
    w_final = {n: w + rng.normal(0, 0.2, w.shape).astype(np.float32) for n, w in theta0.items()}
    masks = supermask.one_shot_masks('large_final', theta0, w_final, [3],
                                     {'layer0': 20, 'layer1': 20, 'layer2': 10})[0]
    model = model_fc.make_fc(sizes[0], sizes[1:], seed=0)
    for kind in supermask.WEIGHT_KINDS:
      kernels = supermask.masked_kernels(kind, theta0, masks)
      masked_layers.set_weights_and_masks(model, dict(zip(theta0, kernels)), masks)
      logits = model(images, training=False).numpy()
      expected = np.mean(np.argmax(logits, axis=1) == labels)
      self.assertEqual(supermask.accuracies(images, labels, [kernels])[0], expected)


if __name__ == '__main__':
  tf.test.main()

"""Masked layers: pruned weights have no effect on the output and never move."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import masked_layers
from foundations import model_fc


def _random_masks(model, rng, keep=0.3):
  return {n: (rng.rand(*l.kernel.shape) < keep).astype(np.float32)
          for n, l in masked_layers.masked_layers(model).items()}


class MaskedDenseTest(tf.test.TestCase):

  def test_training_keeps_pruned_weights_frozen_and_without_effect(self):
    rng = np.random.RandomState(0)
    model = model_fc.make_fc(20, (16, 8, 3), seed=1)
    masks = _random_masks(model, rng)
    initial = masked_layers.get_kernels(model)
    # Put non-zero garbage into pruned positions first: the mask must neutralize it.
    masked_layers.set_weights_and_masks(model, {n: k + 5.0 for n, k in initial.items()}, masks)
    x = rng.randn(64, 20).astype(np.float32)
    y = rng.randint(0, 3, size=64)
    optimizer = keras.optimizers.Adam(0.05)
    for _ in range(30):
      with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, model(x)))
      variables = model.trainable_variables
      optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    kernels = masked_layers.get_kernels(model)
    for name, layer in masked_layers.masked_layers(model).items():
      pruned = masks[name] == 0
      self.assertTrue(np.all(kernels[name][pruned] == 0.0), name)
      self.assertTrue(np.all(layer.effective_kernel.numpy()[pruned] == 0.0), name)
      self.assertFalse(np.allclose(kernels[name][~pruned], initial[name][~pruned] + 5.0), name)
      self.assertFalse(any(v is layer.mask for v in model.trainable_variables))

    # Same outputs as a plain dense network holding the pruned weights at 0.
    plain = keras.Sequential([keras.Input((20,))] + [
        keras.layers.Dense(l.units, activation=l.activation)
        for l in masked_layers.masked_layers(model).values()])
    for dense, layer in zip(plain.layers, masked_layers.masked_layers(model).values()):
      dense.set_weights([layer.kernel.numpy() * layer.mask.numpy(), layer.bias.numpy()])
    self.assertAllClose(model(x), plain(x), atol=1e-5)
    # And changing a pruned raw weight still changes nothing.
    layer0 = model.get_layer('layer0')
    before = model(x).numpy()
    layer0.kernel.assign(layer0.kernel + 100.0 * (1 - layer0.mask))
    self.assertAllClose(before, model(x), atol=0)


class ZeroedFastPathTest(tf.test.TestCase):
  """The trainer's path: raw kernel forward, masked gradient, inside pruned_entries_are_zero()."""

  def _train(self, zeroed: bool, steps: int = 5):
    rng = np.random.RandomState(0)
    model = model_fc.make_fc(20, (16, 8, 3), seed=1)
    masks = _random_masks(model, rng)
    kernels = {n: k + 5.0 for n, k in masked_layers.get_kernels(model).items()}
    masked_layers.set_weights_and_masks(model, kernels, masks)
    x = tf.constant(rng.randn(64, 20).astype(np.float32))
    y = tf.constant(rng.randint(0, 3, size=64))
    optimizer = keras.optimizers.Adam(0.05)
    variables = model.trainable_variables

    @tf.function(jit_compile=True)
    def step():
      with tf.GradientTape() as tape:
        if zeroed:
          with masked_layers.pruned_entries_are_zero():
            logits = model(x)
        else:
          logits = model(x)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
      optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
      return logits

    outputs = [step().numpy() for _ in range(steps)]
    return model, masks, outputs, x

  def test_bit_identical_to_multiplying_by_the_mask(self):
    fast, masks, fast_out, _ = self._train(zeroed=True)
    slow, _, slow_out, _ = self._train(zeroed=False)
    for a, b in zip(fast_out, slow_out):
      self.assertAllEqual(a, b)
    for name, kernel in masked_layers.get_kernels(fast).items():
      self.assertAllEqual(kernel, masked_layers.get_kernels(slow)[name])
      self.assertTrue(np.all(kernel[masks[name] == 0] == 0.0), name)

  def test_zero_pruned_restores_what_the_fast_path_assumes(self):
    model, masks, _, x = self._train(zeroed=True, steps=1)
    before = model(x).numpy()
    layer0 = model.get_layer('layer0')
    layer0.kernel.assign(layer0.kernel + 100.0 * (1 - layer0.mask))
    self.assertAllEqual(before, model(x))  # outside the context the layers multiply

    @tf.function
    def fast_forward():
      with masked_layers.pruned_entries_are_zero():
        return model(x)

    self.assertNotAllClose(before, fast_forward())  # the assumption is broken...
    masked_layers.zero_pruned(model)
    self.assertAllEqual(before, fast_forward())  # ...and zero_pruned re-establishes it
    self.assertTrue(np.all(layer0.kernel.numpy()[masks['layer0'] == 0] == 0.0))


class FrozenTest(tf.test.TestCase):

  def test_frozen_pruned_values_compute_and_never_move(self):
    rng = np.random.RandomState(1)
    model = model_fc.make_fc(16, (12, 4), seed=0, dropout=0.0)
    masks = _random_masks(model, rng, keep=0.5)
    kernels = masked_layers.get_kernels(model)
    frozen = {n: np.where(m == 0, rng.randn(*m.shape), 0).astype(np.float32)
              for n, m in masks.items()}
    masked_layers.set_weights_and_masks(model, kernels, masks)
    masked_layers.set_frozen(model, frozen)
    x = rng.rand(8, 16).astype(np.float32)
    whole = {n: np.where(masks[n] != 0, kernels[n], frozen[n]) for n in masks}
    expected = np.maximum(x @ whole['layer0'], 0) @ whole['layer1']
    self.assertAllClose(model(x), expected, rtol=1e-5, atol=1e-5)
    optimizer = keras.optimizers.Adam(0.1)

    @tf.function
    def step():
      with tf.GradientTape() as tape, masked_layers.pruned_entries_are_zero():
        loss = tf.reduce_sum(model(x) ** 2)
      grads = tape.gradient(loss, model.trainable_variables)
      optimizer.apply_gradients(zip(grads, model.trainable_variables))

    masked_layers.zero_pruned(model)  # what the trainer does first: keeps the frozen values
    for _ in range(5):
      step()
    for n, values in masked_layers.get_pruned_values(model).items():
      np.testing.assert_array_equal(values, frozen[n])  # bit for bit
      kept = masked_layers.get_kept_kernels(model)[n]
      self.assertTrue(np.all(kept[masks[n] == 0] == 0))
      self.assertFalse(np.array_equal(kept[masks[n] != 0], kernels[n][masks[n] != 0]))


class MaskedConvTest(tf.test.TestCase):

  def test_conv_pruned_weights_have_no_effect(self):
    rng = np.random.RandomState(3)
    layer = masked_layers.MaskedConv2D(4, 3, padding='same', name='conv0')
    x = rng.randn(2, 6, 6, 3).astype(np.float32)
    layer(x)
    mask = (rng.rand(3, 3, 3, 4) < 0.5).astype(np.float32)
    layer.set_mask(mask)
    out = layer(x).numpy()
    expected = tf.nn.conv2d(x, layer.kernel * mask, 1, 'SAME') + layer.bias
    self.assertAllClose(out, expected, atol=1e-5)
    self.assertTrue(np.all(layer.kernel.numpy()[mask == 0] == 0))


if __name__ == '__main__':
  tf.test.main()

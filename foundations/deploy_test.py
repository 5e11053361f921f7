"""plain_model: stock tf_keras layers computing what the masked (or tfmot-wrapped) model computes."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import deploy
from foundations import gmp
from foundations import masked_layers
from foundations import model_conv
from foundations import model_fc


def _random_masks(model, seed):
  rng = np.random.RandomState(seed)
  return {name: (rng.rand(*layer.kernel.shape) < 0.3).astype(np.float32)
          for name, layer in masked_layers.masked_layers(model).items()}


class PlainModelTest(tf.test.TestCase):

  def _check(self, model, x):
    plain = deploy.plain_model(model)
    self.assertEmpty(masked_layers.masked_layers(plain))
    self.assertFalse(any(hasattr(layer, 'pruning_vars') for layer in plain.layers))
    np.testing.assert_array_equal(plain(x).numpy(), model(x, training=False).numpy())
    return plain

  def test_masked_fc_net(self):
    model = model_fc.make_fc(20, (16, 8, 3), seed=1)
    masks = _random_masks(model, 0)
    masked_layers.set_weights_and_masks(model, masked_layers.get_kernels(model), masks,
                                        {n: np.full(l.bias.shape, 0.1, np.float32) for n, l in
                                         masked_layers.masked_layers(model).items()})
    plain = self._check(model, tf.random.stateless_normal((100, 20), seed=(1, 1)))
    for name, mask in masks.items():
      self.assertIsInstance(plain.get_layer(name), keras.layers.Dense)
      self.assertEqual(np.count_nonzero(plain.get_layer(name).kernel.numpy()), int(mask.sum()))

  def test_masked_conv_net(self):
    model = model_conv.make_conv((8, 8, 3), (4,), (16, 10), seed=3)
    masked_layers.set_weights_and_masks(model, masked_layers.get_kernels(model),
                                        _random_masks(model, 1))
    plain = self._check(model, tf.random.stateless_normal((4, 8, 8, 3), seed=(2, 2)))
    self.assertTrue(any(isinstance(layer, keras.layers.Conv2D) for layer in plain.layers))

  def test_tfmot_wrappers_are_stripped(self):
    model = model_fc.make_fc(20, (16, 8, 3), seed=1)
    wrapped = gmp.wrap(model, {'layer0': 100, 'layer1': 64, 'layer2': 20}, gmp.Schedule(0, 1, 1))
    gmp.prepare(wrapped)
    x = tf.random.stateless_normal((100, 20), seed=(1, 1))
    with tf.GradientTape() as tape:  # a mask update (step 1), then an SGD step that moves the
      loss = tf.reduce_sum(wrapped(x, training=True) ** 2)  # pruned entries off zero again
    grads = tape.gradient(loss, wrapped.trainable_variables)
    keras.optimizers.SGD(0.01).apply_gradients(zip(grads, wrapped.trainable_variables))
    kernel = masked_layers.masked_layers(wrapped)['layer0'].kernel.numpy()
    self.assertGreater(np.count_nonzero(kernel), 100)
    plain = deploy.plain_model(wrapped)
    self.assertEqual(np.count_nonzero(plain.get_layer('layer0').kernel.numpy()), 100)
    self._check(wrapped, x)


if __name__ == '__main__':
  tf.test.main()

"""Conv-2/4/6: exact prunable weight counts, shapes, names; masked training of a small convnet."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import masked_layers
from foundations import model_conv

FC = (256, 256, 10)
# Prunable weights = kernels only (biases are never pruned), from the paper's Figure 2
# (Conv-6 is 2.26M: the paper's "1.7M" does not fit its own Pm values).
CONV_NETS = {
    'conv2': ((64,), 4_300_992, 38_592),
    'conv4': ((64, 128), 2_425_024, 259_776),
    'conv6': ((64, 128, 256), 2_261_184, 1_144_512),
}


class MakeConvTest(tf.test.TestCase):

  def test_paper_networks_have_the_papers_prunable_weight_counts(self):
    for net, (blocks, total, conv) in CONV_NETS.items():
      model = model_conv.make_conv((32, 32, 3), blocks, FC, seed=0)
      layers = masked_layers.masked_layers(model)
      counts = {n: int(np.prod(l.kernel.shape)) for n, l in layers.items()}
      self.assertEqual(sum(counts.values()), total, net)
      self.assertEqual(sum(c for n, c in counts.items() if n.startswith('conv')), conv, net)
      self.assertEqual(list(layers), list(model_conv.layer_names(blocks, FC)), net)
      self.assertEqual(model.output_shape, (None, 10), net)
      self.assertEqual(model(np.zeros((2, 32, 32, 3), np.float32)).shape, (2, 10), net)
      for layer in layers.values():
        self.assertAllEqual(layer.bias, np.zeros(layer.bias.shape), net)
    self.assertEqual(model_conv.layer_kinds((64, 128), FC), {
        'conv0': 'conv', 'conv1': 'conv', 'conv2': 'conv', 'conv3': 'conv',
        'fc0': 'fc', 'fc1': 'fc', 'output': 'output'})

  def test_conv2_layer_shapes_and_seeded_glorot_normal_init(self):
    model = model_conv.make_conv((32, 32, 3), (64,), FC, seed=7)
    kernels = masked_layers.get_kernels(model)
    self.assertEqual({n: k.shape for n, k in kernels.items()}, {
        'conv0': (3, 3, 3, 64), 'conv1': (3, 3, 64, 64), 'fc0': (16384, 256),
        'fc1': (256, 256), 'output': (256, 10)})
    # Glorot normal: (truncated, rescaled) normal with std sqrt(2 / (fan_in + fan_out)).
    std = np.sqrt(2.0 / (16384 + 256))
    self.assertAllClose(kernels['fc0'].std(), std, rtol=0.02)
    again = masked_layers.get_kernels(model_conv.make_conv((32, 32, 3), (64,), FC, seed=7))
    other = masked_layers.get_kernels(model_conv.make_conv((32, 32, 3), (64,), FC, seed=8))
    for name, kernel in kernels.items():
      self.assertAllEqual(kernel, again[name])
      self.assertNotAllClose(kernel, other[name])

  def test_dropout_only_on_hidden_fc_outputs_and_only_in_training(self):
    model = model_conv.make_conv((8, 8, 3), (4,), (16, 16, 3), seed=0, dropout=0.5)
    drops = [l for l in model.layers if isinstance(l, keras.layers.Dropout)]
    self.assertEqual([l.name for l in drops], ['dropout1', 'dropout2'])
    self.assertEqual([l.rate for l in drops], [0.5, 0.5])
    x = np.random.RandomState(0).randn(4, 8, 8, 3).astype(np.float32)
    self.assertAllClose(model(x, training=False), model(x, training=False))
    self.assertNotAllClose(model(x, training=True), model(x, training=False))
    plain = model_conv.make_conv((8, 8, 3), (4,), (16, 16, 3), seed=0)
    self.assertFalse(any(isinstance(l, keras.layers.Dropout) for l in plain.layers))

  def test_training_keeps_pruned_conv_and_fc_weights_frozen_and_without_effect(self):
    rng = np.random.RandomState(0)
    model = model_conv.make_conv((8, 8, 3), (4, 6), (12, 3), seed=1)
    layers = masked_layers.masked_layers(model)
    masks = {n: (rng.rand(*l.kernel.shape) < 0.4).astype(np.float32) for n, l in layers.items()}
    initial = masked_layers.get_kernels(model)
    # Non-zero garbage in pruned positions first: the mask must neutralize it.
    masked_layers.set_weights_and_masks(model, {n: k + 5.0 for n, k in initial.items()}, masks)
    x = rng.randn(32, 8, 8, 3).astype(np.float32)
    y = rng.randint(0, 3, size=32)
    optimizer = keras.optimizers.Adam(0.01)
    for _ in range(5):
      with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, model(x)))
      variables = model.trainable_variables
      optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    kernels = masked_layers.get_kernels(model)
    for name, layer in layers.items():
      pruned = masks[name] == 0
      self.assertTrue(np.all(kernels[name][pruned] == 0.0), name)
      self.assertFalse(np.allclose(kernels[name][~pruned], initial[name][~pruned] + 5.0), name)
      self.assertFalse(any(v is layer.mask for v in model.trainable_variables), name)

    # Same logits as an unmasked keras convnet holding the pruned weights at 0.
    plain = keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Conv2D(4, 3, padding='same', activation='relu'),
        keras.layers.Conv2D(4, 3, padding='same', activation='relu'),
        keras.layers.MaxPooling2D(2, 2),
        keras.layers.Conv2D(6, 3, padding='same', activation='relu'),
        keras.layers.Conv2D(6, 3, padding='same', activation='relu'),
        keras.layers.MaxPooling2D(2, 2),
        keras.layers.Flatten(),
        keras.layers.Dense(12, activation='relu'),
        keras.layers.Dense(3)])
    weighted = [l for l in plain.layers if l.weights]
    for target, layer in zip(weighted, layers.values()):
      target.set_weights([layer.kernel.numpy() * layer.mask.numpy(), layer.bias.numpy()])
    self.assertAllClose(model(x), plain(x), atol=1e-5)
    # Changing a pruned raw conv weight still changes nothing.
    conv1 = model.get_layer('conv1')
    before = model(x).numpy()
    conv1.kernel.assign(conv1.kernel + 100.0 * (1 - conv1.mask))
    self.assertAllClose(before, model(x), atol=0)


if __name__ == '__main__':
  tf.test.main()

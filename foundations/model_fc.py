"""Fully-connected networks (LeNet-300-100) built from masked layers."""

from typing import Sequence

import tf_keras as keras

from foundations import masked_layers


def make_fc(input_size: int, layer_sizes: Sequence[int], seed: int,
            dropout: float = 0.0) -> keras.Model:
  """A ReLU MLP with masked dense layers 'layer0', 'layer1', ... ; the last layer outputs logits.

  Kernels are Glorot-normal (seeded per layer), biases start at zero.
  Input: float32 [batch, input_size]. Output: float32 logits [batch, layer_sizes[-1]].
  """
  inputs = keras.Input(shape=(input_size,), name='inputs')
  x = inputs
  for i, units in enumerate(layer_sizes):
    last = i == len(layer_sizes) - 1
    if dropout and i > 0:
      x = keras.layers.Dropout(dropout, seed=seed + 1000 + i)(x)
    x = masked_layers.MaskedDense(
        units, activation=None if last else 'relu', name=f'layer{i}',
        kernel_initializer=keras.initializers.GlorotNormal(seed=seed + i),
        bias_initializer='zeros')(x)
  return keras.Model(inputs, x, name='fc')

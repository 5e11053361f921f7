"""Convolutional networks (Conv-2/4/6 of Frankle & Carbin 2019) built from masked layers."""

from typing import Dict, Sequence, Tuple

import tf_keras as keras

from foundations import masked_layers

OUTPUT_LAYER = 'output'


def layer_names(conv_blocks: Sequence[int], fc_sizes: Sequence[int]) -> Tuple[str, ...]:
  """Masked layer names in order: conv0, conv1, ... (two per block), fc0, fc1, ..., output.

  `fc_sizes` includes the output layer (the last entry).
  """
  convs = tuple(f'conv{i}' for i in range(2 * len(conv_blocks)))
  fcs = tuple(f'fc{i}' for i in range(len(fc_sizes) - 1))
  return convs + fcs + (OUTPUT_LAYER,)


def layer_kinds(conv_blocks: Sequence[int], fc_sizes: Sequence[int]) -> Dict[str, str]:
  """Masked layer name -> 'conv', 'fc' or 'output' (which prune rate applies to it)."""
  return {name: ('output' if name == OUTPUT_LAYER else name.rstrip('0123456789'))
          for name in layer_names(conv_blocks, fc_sizes)}


def make_conv(input_shape: Sequence[int], conv_blocks: Sequence[int], fc_sizes: Sequence[int],
              seed: int, dropout: float = 0.0) -> keras.Model:
  """A VGG-style convnet of masked layers; the last layer outputs logits.

  Each entry of `conv_blocks` is a block of two 3x3 'same' ReLU convolutions
  with that many filters, followed by 2x2 max-pooling with stride 2. Then
  Flatten, ReLU fully-connected layers of `fc_sizes[:-1]` units and a linear
  output layer of `fc_sizes[-1]` units. Conv-2 is conv_blocks=(64,),
  fc_sizes=(256, 256, 10); Conv-4 (64, 128); Conv-6 (64, 128, 256).

  Kernels are Glorot-normal, seeded per layer (seed + position in
  `layer_names`); biases start at zero.

  Dropout (the paper's dropout variant, whose placement the paper does not
  spell out): when `dropout` > 0, it is applied to the output of each hidden
  fully-connected layer (the inputs of fc1 and of the output layer), as VGG,
  which Conv-2/4/6 scale down, does and as `model_fc.make_fc` does for LeNet;
  never inside the convolutional blocks nor on the flattened conv features.

  Input: float32 [batch, *input_shape] (NHWC). Output: float32 logits [batch, fc_sizes[-1]].
  """
  names = layer_names(conv_blocks, fc_sizes)

  def masked(index):  # name and seeded initializers of the index-th masked layer
    return dict(name=names[index], kernel_initializer=keras.initializers.GlorotNormal(seed + index),
                bias_initializer='zeros')

  inputs = keras.Input(shape=tuple(input_shape), name='inputs')
  x = inputs
  index = 0
  for block, filters in enumerate(conv_blocks):
    for _ in range(2):
      x = masked_layers.MaskedConv2D(filters, 3, padding='same', activation='relu',
                                     **masked(index))(x)
      index += 1
    x = keras.layers.MaxPooling2D(pool_size=2, strides=2, name=f'pool{block}')(x)
  x = keras.layers.Flatten(name='flatten')(x)
  for i, units in enumerate(fc_sizes):
    last = i == len(fc_sizes) - 1
    if dropout and i > 0:
      x = keras.layers.Dropout(dropout, seed=seed + 1000 + i, name=f'dropout{i}')(x)
    x = masked_layers.MaskedDense(units, activation=None if last else 'relu', **masked(index))(x)
    index += 1
  return keras.Model(inputs, x, name='conv')

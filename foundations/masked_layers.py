"""Dense and convolution layers whose kernels are multiplied by a fixed 0/1 mask.

The effective kernel is `kernel * mask`. The gradient of every pruned entry is
exactly zero, so (with Adam or SGD starting from zero moments) pruned kernel
entries never move. `set_mask` also zeroes the raw kernel entries, so that the
saved weights of pruned connections are exactly 0, as in the reference code.

That zeroing makes `kernel * mask` equal to `kernel`, bit for bit (w * 1 = w,
and a pruned entry is a zero of the same sign before and after), for as long
as nothing writes a pruned raw entry. The trainer relies on it: it zeroes
pruned entries once (`zero_pruned`) and traces its step inside
`pruned_entries_are_zero()`, where the layers compute with the raw kernel and
apply the mask only to its gradient: the same numbers, one elementwise
multiply per masked kernel and step fewer. Elsewhere the layers multiply, so a
raw pruned entry written by hand still has no effect.

Frozen pruned weights (Zhou et al. 2019's freeze_init): `set_frozen` gives a
layer constant values for its pruned entries, and the layer computes with
`kernel * mask + frozen` (frozen is 0 where kept). Then `zero_pruned` writes
the frozen values into the raw pruned entries, so the raw kernel again equals
the effective one bit for bit (f * 0 + f = f) and the trainer's step is
unchanged; the masked gradient is exactly 0 there, so with zero optimizer
moments the frozen entries never move. The constants are traced into the
layer's functions: set them on a model built for them, before it is first called.
"""

import contextlib

import numpy as np
import tensorflow as tf
import tf_keras as keras

_ZEROED = []  # non-empty inside pruned_entries_are_zero(); read when a layer is traced


@contextlib.contextmanager
def pruned_entries_are_zero():
  """Layers called (traced) within compute with the raw kernel instead of kernel * mask.

  Only for models whose pruned raw entries are zero (zero_pruned) and stay zero, as
  training with the masked gradient keeps them.
  """
  _ZEROED.append(True)
  try:
    yield
  finally:
    _ZEROED.pop()


class _MaskedMixin:
  """Shared mask handling: a non-trainable `mask` variable shaped like `kernel`."""

  frozen = None  # constant values of the pruned entries (set_frozen); None: 0

  def _add_mask(self):
    self.mask = self.add_weight(
        name='mask', shape=self.kernel.shape, dtype=self.kernel.dtype,
        initializer='ones', trainable=False)

  def set_mask(self, mask):
    """Installs a 0/1 array `mask` (same shape as the kernel) and zeroes pruned kernel entries."""
    mask = tf.cast(mask, self.kernel.dtype)
    self.mask.assign(mask)
    self.kernel.assign(self.kernel * mask)

  def get_prunable_weights(self):
    """The kernel: what tfmot's PruneLowMagnitude may prune (the PrunableLayer interface).

    With it tfmot wraps this very layer, sharing its variables, instead of
    rebuilding it as a stock Dense/Conv2D with copied weights. Biases are never pruned.
    """
    return [self.kernel]

  @property
  def effective_kernel(self):
    """The kernel the layer computes with: kernel * mask (+ frozen, when set)."""
    if self.frozen is None:
      return self.kernel * self.mask
    return self.kernel * self.mask + self.frozen

  def _forward_kernel(self):
    """kernel * mask; within pruned_entries_are_zero() the raw kernel (the same values, see the
    module docstring) with its gradient multiplied by the mask."""
    if not _ZEROED:
      return self.effective_kernel
    mask = self.mask

    @tf.custom_gradient
    def masked(kernel):
      return tf.identity(kernel), lambda upstream: upstream * mask

    return masked(self.kernel)


class MaskedDense(_MaskedMixin, keras.layers.Dense):
  """`keras.layers.Dense` computing with `kernel * mask`."""

  def build(self, input_shape):
    super().build(input_shape)
    self._add_mask()

  def call(self, inputs):
    outputs = tf.matmul(inputs, self._forward_kernel())
    if self.use_bias:
      outputs = tf.nn.bias_add(outputs, self.bias)
    if self.activation is not None:
      outputs = self.activation(outputs)
    return outputs


class MaskedConv2D(_MaskedMixin, keras.layers.Conv2D):
  """`keras.layers.Conv2D` (NHWC) computing with `kernel * mask`."""

  def build(self, input_shape):
    super().build(input_shape)
    self._add_mask()

  def call(self, inputs):
    outputs = tf.nn.conv2d(inputs, self._forward_kernel(),
                           strides=self.strides, padding=self.padding.upper(),
                           dilations=self.dilation_rate)
    if self.use_bias:
      outputs = tf.nn.bias_add(outputs, self.bias)
    if self.activation is not None:
      outputs = self.activation(outputs)
    return outputs


def masked_layers(model):
  """The model's masked layers in order: a dict layer name -> layer.

  A masked layer inside a wrapper (tfmot's pruning wrapper) counts under its own name.
  """
  inner = (getattr(layer, 'layer', layer) for layer in model.layers)
  return {layer.name: layer for layer in inner if isinstance(layer, _MaskedMixin)}


def zero_pruned(model):
  """Sets every masked layer's raw kernel to its effective kernel: kernel * mask (a no-op after
  set_mask), plus the frozen values where a layer has them."""
  for layer in masked_layers(model).values():
    layer.kernel.assign(layer.effective_kernel)


def set_frozen(model, frozen):
  """Gives each masked layer constant values for its pruned entries (see the module docstring).

  Args:
    model: a model built from masked layers, not yet called (its functions not yet traced),
      with its masks set.
    frozen: dict layer name -> array of the kernel's shape; 0 where the mask keeps.
  """
  for name, layer in masked_layers(model).items():
    values = tf.constant(frozen[name], layer.kernel.dtype)
    layer.frozen = values
    layer.kernel.assign(layer.kernel * layer.mask + values)


def get_kept_kernels(model):
  """Dict layer name -> raw kernel x mask as ndarray (0 at pruned entries, frozen or not)."""
  return {name: np.where(layer.mask.numpy() != 0, layer.kernel.numpy(), 0).astype(
      layer.kernel.dtype.as_numpy_dtype) for name, layer in masked_layers(model).items()}


def get_pruned_values(model):
  """Dict layer name -> the raw kernel's pruned entries (0 where kept): the values a model made
  with set_frozen computes with there."""
  return {name: np.where(layer.mask.numpy() == 0, layer.kernel.numpy(), 0).astype(
      layer.kernel.dtype.as_numpy_dtype) for name, layer in masked_layers(model).items()}


def get_kernels(model):
  """Dict layer name -> raw kernel as ndarray (pruned entries are 0)."""
  return {name: layer.kernel.numpy() for name, layer in masked_layers(model).items()}


def get_masks(model):
  """Dict layer name -> 0/1 float mask ndarray."""
  return {name: layer.mask.numpy() for name, layer in masked_layers(model).items()}


def get_biases(model):
  """Dict layer name -> bias ndarray of each masked layer."""
  return {name: layer.bias.numpy() for name, layer in masked_layers(model).items()}


def set_weights_and_masks(model, kernels, masks, biases=None):
  """Sets each masked layer's kernel to `kernels[name] * masks[name]`, its mask and its bias.

  Args:
    model: a model built from masked layers.
    kernels: dict layer name -> kernel ndarray (e.g. theta_0).
    masks: dict layer name -> 0/1 ndarray of the same shape.
    biases: dict layer name -> bias ndarray; None: zero biases (the initial state).
  """
  for name, layer in masked_layers(model).items():
    layer.kernel.assign(kernels[name])
    layer.set_mask(masks[name])
    if layer.use_bias:
      layer.bias.assign(tf.zeros_like(layer.bias) if biases is None else biases[name])

"""Learned supermasks: a frozen kernel times a Bernoulli mask sampled from trainable scores.

Zhou et al. 2019 (arXiv 1905.01067), Section 5.2. Each weight has a score s;
the forward pass samples m ~ Bernoulli(sigmoid(s)) and computes with
kernel * m; the backward pass treats the sample as if it were sigmoid(s)
(straight-through), so d loss / d s = d loss / d m * sigmoid'(s). Only the
scores train; the kernel (theta0, or its signed constants) and the zero bias
never change. The authors sample masks at test time too and report the mean
test accuracy over 10 samples.

The authors' settings for the FC network (784-300-100-10) on MNIST (their
README's command and train_supermask.py defaults):
  optimiser       SGD with momentum 0.9 (their --opt sgd, --mom default)
  learning rate   100, no decay
  batch size      250 (220 steps per epoch on their 55,000 training images)
  epochs          2000
  scores          initialised to 0 (--sigmoid_bias 0), i.e. p = 0.5 everywhere
  kernel          Glorot normal (theta0); biases zero and frozen; no L2
  signed constant sign(kernel) * std(kernel) per layer, times a multiplier (1)
  dynamic weight rescaling  kernel * m * (number of weights / number of ones
                  in the sampled m), recomputed every step from the sample.
"""

import tensorflow as tf
import tf_keras as keras


@tf.custom_gradient
def _bernoulli_straight_through(probs, uniform):
  """1 where uniform < probs, else 0; the gradient passes to probs unchanged."""
  sample = tf.cast(uniform < probs, probs.dtype)

  def grad(upstream):
    return upstream, tf.zeros_like(uniform)

  return sample, grad


def sample_mask(scores, generator=None, seed=None):
  """A 0/1 mask ~ Bernoulli(sigmoid(scores)) whose gradient is that of sigmoid(scores).

  Args:
    scores: float tensor of per-weight scores (logits of keeping each weight).
    generator: tf.random.Generator to draw from; None: tf.random.uniform.
    seed: int [2] tensor: a stateless draw (tf.random.stateless_uniform), the same mask for the
      same seed; takes precedence over `generator`.

  Returns:
    Tensor shaped like `scores` holding exactly 0.0 or 1.0.
  """
  probs = tf.sigmoid(scores)
  shape = tf.shape(scores)
  if seed is not None:
    uniform = tf.random.stateless_uniform(shape, seed, dtype=scores.dtype)
  elif generator is not None:
    uniform = generator.uniform(shape, dtype=scores.dtype)
  else:
    uniform = tf.random.uniform(shape, dtype=scores.dtype)
  return _bernoulli_straight_through(probs, uniform)


def signed_constant(kernel, multiplier=1.0):
  """sign(kernel) * std(kernel) * multiplier: the layer's signed constants."""
  return tf.sign(kernel) * tf.math.reduce_std(kernel) * multiplier


class SupermaskDense(keras.layers.Dense):
  """A Dense layer whose frozen kernel is multiplied by a mask sampled from trainable scores.

  Weights: `kernel` and `bias` (not trainable; set them with `kernel.assign`),
  `score` (trainable, same shape as the kernel, initialised to `score_init`).
  Masks come from `seed_fn()` (an int [2] tensor: stateless, reproducible whatever else was
  drawn) when given, else from a Generator seeded with `seed`, else from tf.random.
  """

  def __init__(self, units, score_init=0.0, use_signed_constant=False, const_multiplier=1.0,
               dynamic_scaling=False, seed=None, seed_fn=None, **kwargs):
    super().__init__(units, **kwargs)
    self.seed_fn = seed_fn
    self.score_init = score_init
    self.use_signed_constant = use_signed_constant
    self.const_multiplier = const_multiplier
    self.dynamic_scaling = dynamic_scaling
    self.seed = seed
    self._generator = None if seed is None else tf.random.Generator.from_seed(seed)

  def build(self, input_shape):
    fan_in = int(input_shape[-1])
    shape = (fan_in, self.units)
    self.kernel = self.add_weight('kernel', shape=shape, initializer=self.kernel_initializer,
                                  dtype=self.dtype, trainable=False)
    self.bias = (self.add_weight('bias', shape=(self.units,), initializer=self.bias_initializer,
                                 dtype=self.dtype, trainable=False) if self.use_bias else None)
    self.score = self.add_weight('score', shape=shape, dtype=self.dtype, trainable=True,
                                 initializer=keras.initializers.Constant(self.score_init))
    self.input_spec = keras.layers.InputSpec(min_ndim=2, axes={-1: fan_in})
    self.built = True

  def frozen_kernel(self):
    """The kernel the mask multiplies: the raw kernel or its signed constants."""
    if self.use_signed_constant:
      return signed_constant(self.kernel, self.const_multiplier)
    return self.kernel

  def expected_mask(self):
    """sigmoid(score): the probability that each weight is kept."""
    return tf.sigmoid(self.score)

  def call(self, inputs):
    mask = sample_mask(self.score, self._generator,
                       None if self.seed_fn is None else self.seed_fn())
    kernel = self.frozen_kernel() * mask
    if self.dynamic_scaling:
      # size / ones; an all-zero sample has no kernel left to scale (max avoids inf).
      ones = tf.maximum(tf.reduce_sum(mask), 1.0)
      kernel = kernel * (tf.cast(tf.size(mask), mask.dtype) / ones)
    outputs = tf.matmul(inputs, kernel)
    if self.use_bias:
      outputs = tf.nn.bias_add(outputs, self.bias)
    if self.activation is not None:
      outputs = self.activation(outputs)
    return outputs

  def get_config(self):
    config = super().get_config()
    config.update(score_init=self.score_init, use_signed_constant=self.use_signed_constant,
                  const_multiplier=self.const_multiplier, dynamic_scaling=self.dynamic_scaling,
                  seed=self.seed)
    return config

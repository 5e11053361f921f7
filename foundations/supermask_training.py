"""Training learned supermasks: a compiled loop that the generic trainer drives.

`SupermaskTraining` has the interface of trainer.CompiledTraining (`model`,
`reset`, `train_chunk`, `evaluate`), so `trainer.train` runs it unchanged:
chunks of `eval_every` steps are one compiled while-loop, Python never runs
per step. The model is a ReLU MLP of SupermaskDense layers (frozen kernels,
zero frozen biases, trainable scores); only the scores train.

Masks are stateless draws, so a run is reproducible from its seed alone
whatever ran before it: the mask of training step i (0-based, the optimizer's
iteration count before the step) in layer l is drawn with
seed fold_in(fold_in([seed, 0], i), l); the e-th evaluation since `reset`
draws one mask (used for all of its batches) with fold_in(fold_in([seed, 1], e), l),
and `sampled_accuracies` uses the stream [seed, 2].
"""

from typing import Dict, List

import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import supermask_layers
from foundations import train_steps
from foundations.hparams import TrainingHparams

Arrays = Dict[str, np.ndarray]
_TRAIN, _EVAL, _SAMPLED = 0, 1, 2  # the three seed streams


def build_model(input_size: int, kernels: Arrays, dynamic_scaling: bool, seed_fn) -> keras.Model:
  """An MLP of SupermaskDense layers named as `kernels` (in order); the last outputs logits.

  kernels: layer name -> frozen float32 kernel [in, out] (theta_0 or signed constants).
  seed_fn: layer index -> a callable returning that layer's int64 [2] draw seed.
  """
  inputs = keras.Input(shape=(input_size,), name='inputs')
  x = inputs
  names = list(kernels)
  for i, name in enumerate(names):
    layer = supermask_layers.SupermaskDense(
        kernels[name].shape[1], activation=None if i == len(names) - 1 else 'relu', name=name,
        dynamic_scaling=dynamic_scaling, seed_fn=seed_fn(i), bias_initializer='zeros')
    x = layer(x)
    layer.kernel.assign(kernels[name])
  return keras.Model(inputs, x, name='supermask_fc')


class SupermaskTraining:
  """A supermask model with its optimizer, compiled chunk loop and (sampling) evaluation."""

  def __init__(self, input_size: int, kernels: Arrays, dynamic_scaling: bool, seed: int,
               hp: TrainingHparams, eval_batch_size: int, jit_compile: bool):
    self._draw = tf.Variable(tf.zeros([2], tf.int64), trainable=False, name='draw')
    self._evals = tf.Variable(tf.constant(0, tf.int64), trainable=False, name='evaluations')
    keys = [tf.constant([seed, stream], tf.int64) for stream in (_TRAIN, _EVAL, _SAMPLED)]
    fold = tf.random.experimental.stateless_fold_in
    draw = self._draw
    self.model = build_model(input_size, kernels, dynamic_scaling,
                             lambda i: (lambda: fold(draw, i)))
    self.layers = [layer for layer in self.model.layers
                   if isinstance(layer, supermask_layers.SupermaskDense)]
    self.optimizer = train_steps.make_optimizer(hp)
    variables = self.model.trainable_variables
    self.optimizer.build(variables)
    model, optimizer = self.model, self.optimizer

    # Each step draws its masks from the key folded with the optimizer's step count.
    step = train_steps.make_step(model, optimizer, variables,
                             before=lambda: draw.assign(fold(keys[_TRAIN], optimizer.iterations)))
    run_steps = train_steps.make_run_steps(step, jit_compile)

    evaluate_all = train_steps.make_evaluate(self.model, eval_batch_size)

    @tf.function(autograph=False)
    def evaluate(eval_sets):
      draw.assign(fold(keys[_EVAL], self._evals))
      self._evals.assign_add(1)
      return evaluate_all(eval_sets)

    @tf.function(autograph=False)
    def evaluate_draw(eval_sets, index):
      draw.assign(fold(keys[_SAMPLED], index))
      return evaluate_all(eval_sets)

    self._run_steps, self.evaluate, self._evaluate_draw = run_steps, evaluate, evaluate_draw

  def train_chunk(self, indices: np.ndarray, x_all: tf.Tensor, y_all: tf.Tensor):
    """One optimizer step per row of indices [steps, batch]; (mean loss, accuracy) tensors."""
    return self._run_steps(tf.constant(indices, tf.int64), x_all, y_all)

  def reset(self) -> None:
    """Optimizer (iterations, momentum) and the evaluation count back to zero."""
    for v in self.optimizer.variables:
      v.assign(tf.zeros_like(v))
    self._evals.assign(0)

  def state_variables(self) -> List[tf.Variable]:
    """What a checkpoint holds (trainer.CompiledTraining.state_variables): the model's
    variables (frozen kernels and biases, scores), the optimizer's, and the evaluation count,
    which seeds the next evaluation's mask draw (the draw seed itself is set before each use)."""
    return list(self.model.variables) + list(self.optimizer.variables) + [self._evals]

  def sampled_accuracies(self, x: tf.Tensor, y: tf.Tensor, count: int) -> List[float]:
    """Accuracy on (x, y) of each of `count` sampled masks (draws 0..count-1 of stream 2)."""
    return [float(self._evaluate_draw([None, (x, y)], tf.constant(i, tf.int64)).numpy()[3])
            for i in range(count)]

  def scores(self) -> Arrays:
    return {layer.name: layer.score.numpy() for layer in self.layers}

  def frozen_kernels(self) -> Arrays:
    return {layer.name: layer.kernel.numpy() for layer in self.layers}

  def biases(self) -> Arrays:
    return {layer.name: layer.bias.numpy() for layer in self.layers}


def expected_masks(scores: Arrays) -> Arrays:
  """The deterministic mask of learned scores: 1 where sigmoid(score) > 0.5 (score > 0)."""
  return {name: (s > 0).astype(np.float32) for name, s in scores.items()}


def effective_kernels(kernels: Arrays, masks: Arrays, dynamic_scaling: bool) -> Arrays:
  """kernel x mask, times size / ones per layer with dynamic scaling (as the layer computes)."""
  out = {}
  for name, kernel in kernels.items():
    k = kernel * masks[name]
    if dynamic_scaling:
      k = k * np.float32(masks[name].size / max(float(masks[name].sum()), 1.0))
    out[name] = k.astype(np.float32)
  return out


def keep_probability(scores: Arrays) -> float:
  """Percent of weights an average sampled mask keeps: 100 x mean sigmoid(score) over all."""
  total = sum(s.size for s in scores.values())
  return 100.0 * sum(float(np.sum(1 / (1 + np.exp(-s.astype(np.float64)))))
                     for s in scores.values()) / total

"""The compiled pieces of a training loop, shared by foundations.trainer and
foundations.supermask_training: the optimizer, one training step, a chunk of steps as one
compiled loop over in-memory data, and fused evaluation of the validation and test sets.
"""

import contextlib
from typing import Callable, List

import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations.hparams import TrainingHparams


def make_optimizer(hp: TrainingHparams) -> keras.optimizers.Optimizer:
  if hp.optimizer == 'adam':
    return keras.optimizers.Adam(hp.learning_rate)
  if hp.optimizer == 'momentum':  # learned supermasks (Zhou et al. 2019)
    return keras.optimizers.SGD(hp.learning_rate, momentum=0.9)
  return keras.optimizers.SGD(hp.learning_rate)


def make_evaluate(model: keras.Model, batch_size: int) -> Callable:
  """A tf.function(eval_sets) returning [val_loss, val_acc, test_loss, test_acc] (val nan if
  absent).

  eval_sets is TrainingData.eval_sets(): the tensors are arguments, so one trace serves every
  dataset of the same shapes.
  """

  def loss_and_accuracy(x, y):
    n = int(x.shape[0])
    loss_sum, correct = tf.constant(0.0), tf.constant(0)
    for start in range(0, n, batch_size):  # static: a few slices at most
      xb, yb = x[start:start + batch_size], y[start:start + batch_size]
      logits = model(xb, training=False)
      loss_sum += tf.reduce_sum(
          tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits))
      correct += tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, -1, output_type=tf.int32), yb),
                                       tf.int32))
    return loss_sum / n, tf.cast(correct, tf.float32) / n

  @tf.function(autograph=False)
  def evaluate(eval_sets):
    out = []
    for t in eval_sets:
      out.extend([tf.constant(np.nan), tf.constant(np.nan)] if t is None else loss_and_accuracy(*t))
    return tf.stack(out)

  return evaluate


def make_step(model: keras.Model, optimizer: keras.optimizers.Optimizer,
              variables: List[tf.Variable], scope: Callable = contextlib.nullcontext,
              before: Callable = lambda: None) -> Callable:
  """One cross-entropy training step (x [batch, ...], y [batch] int32) -> (mean loss, number
  correct), traced inside the training loop: `before()` runs first (e.g. a new mask draw) and
  the forward pass runs under the context `scope()`."""
  def step(x, y):
    before()
    with tf.GradientTape() as tape, scope():
      logits = model(x, training=True)
      loss = tf.reduce_mean(
          tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, -1, output_type=tf.int32), y),
                                    tf.float32))
    return loss, correct
  return step


def make_run_steps(step: Callable, jit_compile: bool) -> Callable:
  """run_steps(indices [steps, batch], x_all, y_all) -> (mean loss, accuracy) of the chunk: one
  `step(x, y) -> (loss, number correct)` per row of indices, on examples gathered from the
  in-memory training set; the whole chunk is one compiled loop (no per-step dispatch)."""

  @tf.function(jit_compile=jit_compile, reduce_retracing=True, autograph=False)
  def run_steps(indices, x_all, y_all):
    steps = tf.shape(indices)[0]

    def body(i, loss_sum, correct, seen):
      batch = indices[i]
      y = tf.gather(y_all, batch)
      loss, c = step(tf.gather(x_all, batch), y)
      return i + 1, loss_sum + loss, correct + c, seen + tf.cast(tf.shape(y)[0], tf.float32)

    zero = tf.constant(0.0)
    _, loss_sum, correct, seen = tf.while_loop(lambda i, *_: i < steps, body,
                                               (tf.constant(0), zero, zero, zero))
    return loss_sum / tf.cast(steps, tf.float32), correct / seen

  return run_steps

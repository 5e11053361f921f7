"""One training run: N iterations, fused evaluation every K iterations, metrics.

Python never runs per step: each chunk of `eval_every` steps is one compiled
call that gathers its batches by index from the in-memory training set. The
data order is tf.data's seeded shuffle, pulled one whole epoch permutation at
a time and cut into [steps, batch] index blocks in Python, so there is no
per-step dispatch, per-batch copy or per-element tf.data work in the step
(the weights are bit-identical to a compiled step per tf.data batch; the
logged mean train loss is summed in another order). Validation + test are
evaluated together in one call.
"""

import math
import time
from typing import Callable, Dict, List, Optional, Protocol, Tuple

import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import checkpoints
from foundations import masked_layers
from foundations import quiet
from foundations import train_steps
from foundations import xla_cache
from foundations.hparams import CURVE_ITERATIONS, TrainingHparams
from foundations.metrics import Diverged, Metrics


class TrainingData(Protocol):
  """What the trainer needs of a dataset (datasets.pipeline.DataSplits provides it)."""

  def train_order(self, seed: int) -> tf.data.Dataset:
    """Endless stream of [N] int64 permutations of train_arrays()'s rows, one per epoch."""

  def train_arrays(self) -> Tuple[tf.Tensor, tf.Tensor]:
    """(x [N, ...] float32, y [N] int32): the whole training split as tensors."""

  def eval_sets(self) -> List[Optional[Tuple[tf.Tensor, tf.Tensor]]]:
    """[validation, test] as (x, y) tensors; None for a missing split."""


class IndexStream:
  """The training order as consecutive [steps, batch] index blocks.

  The epochs' permutations laid end to end and cut into batches, so a batch
  may span two epochs: exactly tf.data's shuffle().repeat().batch() order.
  """

  def __init__(self, epochs: tf.data.Dataset):
    self._epochs = iter(epochs)
    self._buffer = np.zeros([0], np.int64)

  def take(self, steps: int, batch_size: int) -> np.ndarray:
    """The next steps * batch_size indices as an int64 array [steps, batch_size]."""
    need = steps * batch_size
    while len(self._buffer) < need:
      self._buffer = np.concatenate([self._buffer, next(self._epochs).numpy()])
    block, self._buffer = self._buffer[:need], self._buffer[need:]
    return block.reshape(steps, batch_size)

  def skip(self, count: int) -> None:
    """Drops the next `count` indices as take() would hand them out, one epoch at a time."""
    while count > len(self._buffer):
      count -= len(self._buffer)
      self._buffer = next(self._epochs).numpy()
    self._buffer = self._buffer[count:]


class CompiledTraining:
  """A model with its optimizer, compiled train step, chunk loop and evaluation.

  Made once and reused for every level a process trains with the same network
  and training hyperparameters: tracing and XLA-compiling anew per level cost
  seconds and kept every level's graphs in memory. `reset()` puts the optimizer
  back to its initial state (iteration 0, zero slots); the caller sets the
  model's weights, masks and biases. The indices and the training arrays are
  arguments, so a new data order or split needs no new trace.
  """

  def __init__(self, model: keras.Model, hp: TrainingHparams, eval_batch_size: int,
               jit_compile: bool):
    self.model = model
    self.optimizer = train_steps.make_optimizer(hp)
    variables = model.trainable_variables
    self.optimizer.build(variables)  # slots must exist before the graph loop is traced
    optimizer = self.optimizer
    step = train_steps.make_step(model, optimizer, variables, masked_layers.pruned_entries_are_zero)
    # autograph=False here and below: nothing in these functions branches on a tensor, and
    # converting the Keras and optimizer code they call took a second of every process's start.
    self._run_steps = train_steps.make_run_steps(step, jit_compile)
    self._quiet_load = jit_compile and xla_cache.active()
    self._shapes_run = set()  # (steps, training-set shape) already compiled or loaded here
    self.evaluate = train_steps.make_evaluate(model, eval_batch_size)

  def train_chunk(self, indices: np.ndarray, x_all: tf.Tensor, y_all: tf.Tensor):
    """One optimizer step per row of indices [steps, batch] (rows of x_all, y_all); returns
    (mean loss, accuracy) over the chunk as scalar tensors."""
    indices = tf.constant(indices, tf.int64)
    shapes = (indices.shape[0], tuple(x_all.shape))
    if not self._quiet_load or shapes in self._shapes_run:
      return self._run_steps(indices, x_all, y_all)
    self._shapes_run.add(shapes)
    with quiet.without_lines(xla_cache.LOAD_NOISE):  # a new shape: XLA compiles or loads it
      return self._run_steps(indices, x_all, y_all)

  def reset(self) -> None:
    """The optimizer as freshly built: iteration count and every slot (Adam's m, v) zero."""
    for v in self.optimizer.variables:
      v.assign(tf.zeros_like(v))

  def state_variables(self) -> List[tf.Variable]:
    """Every variable training reads or changes, in a fixed order (what a checkpoint holds):
    the model's (kernels, masks, biases, frozen values, tfmot's counters) and the optimizer's."""
    return list(self.model.variables) + list(self.optimizer.variables)


def train(compiled: CompiledTraining, data: TrainingData, hp: TrainingHparams, data_seed: int,
          on_eval: Optional[Callable[[Dict[str, float]], None]] = None,
          snapshot_iteration: Optional[int] = None,
          on_snapshot: Optional[Callable[[], None]] = None, first_stop: int = 1,
          checkpoint: Optional[checkpoints.Checkpoint] = None) -> Metrics:
  """Trains `compiled.model` in place for hp.training_iterations steps, evaluating every
  hp.eval_every; the optimizer starts fresh (compiled.reset()), the weights as the caller set them.

  Args:
    compiled: the model and its compiled functions (made with the same hp).
    data: normalized data (see TrainingData).
    hp: the training hyperparameters.
    data_seed: seed of the training-set shuffling.
    on_eval: called with each metrics row (dict of METRIC_NAMES) as it is recorded.
    snapshot_iteration: if set, `on_snapshot()` is called once the model has
      taken exactly this many steps (0: before training), e.g. to save the
      weights for late resetting.
    first_stop: the first iteration the early stop may be chosen at (Metrics.summary's
      first_stop); with hp.test_eval == 'needed' the test set is evaluated at every new
      validation-loss minimum from there on.
    checkpoint: if set, training resumes from a trustworthy checkpoint there (its rows are
      passed to on_eval again, the snapshot was taken before it was saved) and saves one after
      an evaluation at most every checkpoint.seconds (foundations.checkpoints); the caller
      deletes it once the level's results are written.
  """
  compiled.reset()
  masked_layers.zero_pruned(compiled.model)  # what the compiled step assumes (masked_layers)
  order = IndexStream(data.train_order(data_seed))
  x_all, y_all = data.train_arrays()
  eval_sets = data.eval_sets()
  metrics = Metrics()
  lazy_test = hp.test_eval == 'needed' and eval_sets[0] is not None
  best_val = [math.inf]

  def evaluate(iteration):
    """[val_loss, val_acc, test_loss, test_acc]; None where not evaluated (val without a
    validation split; with lazy_test, test where nothing reads it). The early stop is the
    earliest minimum of validation loss, so it is always a new strict minimum when evaluated:
    test is measured there, at iterations <= CURVE_ITERATIONS (Figure 3) and at the end, which
    is all the summary and the figures read."""
    if not lazy_test:
      values = [float(v) for v in compiled.evaluate(eval_sets).numpy()]
      return [None, None, *values[2:]] if eval_sets[0] is None else values
    vl, va, _, _ = (float(v) for v in compiled.evaluate([eval_sets[0], None]).numpy())
    candidate = iteration >= max(first_stop, 1) and not math.isnan(vl)  # as Metrics.summary
    new_minimum = candidate and vl < best_val[0]
    if new_minimum:
      best_val[0] = vl
    needed = new_minimum or iteration <= CURVE_ITERATIONS or iteration == hp.training_iterations
    if not needed:
      return [vl, va, None, None]
    _, _, tl, ta = (float(v) for v in compiled.evaluate([None, eval_sets[1]]).numpy())
    return [vl, va, tl, ta]

  def record(iteration, train_loss, train_acc):
    vl, va, tl, ta = evaluate(iteration)
    row = dict(iteration=iteration, train_loss=train_loss, train_accuracy=train_acc,
               val_loss=vl, val_accuracy=va, test_loss=tl, test_accuracy=ta)
    metrics.rows.append(row)
    if on_eval:
      on_eval(row)
    check_finite(iteration, row)

  def check_finite(iteration, row):
    """Diverged (the level must not count as a result) at a non-finite loss or weight; on the
    host at each evaluation, so the compiled step stays as it is."""
    for key in ('train_loss', 'val_loss', 'test_loss'):
      if row[key] is not None and not math.isfinite(row[key]):
        raise Diverged(iteration, key.replace('_', ' '), row[key], metrics)
    for v in compiled.model.trainable_variables:
      if not np.isfinite(v.numpy()).all():
        raise Diverged(iteration, f'weights of {v.name}', 'not finite', metrics)

  def maybe_snapshot(iteration):
    if on_snapshot is not None and iteration == snapshot_iteration:
      on_snapshot()

  variables = compiled.state_variables() if checkpoint else []
  resumed = checkpoint and checkpoints.restore(checkpoint, variables, hp.training_iterations)
  if resumed:
    iteration, best_val[0] = resumed.iteration, resumed.best_val
    metrics.rows.extend(resumed.rows)
    order.skip(iteration * hp.batch_size)
    for row in resumed.rows if on_eval else []:
      on_eval(row)
  else:
    record(0, None, None)
    maybe_snapshot(0)
    iteration = 0
  saved_at = time.monotonic()
  # Train-loss/accuracy accumulate over all steps since the last evaluation,
  # including when a snapshot splits the chunk in two.
  loss_sum, correct_sum, since_eval = 0.0, 0.0, 0
  while iteration < hp.training_iterations:
    next_eval = min((iteration // hp.eval_every + 1) * hp.eval_every, hp.training_iterations)
    stop = next_eval
    if snapshot_iteration is not None and iteration < snapshot_iteration < next_eval:
      stop = snapshot_iteration
    steps = stop - iteration
    loss, acc = compiled.train_chunk(order.take(steps, hp.batch_size), x_all, y_all)
    loss_sum += float(loss) * steps
    correct_sum += float(acc) * steps
    since_eval += steps
    iteration = stop
    if not math.isfinite(loss_sum):  # also where a snapshot ends the chunk: no weights saved
      record(iteration, loss_sum / since_eval, correct_sum / since_eval)
    maybe_snapshot(iteration)
    if iteration == next_eval:
      record(iteration, loss_sum / since_eval, correct_sum / since_eval)
      loss_sum, correct_sum, since_eval = 0.0, 0.0, 0
      # Only here: nothing but the variables, rows and best_val carries to the next chunk.
      if (checkpoint and iteration < hp.training_iterations and
          time.monotonic() - saved_at >= checkpoint.seconds):
        checkpoints.save(checkpoint, variables,
                         checkpoints.State(iteration, metrics.rows, best_val[0]),
                         hp.training_iterations)
        saved_at = time.monotonic()
  xla_cache.publish()  # what this level compiled, for the next process
  return metrics

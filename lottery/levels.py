"""Runs a procedure's levels: wires network, data and description into the one level loop.

  <output_dir>/trial<T>/<level>/<experiment>/{initial,masks,final,final_biases}.npz,
                                             metrics.csv, summary.json, tensorboard/
  <output_dir>/trial<T>/<experiment>.hparams.json, <experiment>.results.md

Every procedure (lottery, controls, one-shot, ...) trains the same way: the
net is built with the run's model seed, set to the procedure's start, trained
with the level's data order, and measured.
"""

import functools
import gc
import json
import os
import time
from typing import Callable, List, Optional, Sequence

from foundations import experiment
from foundations import hparams
from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery import procedures
from lottery import progress
from lottery import seeds


# (network, training hparams, ...) -> trainer.CompiledTraining reused across levels; see
# make_train_level.
_COMPILED = {}


class ResultsMismatchError(ValueError):
  """The output directory holds results of an experiment with other hyperparameters."""


def experiment_name(procedure: procedures.Procedure, desc: hparams.Desc) -> str:
  """Where a procedure's runs go: the description's name for lottery, else the procedure's."""
  return desc.experiment_name if procedure.name == 'lottery' else procedure.name


def check_or_record_hparams(desc: hparams.Desc, output_dir: str) -> None:
  """Records desc beside the results; refuses (without writing) if different ones are there."""
  path = paths.hparams(output_dir, desc.trial, desc.experiment_name)
  if os.path.exists(path):
    with open(path) as f:
      stored = json.load(f)
    # Fields added later read as their defaults (the behaviour before they existed).
    stored = hparams.from_flat(stored).results_key()
    wanted = desc.results_key()
    if stored != wanted:
      diff = sorted(k for k in wanted if stored.get(k) != wanted[k])
      raise ResultsMismatchError(
          f'{path}: existing results were made with different hyperparameters '
          f'({", ".join(diff)}); use another --output_dir or --experiment_name')
  save_restore.save_json(path, desc.to_dict())


# TensorBoard tag and metrics-row key of each scalar written per evaluation.
_SCALARS = tuple((f'{split}/{what}', f'{split}_{what}') for split in ('train', 'val', 'test')
                 for what in ('loss', 'accuracy'))


def _scalar(tf, tag: str, value):
  """tf.summary.scalar under exactly `tag` (inside tf.cond the tag would gain 'cond_N/')."""
  scope, name = tag.rsplit('/', 1)
  with tf.name_scope(scope + '/'):  # a trailing '/' names the scope absolutely
    return tf.summary.scalar(name, value)


def _not_row_writer_retracing(record) -> bool:
  """Drops TensorFlow's "frequent retracing" warning about write_present: the function is made
  (and traced once) per level on purpose, as each level has its own summary writer."""
  return 'write_present' not in record.getMessage()


def _row_writer(writer):
  """write(row): the row's scalars (NaNs skipped) in one graph call, not six eager summary
  writes (0.3 s less per 50-evaluation level). Which are present is a boolean tensor, so one
  trace serves every row (a Python pattern per row retraced up to five times a level).
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  logger = tf.get_logger()
  if _not_row_writer_retracing not in logger.filters:
    logger.addFilter(_not_row_writer_retracing)

  @tf.function(autograph=False)
  def write_present(iteration, values, present):
    with writer.as_default(step=iteration):
      for i, (tag, _) in enumerate(_SCALARS):
        tf.cond(present[i], lambda i=i, tag=tag: _scalar(tf, tag, values[i]),
                lambda: tf.constant(False))

  def write(row):
    values = tf.constant([row[key] for _, key in _SCALARS], tf.float32)
    write_present(tf.constant(int(row['iteration']), tf.int64), values,
                  tf.logical_not(tf.math.is_nan(values)))

  return write


def make_train_level(desc: hparams.Desc, data, network, show_progress: bool = True,
                     save_rewind_point: bool = False) -> Callable:
  """train_level(start, level, run_dir) -> experiment.Result for the level loop.

  With `save_rewind_point`, level 0 also saves its weights at the description's
  rewind_iteration (rewind.npz, rewind_biases.npz) for late resetting.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import tf_keras as keras  # pylint: disable=g-import-not-at-top
  from foundations import masked_layers  # pylint: disable=g-import-not-at-top
  from foundations import trainer  # pylint: disable=g-import-not-at-top
  model_seed = seeds.derive(desc.seed, desc.trial, 'model')
  # The model and its compiled functions are reused by every level in this process that has the
  # same network and training settings: each level sets all weights, masks and biases and resets
  # the optimizer, so results are those of a fresh model. Not with dropout, whose random state
  # would carry over from one level to the next.
  reusable = not desc.model.dropout
  key = (network.name, desc.training, network.eval_batch_size, network.jit_compile)

  def compiled_model():
    if reusable and key in _COMPILED:
      return _COMPILED[key]
    compiled = trainer.CompiledTraining(network.build(model_seed, desc.model.dropout),
                                        desc.training, network.eval_batch_size,
                                        network.jit_compile)
    if reusable:
      _COMPILED.clear()  # one network at a time: keep memory flat
      _COMPILED[key] = compiled
    return compiled

  # How a level's masks and trained kernels are read after training, the first iteration its
  # early stop may be chosen at, and what its summary adds: (masks, kernels, first_stop, extra).
  fixed_masks = (masked_layers.get_masks, masked_layers.get_kernels, 1, {})

  def fixed_model(start: experiment.Start):
    compiled = compiled_model()
    masked_layers.set_weights_and_masks(compiled.model, start.initial, start.masks, start.biases)
    return compiled, fixed_masks

  def gradual_model(start: experiment.Start):
    """A fresh model wrapped for gradual pruning to start.prune_to (its schedule is traced in)."""
    from foundations import gmp  # pylint: disable=g-import-not-at-top  (tfmot: only for gmp)
    schedule = gmp.Schedule.of(desc.training.training_iterations, desc.pruning.gmp_begin,
                               desc.pruning.gmp_end, desc.pruning.gmp_frequency)
    model = network.build(model_seed, desc.model.dropout)
    masked_layers.set_weights_and_masks(model, start.initial, start.masks, start.biases)
    wrapped = gmp.wrap(model, start.prune_to, schedule)
    gmp.prepare(wrapped)
    # The early stop is chosen once the level's sparsity is reached (at once if nothing is pruned).
    pruned = any(count < start.masks[name].size for name, count in start.prune_to.items())
    extra = {'gmp_schedule': dict(begin=schedule.begin, end=schedule.end,
                                  frequency=schedule.frequency)}
    compiled = trainer.CompiledTraining(wrapped, desc.training, network.eval_batch_size,
                                        network.jit_compile)
    return compiled, (gmp.masks, gmp.final_kernels, schedule.end if pruned else 1, extra)

  def train_level(start: experiment.Start, level: int, run_dir: str) -> experiment.Result:
    begin = time.time()
    gradual = start.prune_to is not None
    compiled, (get_masks, get_kernels, first_stop, extra) = \
        gradual_model(start) if gradual else fixed_model(start)
    model = compiled.model
    writer = tf.summary.create_file_writer(paths.tensorboard(run_dir))
    bar = progress.Progress(level, desc.training.training_iterations) \
        if show_progress else None

    write_row = _row_writer(writer)

    def on_eval(row):
      write_row(row)
      if bar:
        bar(row)

    def save_rewind():
      save_restore.save_npz(paths.rewind(run_dir), masked_layers.get_kernels(model))
      save_restore.save_npz(paths.rewind_biases(run_dir), masked_layers.get_biases(model))

    rewinding = save_rewind_point and level == 0
    metrics = trainer.train(compiled, data, desc.training,
                            seeds.derive(desc.seed, desc.trial, 'data', level), on_eval=on_eval,
                            snapshot_iteration=desc.pruning.rewind_iteration if rewinding else None,
                            on_snapshot=save_rewind, first_stop=first_stop)
    writer.close()
    masks = get_masks(model)
    summary = dict(metrics.summary(first_stop=first_stop), level=level,
                   percent_remaining=pruning.percent_remaining(masks),
                   remaining=pruning.remaining_counts(masks),
                   wall_seconds=time.time() - begin, **extra)
    # Masks decided while training are the level's; fixed ones are saved from the start.
    result = experiment.Result(get_kernels(model), masked_layers.get_biases(model),
                               metrics.to_csv(), summary, masks=masks if gradual else None)
    if gradual or not reusable:  # a model per level: drop it and its graphs
      del model, compiled
      if not reusable:  # (a cached model may live beside a gradual one: keep the session)
        keras.backend.clear_session()
      gc.collect()
    return result

  return train_level


def run(procedure: procedures.Procedure, desc: hparams.Desc, data, network, output_dir: str,
        levels: Optional[Sequence[int]] = None, source_name: Optional[str] = None,
        show_progress: bool = True,
        on_level: Optional[Callable[[int, dict, bool], None]] = None) -> List[dict]:
  """Trains (or resumes) `procedure` at `levels`; returns their summaries.

  Args:
    procedure: a registered procedure.
    desc: the run's description (for controls: the lottery run's).
    data: datasets.pipeline.DataSplits, or a function returning them, called (once) only if
      a level has to run; it is the place to start TensorFlow (see lottery.runner).
    network: a lottery.networks.Network.
    output_dir: root of the results.
    levels: levels to run (default: the procedure's default levels).
    source_name: the experiment a control reads (default: desc.experiment_name).
    on_level: called (level, summary, resumed) after each level.
  """
  source_name = source_name or desc.experiment_name
  name = experiment_name(procedure, desc)
  run_desc = desc.replace(experiment_name=name)
  check_or_record_hparams(run_desc, output_dir)
  ctx = procedures.Context(desc, network, output_dir, name, source_name)
  if levels is None:
    levels = procedure.default_levels(desc, ctx.stores['source'].finished_levels())
  store = ctx.stores['self']

  @functools.lru_cache(maxsize=None)
  def ready():  # made when a level must run: rerunning finished levels starts no TensorFlow
    return make_train_level(run_desc, data() if callable(data) else data, network, show_progress,
                            save_rewind_point=procedure.name == 'lottery'
                            and desc.pruning.rewind_iteration > 0)

  def start(level):
    ready()  # first: a procedure may draw weights with TensorFlow, which must be set up by then
    return procedure.start(ctx, level)

  summaries = experiment.experiment(
      levels, store, start, lambda *args: ready()(*args),
      verify_level=lambda level: store.load(level, ctx.shapes), on_level=on_level)
  save_restore.save_text(paths.results_table(output_dir, desc.trial, name),
                         progress.table(summaries))
  return summaries

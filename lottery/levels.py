"""Runs a procedure's levels: wires network, data and description into the one level loop.

  <output_dir>/trial<T>/<level>/<experiment>/{initial,masks,final,final_biases}.npz,
                                             metrics.csv, summary.json, tensorboard/
  <output_dir>/trial<T>/<experiment>.hparams.json, <experiment>.results.md

Every procedure trains the same way: the net is built with the run's model
seed, set to the procedure's start by the procedure's `training` hook, trained
with the level's data order, and measured. What differs between procedures is
declared by the procedure (lottery.procedures.Procedure), never tested here by name.
"""

import functools
import os
import time
from typing import Callable, List, Optional, Sequence

from foundations import checkpoints
from foundations import experiment
from foundations import hparams
from foundations import metrics as metrics_lib
from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery import level_models
from lottery import procedures
from lottery import progress
from lottery import seeds
from lottery import tensorboard_rows


class ResultsMismatchError(ValueError):
  """The output directory holds results of an experiment with other hyperparameters."""


class DivergedError(ValueError):
  """A level's loss or weights became non-finite; nothing of it counts as finished."""


HPARAMS_REMEDY = ('delete it and rerun the command that made the run to record its '
                  'hyperparameters again')


def read_hparams(path: str) -> hparams.Desc:
  """The description recorded in `path` (fields added since then take their defaults);
  JsonError or HparamsError (one line naming the file) when it is damaged."""
  flat = save_restore.load_json(path, HPARAMS_REMEDY)
  try:
    return hparams.from_flat(flat).validate()
  except (ValueError, TypeError) as e:
    raise save_restore.JsonError(f'{path}: unreadable hyperparameters ({e}); '
                                 f'{HPARAMS_REMEDY}') from None


def check_or_record_hparams(desc: hparams.Desc, output_dir: str) -> None:
  """Records desc beside the results; refuses (without writing) if different ones are there."""
  path = paths.hparams(output_dir, desc.trial, desc.experiment_name)
  if os.path.exists(path):
    # Fields added later read as their defaults (the behaviour before they existed).
    stored = read_hparams(path).results_key()
    wanted = desc.results_key()
    if stored != wanted:
      diff = sorted(k for k in wanted if stored.get(k) != wanted[k])
      raise ResultsMismatchError(
          f'{path}: existing results were made with different hyperparameters '
          f'({", ".join(diff)}); use another --output_dir or --experiment_name')
  save_restore.save_json(path, desc.to_dict())


def make_train_level(procedure: procedures.Procedure, desc: hparams.Desc, data, network,
                     show_progress: bool = True, checkpoint_root: Optional[str] = None,
                     checkpoint_seconds: Optional[float] = checkpoints.DEFAULT_SECONDS
                     ) -> Callable:
  """train_level(start, level, run_dir) -> experiment.Result for the level loop.

  The procedure's `training` makes each level's model; its `rewind_point` says whether (and at
  which iteration) a level also saves its weights for late resetting (rewind.npz,
  rewind_biases.npz). A level saves a checkpoint (foundations.checkpoints) at most every
  checkpoint_seconds (None: never) in its run dir, or in its dir under checkpoint_root when
  given, and resumes from it; it is deleted once the level's results are made.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from foundations import masked_layers  # pylint: disable=g-import-not-at-top
  from foundations import trainer  # pylint: disable=g-import-not-at-top
  models = level_models.Models(desc, network)

  def level_checkpoint(start: experiment.Start, level: int, run_dir: str):
    """The level's Checkpoint, keyed by everything that decides what it computes; None
    where a resumed level could differ from an uninterrupted one."""
    if checkpoint_seconds is None or desc.model.dropout:  # dropout's random state lives in its
      return None  # ops, not in variables: it cannot be saved
    directory = run_dir
    if checkpoint_root is not None:
      if procedure.rewind_point(desc, level) is not None:  # rewind.npz would be written in the
        return None  # run dir (a sweep task's scratch), lost with the task, but not redone
      directory = paths.run(checkpoint_root, desc.trial, level, desc.experiment_name)
    key = checkpoints.digest(desc.to_dict(), procedure.name, level, start.initial, start.masks,
                             start.biases, start.prune_to, start.frozen)
    return checkpoints.Checkpoint(paths.checkpoint(directory), key, checkpoint_seconds,
                                  f'level {level}')

  def train_level(start: experiment.Start, level: int, run_dir: str) -> experiment.Result:
    begin = time.time()
    checkpoint = level_checkpoint(start, level, run_dir)
    made = procedure.training(models, start)
    model = made.compiled.model
    writer = tf.summary.create_file_writer(paths.tensorboard(run_dir))
    write_row = tensorboard_rows.writer(writer)
    bar = progress.Progress(level, desc.training.training_iterations) if show_progress else None

    def on_eval(row):
      write_row(row)
      if bar:
        bar(row)

    def save_rewind():
      save_restore.save_npz(paths.rewind(run_dir), masked_layers.get_kernels(model))
      save_restore.save_npz(paths.rewind_biases(run_dir), masked_layers.get_biases(model))

    try:
      metrics = trainer.train(made.compiled, data, desc.training,
                              seeds.derive(desc.seed, desc.trial, 'data', level), on_eval=on_eval,
                              snapshot_iteration=procedure.rewind_point(desc, level),
                              on_snapshot=save_rewind, first_stop=made.first_stop,
                              checkpoint=checkpoint)
    except metrics_lib.Diverged as e:  # no summary.json: the level is not a result
      writer.close()
      if checkpoint:  # a rerun with other settings has another key; the same ones diverge again
        checkpoints.remove(checkpoint.path)
      save_restore.save_text(paths.metrics(run_dir), e.metrics.to_csv())  # where it went wrong
      raise DivergedError(f'level {level} {e}; lower --learning_rate') from None
    writer.close()
    masks = made.masks(model)
    measured = made.finish(model, data) if made.finish else {}
    summary = dict(metrics.summary(first_stop=made.first_stop), level=level,
                   percent_remaining=pruning.percent_remaining(masks),
                   remaining=pruning.remaining_counts(masks),
                   wall_seconds=time.time() - begin, **made.summary_extra, **measured)
    biases = (made.biases or masked_layers.get_biases)(model)
    result = experiment.Result(made.kernels(model), biases,
                               metrics.to_csv(), summary,
                               masks=masks if made.changes_masks else None,
                               frozen=made.frozen(model) if made.frozen else None)
    if checkpoint:  # the results are made: the level's files follow at once, summary.json last
      checkpoints.remove(checkpoint.path)
    if made.own:  # a model for this level alone: drop it and its graphs
      del made, model
      models.release()
    return result

  return train_level


def run(procedure: procedures.Procedure, desc: hparams.Desc, data, network, output_dir: str,
        levels: Optional[Sequence[int]] = None, source_name: Optional[str] = None,
        show_progress: bool = True,
        on_level: Optional[Callable[[int, dict, bool], None]] = None,
        source_dir: Optional[str] = None,
        on_start: Optional[Callable[[List[int], List[int]], None]] = None,
        checkpoint_root: Optional[str] = None, checkpoints_on: bool = True) -> List[dict]:
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
    source_dir: the output directory of the run a control reads (default: output_dir); it
      is only read.
    on_start: called (levels to have, levels finished earlier) before the first.
    checkpoint_root: the output directory whose level dirs hold the levels' checkpoints
      (default: output_dir, i.e. each level's run dir); checkpoints_on: False for none. How
      often they are saved is $LTH_CHECKPOINT_SECONDS (foundations.checkpoints).
  """
  source_name = source_name or desc.experiment_name
  seconds = checkpoints.interval_seconds() if checkpoints_on else None  # bad value: refused now
  desc = procedure.variant_of(desc)  # the hparams a variant procedure sets (e.g. mask_criterion)
  name = procedure.experiment_name(desc)
  run_desc = procedure.describe(desc).replace(experiment_name=name)
  check_or_record_hparams(run_desc, output_dir)
  ctx = procedures.Context(desc, network, output_dir, name, source_name, source_dir)
  if levels is None:
    levels = procedure.default_levels(desc, ctx.stores['source'].finished_levels())
  store = ctx.stores['self']
  if on_start:
    on_start(list(levels), store.finished_levels())

  @functools.lru_cache(maxsize=None)
  def ready():  # made when a level must run: rerunning finished levels starts no TensorFlow
    return make_train_level(procedure, run_desc, data() if callable(data) else data, network,
                            show_progress, checkpoint_root, seconds)

  def start(level):
    ready()  # first: a procedure may draw weights with TensorFlow, which must be set up by then
    return procedure.start(ctx, level)

  summaries = experiment.experiment(
      levels, store, start, lambda *args: ready()(*args),
      verify_level=lambda level: store.load(level, ctx.shapes), on_level=on_level)
  # Every finished level on disk, not only those asked for this time (--rounds=1 on a finished
  # 2-round run keeps level 2's row).
  save_restore.save_text(paths.results_table(output_dir, desc.trial, name),
                         progress.table([store.load_summary(level)
                                         for level in store.finished_levels()]))
  return summaries

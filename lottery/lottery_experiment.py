"""Iterative magnitude pruning with resetting to theta_0 (the lottery-ticket procedure).

Wires a Network, the data and the hyperparameters into the generic
`foundations.experiment` loop, and writes metrics, summaries and TensorBoard
files for each level.
"""

import json
import os
import time
from typing import List

import numpy as np
import tensorflow as tf

from datasets.pipeline import DataSplits
from foundations import experiment as experiment_lib
from foundations import masked_layers
from foundations import paths
from foundations import pruning
from foundations import save_restore
from foundations import trainer
from foundations.hparams import Hparams
from lottery import reporting
from lottery import seeds
from lottery.networks import Network, layer_percents


class ResultsMismatchError(ValueError):
  """The output directory holds results of an experiment with other hyperparameters."""


def check_or_record_hparams(hp: Hparams, output_dir: str) -> None:
  """Records hp beside the results; refuses (without writing) if different ones are there."""
  path = paths.hparams(output_dir, hp.trial, hp.experiment_name)
  if os.path.exists(path):
    with open(path) as f:
      stored = json.load(f)
    stored.pop('rounds', None)
    # Fields added to Hparams later read as their defaults (the behaviour before they existed).
    stored = {k: stored.get(k, v) for k, v in Hparams().results_key().items()}
    if stored != hp.results_key():
      diff = sorted(k for k in hp.results_key() if stored.get(k) != hp.results_key()[k])
      raise ResultsMismatchError(
          f'{path}: existing results were made with different hyperparameters '
          f'({", ".join(diff)}); use another --output_dir or --experiment_name')
  save_restore.save_json(path, hp.to_dict())


def load_rewind_point(level0_dir: str, shapes: dict):
  """(kernels, biases) of level 0 at --rewind_iteration: what pruned levels are reset to."""
  kernels = save_restore.load_npz(paths.rewind(level0_dir), shapes)
  biases = save_restore.load_npz(paths.rewind_biases(level0_dir))
  return kernels, biases


def make_level_trainer(hp: Hparams, splits: DataSplits, network: Network,
                       show_progress: bool = True,
                       save_rewind_point: bool = False):
  """Returns train_model(model, level, run_dir) for foundations.experiment.

  With `save_rewind_point`, level 0 also saves its weights at hp.rewind_iteration
  (rewind.npz, rewind_biases.npz) for late resetting.
  """

  def train_model(model, level, run_dir):
    start = time.time()
    writer = tf.summary.create_file_writer(paths.tensorboard(run_dir))
    progress = reporting.Progress(level, hp.training_iterations) if show_progress else None

    def on_eval(row):
      with writer.as_default(step=int(row['iteration'])):
        for split in ('train', 'val', 'test'):
          for what in ('loss', 'accuracy'):
            value = row[f'{split}_{what}']
            if not np.isnan(value):
              tf.summary.scalar(f'{split}/{what}', value)
      if progress:
        progress(row)

    def save_rewind():
      save_restore.save_npz(paths.rewind(run_dir), masked_layers.get_kernels(model))
      save_restore.save_npz(paths.rewind_biases(run_dir), masked_layers.get_biases(model))

    rewinding = save_rewind_point and level == 0
    metrics = trainer.train(model, splits, hp, seeds.derive(hp.seed, hp.trial, 'data', level),
                            on_eval=on_eval, eval_batch_size=network.eval_batch_size,
                            jit_compile=network.jit_compile,
                            snapshot_iteration=hp.rewind_iteration if rewinding else None,
                            on_snapshot=save_rewind)
    writer.close()
    masks = masked_layers.get_masks(model)
    summary = dict(metrics.summary(), level=level,
                   percent_remaining=pruning.percent_remaining(masks),
                   remaining=pruning.remaining_counts(masks),
                   wall_seconds=time.time() - start)
    return masked_layers.get_kernels(model), metrics.to_csv(), summary

  return train_model


def run(hp: Hparams, splits: DataSplits, network: Network, output_dir: str,
        show_progress: bool = True) -> List[dict]:
  """Runs (or resumes) levels 0..hp.rounds; returns the per-level summaries.

  Writes <output_dir>/trial<T>/<level>/<experiment_name>/... and the results table.
  """
  check_or_record_hparams(hp, output_dir)
  model_seed = seeds.derive(hp.seed, hp.trial, 'model')
  template = network.build(model_seed, hp.dropout)
  shapes = {n: tuple(l.kernel.shape) for n, l in masked_layers.masked_layers(template).items()}
  percents = layer_percents(hp, network)

  store = experiment_lib.LevelStore(output_dir, hp.trial, hp.experiment_name)

  def make_model(initial, masks):
    model = network.build(model_seed, hp.dropout)
    if initial is None:
      initial = masked_layers.get_kernels(model)  # theta_0: the seeded Glorot draw
    biases = None
    if masks is not None and hp.rewind_iteration > 0:
      initial, biases = load_rewind_point(store.run_dir(0), shapes)
    ones = {n: np.ones(s, np.float32) for n, s in shapes.items()}
    masked_layers.set_weights_and_masks(model, initial, masks if masks is not None else ones,
                                        biases)
    return model, initial

  def prune_masks(masks, final):
    if hp.pruning_scope == 'global':
      return pruning.prune_global(hp.prune_percent, masks, final)
    return pruning.prune_by_percent(percents, masks, final, hp.pruning_rule)

  summaries = []

  def on_level(level, summary, resumed):
    summaries.append(summary)
    print(reporting.level_line(summary) + ('  (finished earlier, kept)' if resumed else ''),
          flush=True)

  experiment_lib.experiment(
      make_model, make_level_trainer(hp, splits, network, show_progress,
                                     save_rewind_point=hp.rewind_iteration > 0),
      prune_masks, hp.rounds, store, shapes, on_level)
  table = reporting.table(summaries)
  save_restore.save_text(paths.results_table(output_dir, hp.trial, hp.experiment_name), table)
  return summaries

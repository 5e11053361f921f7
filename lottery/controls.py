"""The paper's controls and one-shot pruning, run over a finished lottery experiment.

Each procedure trains one network per requested level and stores it under its
own experiment name beside the lottery run's files:
  <output_dir>/trial<T>/<level>/<procedure>/{initial,masks,final}.npz, metrics.csv, ...

  reinit       : the level's winning-ticket mask, a fresh random initialization
                 (the reference code's `reinitialize` runner).
  random_prune : a random mask with the level's per-layer counts, the original theta_0.
  one_shot     : prune the unpruned net's final weights in a single step to the
                 per-layer counts that `level` iterative rounds leave, reset to theta_0.
"""

from typing import Callable, Dict, Iterable, List, Optional

import numpy as np

from datasets.pipeline import DataSplits
from foundations import experiment as experiment_lib
from foundations import masked_layers
from foundations import pruning
from foundations.hparams import Hparams
from lottery import lottery_experiment
from lottery import seeds
from lottery.networks import Network, layer_percents

PROCEDURES = ('reinit', 'random_prune', 'one_shot')
Arrays = Dict[str, np.ndarray]


class MissingSourceError(ValueError):
  """The lottery run a control depends on has not finished the needed level."""


def reinit_kernels(network: Network, hp: Hparams, level: int) -> Arrays:
  """A fresh Glorot draw (seeded by trial and level), independent of theta_0."""
  model = network.build(seeds.derive(hp.seed, hp.trial, 'reinit', level), hp.dropout)
  return masked_layers.get_kernels(model)


def random_masks_like(masks: Arrays, seed: int) -> Arrays:
  """Uniformly random 0/1 masks with exactly the per-layer survivor counts of `masks`."""
  rng = np.random.RandomState(seed)
  out = {}
  for name, mask in masks.items():
    flat = np.zeros(mask.size, mask.dtype)
    flat[rng.choice(mask.size, int(np.count_nonzero(mask)), replace=False)] = 1
    out[name] = flat.reshape(mask.shape)
  return out


def one_shot_masks(final_weights: Arrays, percents: Dict[str, float], level: int) -> Arrays:
  """Keeps, per layer, the largest-|w| weights, as many as `level` rounds at `percents` leave."""
  out = {}
  for name, w in final_weights.items():
    keep = pruning.expected_remaining(w.size, percents[name], level)
    flat = np.zeros(w.size, np.float32)
    flat[np.argsort(-np.abs(w.reshape(-1)), kind='stable')[:keep]] = 1
    out[name] = flat.reshape(w.shape)
  return out


def _require(source: experiment_lib.LevelStore, level: int) -> None:
  if not source.is_finished(level):
    raise MissingSourceError(
        f'{source.run_dir(level)}: level {level} of the {source.experiment_name!r} run is not '
        'finished; run the train runner with the same flags first')


def run(procedure: str, hp: Hparams, splits: DataSplits, network: Network, output_dir: str,
        levels: Iterable[int], source_name: str = 'lottery',
        show_progress: bool = True,
        on_level: Optional[Callable[[dict, bool], None]] = None) -> List[dict]:
  """Trains `procedure` at each of `levels` (resuming finished ones); returns their summaries.

  `hp` is the lottery run's hyperparameters; training uses the same settings and
  the same data order as that level of the lottery run. `on_level(summary,
  resumed)` is called after each level.
  """
  if procedure not in PROCEDURES:
    raise ValueError(f'unknown procedure {procedure!r}; expected one of {PROCEDURES}')
  control_hp = hp.replace(experiment_name=procedure)
  lottery_experiment.check_or_record_hparams(control_hp, output_dir)
  source = experiment_lib.LevelStore(output_dir, hp.trial, source_name)
  target = experiment_lib.LevelStore(output_dir, hp.trial, procedure)
  template = network.build(0, hp.dropout)
  shapes = {n: tuple(l.kernel.shape) for n, l in masked_layers.masked_layers(template).items()}
  train_model = lottery_experiment.make_level_trainer(control_hp, splits, network, show_progress)
  summaries = []
  for level in levels:
    if target.is_finished(level):
      summaries.append(target.load_summary(level))
      if on_level:
        on_level(summaries[-1], True)
      continue
    _require(source, 0)
    theta0, _, final0 = source.load(0, shapes)
    if procedure == 'one_shot':
      masks, initial = one_shot_masks(final0, layer_percents(hp, network), level), theta0
    else:
      _require(source, level)
      _, level_masks, _ = source.load(level, shapes)
      if procedure == 'reinit':
        masks, initial = level_masks, reinit_kernels(network, hp, level)
      else:
        masks = random_masks_like(level_masks, seeds.derive(hp.seed, hp.trial, 'random', level))
        initial = theta0
    model = network.build(0, hp.dropout)
    masked_layers.set_weights_and_masks(model, initial, masks)
    run_dir = target.prepare(level)
    final, metrics_csv, summary = train_model(model, level, run_dir)
    target.save(level, initial, masks, final, metrics_csv, summary)
    summaries.append(summary)
    if on_level:
      on_level(summary, False)
  return summaries

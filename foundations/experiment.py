"""The generic lottery-ticket loop: train -> prune -> reset -> retrain, resumable.

As in the reference code, the loop knows nothing about networks or data: it
receives `make_model`, `train_model` and `prune_masks` functions. It adds what
the reference lacked: each finished level is stored on disk and never
recomputed, so an interrupted experiment resumes at its first unfinished level.
"""

import json
import os
import shutil
from typing import Callable, Dict, Optional, Tuple

import numpy as np

from foundations import paths
from foundations import save_restore

Arrays = Dict[str, np.ndarray]


class LevelStore:
  """Reads and writes one experiment's levels under the reference layout."""

  def __init__(self, output_dir: str, trial: int, experiment_name: str):
    self.output_dir, self.trial, self.experiment_name = output_dir, trial, experiment_name

  def run_dir(self, level: int) -> str:
    return paths.run(self.output_dir, self.trial, level, self.experiment_name)

  def is_finished(self, level: int) -> bool:
    return os.path.exists(paths.summary(self.run_dir(level)))

  def load(self, level: int, shapes: Dict[str, tuple]) -> Tuple[Arrays, Arrays, Arrays]:
    """(initial, masks, final) of a finished level; NpzError names a bad file."""
    d = self.run_dir(level)
    return tuple(save_restore.load_npz(p, shapes)
                 for p in (paths.initial(d), paths.masks(d), paths.final(d)))

  def load_summary(self, level: int) -> dict:
    with open(paths.summary(self.run_dir(level))) as f:
      return json.load(f)

  def prepare(self, level: int) -> str:
    """Clears leftovers of an interrupted attempt at an unfinished level; returns its dir."""
    d = self.run_dir(level)
    shutil.rmtree(paths.tensorboard(d), ignore_errors=True)
    os.makedirs(d, exist_ok=True)
    return d

  def save(self, level: int, initial: Arrays, masks: Arrays, final: Arrays,
           metrics_csv: str, summary: dict) -> None:
    """Writes the level's files atomically, summary.json last (it marks the level finished)."""
    d = self.run_dir(level)
    save_restore.save_npz(paths.initial(d), initial)
    save_restore.save_npz(paths.masks(d), masks)
    save_restore.save_npz(paths.final(d), final)
    save_restore.save_text(paths.metrics(d), metrics_csv)
    save_restore.save_json(paths.summary(d), summary)


def experiment(make_model: Callable, train_model: Callable, prune_masks: Callable,
               rounds: int, store: LevelStore, shapes: Dict[str, tuple],
               on_level: Optional[Callable[[int, dict, bool], None]] = None) -> Arrays:
  """Runs levels 0..rounds of iterative pruning with resetting to the initial weights.

  Args:
    make_model: (initial or None, masks or None) -> (model, initial); with None it
      draws a fresh seeded initialization and returns it as `initial` (theta_0).
    train_model: (model, level, run_dir) -> (final kernels dict, metrics_csv str, summary dict).
    prune_masks: (masks, final kernels) -> new masks.
    rounds: pruning rounds; levels 0..rounds are trained.
    store: where levels are read and written.
    shapes: layer name -> kernel shape, to validate stored files.
    on_level: called (level, summary, resumed) after each level.

  Returns:
    The masks of the last level.
  """
  initial = masks = final = None
  for level in range(rounds + 1):
    if store.is_finished(level):
      initial, masks, final = store.load(level, shapes)
      if on_level:
        on_level(level, store.load_summary(level), True)
      continue
    if level > 0:
      masks = prune_masks(masks, final)
    model, initial = make_model(initial, masks)
    if masks is None:
      masks = {name: np.ones(shape, np.float32) for name, shape in shapes.items()}
    run_dir = store.prepare(level)
    final, metrics_csv, summary = train_model(model, level, run_dir)
    store.save(level, initial, masks, final, metrics_csv, summary)
    if on_level:
      on_level(level, summary, False)
  return masks

"""The one level loop: for each level, start -> train -> save, resumable.

As in the reference code, the loop knows nothing about networks, data or
procedures: it receives `start_level` (what a level starts from: initial
weights and masks) and `train_level` (trains it); each way of producing a
level is one such `start_level`. The loop adds what the reference lacked: each
finished level is stored on disk and never recomputed, so an interrupted
experiment resumes at its first unfinished level (inside it, training resumes from the
level's checkpoint, if any: foundations.checkpoints; a checkpoint never marks a level finished).

`LevelStore` is the one answer to "is this level finished" (its summary.json
exists); `trials` and `experiment_names` list what an output directory holds.
"""

import dataclasses
import os
import shutil
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import numpy as np

from foundations import paths
from foundations import save_restore

Arrays = Dict[str, np.ndarray]

# What every reader of a summary.json (tables, reports, compare) relies on.
SUMMARY_KEYS = ('level', 'percent_remaining', 'early_stop_iteration',
                'test_accuracy_at_early_stop', 'final_iteration', 'final_test_accuracy')


@dataclasses.dataclass
class Start:
  """What one level starts from.

  initial: layer name -> kernel [in, out] / [h, w, in, out] the net starts from (before masking).
  masks: layer name -> 0/1 float32 array of the kernel's shape.
  biases: layer name -> bias [out], or None to keep the freshly built (zero) biases.
  prune_to: layer name -> number of kernel entries that survive at the end of training, for a
    level whose training changes its masks; None: the masks stay fixed.
  frozen: layer name -> constant values of the pruned kernel entries (0 where the mask keeps),
    which take part in the forward pass and never train (Zhou et al. 2019's freeze_init);
    None: pruned entries are 0.
  """
  initial: Arrays
  masks: Arrays
  biases: Optional[Arrays] = None
  prune_to: Optional[Dict[str, int]] = None
  frozen: Optional[Arrays] = None


@dataclasses.dataclass
class Result:
  """What training one level produced.

  final: layer name -> trained kernel (already multiplied by the mask).
  final_biases: layer name -> trained bias.
  metrics_csv: the metrics file's text; summary: the summary.json contents.
  masks: the masks the level ended with when training changed them (Start.prune_to), saved as
    the level's masks.npz; None: the start's masks.
  frozen: the pruned entries' values the trained net computed with (Start.frozen), saved as
    frozen.npz when any is non-zero; None: all 0.
  """
  final: Arrays
  final_biases: Arrays
  metrics_csv: str
  summary: dict
  masks: Optional[Arrays] = None
  frozen: Optional[Arrays] = None


def trials(output_dir: str) -> List[int]:
  """The trial numbers T that have a trial<T>/ directory under `output_dir`, sorted."""
  names = os.listdir(output_dir) if os.path.isdir(output_dir) else []
  found = [n[len('trial'):] for n in names if n.startswith('trial')]
  return sorted(int(t) for t in found
                if t.isdigit() and os.path.isdir(paths.trial(output_dir, int(t))))


def _level_names(trial_dir: str) -> List[str]:
  return [n for n in (os.listdir(trial_dir) if os.path.isdir(trial_dir) else []) if n.isdigit()]


def experiment_names(output_dir: str, trial: int) -> List[str]:
  """The experiments with a directory in some level of `trial`, sorted (finished or not)."""
  trial_dir = paths.trial(output_dir, trial)
  return sorted({name for level in _level_names(trial_dir)
                 for name in os.listdir(os.path.join(trial_dir, level))
                 if os.path.isdir(os.path.join(trial_dir, level, name))})


class LevelStore:
  """Reads and writes one experiment's levels under the reference layout.

  Its levels are <output_dir>/trial<T>/<level>/<experiment_name>/; with trial=None,
  `output_dir` is itself the trial directory, of any name (e.g. a run imported from the
  reference code).
  """

  def __init__(self, output_dir: str, trial: Optional[int], experiment_name: str):
    self.output_dir, self.trial, self.experiment_name = output_dir, trial, experiment_name
    self.trial_dir = output_dir if trial is None else paths.trial(output_dir, trial)

  def run_dir(self, level: int) -> str:
    return paths.run_in_trial(self.trial_dir, level, self.experiment_name)

  def is_finished(self, level: int) -> bool:
    """Whether the level's summary.json, written last, exists."""
    return os.path.exists(paths.summary(self.run_dir(level)))

  def finished_levels(self) -> List[int]:
    """The levels of this experiment that have finished, sorted."""
    return sorted(int(n) for n in _level_names(self.trial_dir) if self.is_finished(int(n)))

  def remedy(self, level: int) -> str:
    """What to do about a damaged file of a finished level."""
    return f'delete {self.run_dir(level)} to recompute that level'

  def load_arrays(self, level: int, what: str, shapes: Optional[Dict[str, tuple]] = None
                  ) -> Arrays:
    """The arrays of the level's `what`.npz ('initial', 'masks', 'final', 'final_biases');
    NpzError names the file and the level directory to delete."""
    try:
      return save_restore.load_npz(getattr(paths, what)(self.run_dir(level)), shapes)
    except save_restore.NpzError as e:
      raise save_restore.NpzError(f'{e}; {self.remedy(level)}') from None

  def load(self, level: int, shapes: Dict[str, tuple]) -> Tuple[Arrays, Arrays, Arrays]:
    """(initial, masks, final) of a finished level; NpzError names a bad file."""
    return tuple(self.load_arrays(level, what, shapes) for what in ('initial', 'masks', 'final'))

  def load_final_biases(self, level: int) -> Arrays:
    return self.load_arrays(level, 'final_biases')

  def load_frozen(self, level: int, shapes: Dict[str, tuple]) -> Optional[Arrays]:
    """The level's frozen pruned values (frozen.npz), or None where it has none (all 0)."""
    path = paths.frozen(self.run_dir(level))
    return save_restore.load_npz(path, shapes) if os.path.exists(path) else None

  def load_summary(self, level: int) -> dict:
    """summary.json of a finished level; JsonError names a damaged file (see SUMMARY_KEYS)."""
    return save_restore.load_json(paths.summary(self.run_dir(level)), self.remedy(level),
                                  SUMMARY_KEYS)

  def prepare(self, level: int) -> str:
    """Clears leftovers of an interrupted attempt at an unfinished level; returns its dir."""
    d = self.run_dir(level)
    shutil.rmtree(paths.tensorboard(d), ignore_errors=True)
    os.makedirs(d, exist_ok=True)
    return d

  def save(self, level: int, start: Start, result: Result) -> None:
    """Writes the level's files atomically, summary.json last (it marks the level finished)."""
    d = self.run_dir(level)
    save_restore.save_npz(paths.initial(d), start.initial)
    save_restore.save_npz(paths.masks(d), start.masks if result.masks is None else result.masks)
    save_restore.save_npz(paths.final(d), result.final)
    save_restore.save_npz(paths.final_biases(d), result.final_biases)
    if result.frozen is not None and any(np.any(v != 0) for v in result.frozen.values()):
      save_restore.save_npz(paths.frozen(d), result.frozen)
    save_restore.save_text(paths.metrics(d), result.metrics_csv)
    save_restore.save_json(paths.summary(d), result.summary)


def experiment(levels: Iterable[int], store: LevelStore,
               start_level: Callable[[int], Start],
               train_level: Callable[[Start, int, str], Result],
               verify_level: Callable[[int], None] = lambda level: None,
               on_level: Optional[Callable[[int, dict, bool], None]] = None) -> List[dict]:
  """Trains every level in `levels` that is not finished yet; returns all their summaries.

  Args:
    levels: the levels to have, in order (a level may read earlier ones).
    store: where levels are read and written.
    start_level: level -> Start (reads whatever finished levels it depends on).
    train_level: (start, level, run_dir) -> Result; builds, trains and measures the net.
    verify_level: called for each finished level before it is kept (e.g. to check
      that its files load); raises to stop the experiment.
    on_level: called (level, summary, resumed) after each level.
  """
  summaries = []
  for level in levels:
    if store.is_finished(level):
      verify_level(level)
      summary, resumed = store.load_summary(level), True
    else:
      start = start_level(level)
      run_dir = store.prepare(level)
      result = train_level(start, level, run_dir)
      store.save(level, start, result)
      summary, resumed = result.summary, False
    summaries.append(summary)
    if on_level:
      on_level(level, summary, resumed)
  return summaries

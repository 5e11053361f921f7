"""Per-evaluation training metrics, their CSV form and the early-stop summary (no TensorFlow)."""

import dataclasses
import math
from typing import Dict, List, Optional, Sequence

import numpy as np

METRIC_NAMES = ('iteration', 'train_loss', 'train_accuracy', 'val_loss', 'val_accuracy',
                'test_loss', 'test_accuracy')


class Diverged(ValueError):
  """Training produced a non-finite loss or weight. metrics: the rows recorded until then (the
  last one holds the non-finite value)."""

  def __init__(self, iteration: int, what: str, value: float, metrics: 'Metrics'):
    super().__init__(f'diverged at iteration {iteration} ({what} {value})')
    self.iteration, self.what, self.value, self.metrics = iteration, what, value, metrics


def _value(x: Optional[float]) -> float:
  return math.nan if x is None else x


@dataclasses.dataclass
class Metrics:
  """Per-evaluation records; every list has one entry per evaluation (iteration 0 included).

  A value is None where nothing was evaluated: train_* at iteration 0 (they are means over the
  steps since the previous evaluation), val_* without a validation split, test_* where the
  trainer skipped it. Read back from CSV, those are nan.
  """
  rows: List[Dict[str, float]] = dataclasses.field(default_factory=list)

  def column(self, name: str) -> np.ndarray:
    """The values of one metric, nan where nothing was evaluated."""
    return np.array([_value(r[name]) for r in self.rows], dtype=np.float64)

  def to_csv(self) -> str:
    """One row per evaluation; a value not evaluated is an empty field, a non-finite one (a
    diverged net) is written as nan, inf or -inf."""
    lines = [','.join(METRIC_NAMES)]
    for r in self.rows:
      lines.append(','.join(str(int(r[k])) if k == 'iteration' else
                            '' if r[k] is None else f'{r[k]:.6g}' for k in METRIC_NAMES))
    return '\n'.join(lines) + '\n'

  @classmethod
  def from_csv(cls, text: str) -> 'Metrics':
    lines = text.strip().splitlines()
    header = lines[0].split(',')
    return cls([{k: float(v) if v else None for k, v in zip(header, line.split(','))}
                for line in lines[1:]])

  @classmethod
  def read(cls, path: str, required: Sequence[str] = ('iteration',)) -> 'Metrics':
    """A metrics.csv file; ValueError naming the file when it is not one (or lacks a column of
    `required`), so that a damaged file is one error line, not a traceback about a float."""
    with open(path, errors='replace') as f:
      text = f.read()
    try:
      metrics = cls.from_csv(text)
    except (ValueError, IndexError) as e:
      raise ValueError(f'{path}: not a metrics file ({e}); delete its level directory and '
                       'rerun to recompute it') from None
    missing = [c for c in required if metrics.rows and c not in metrics.rows[0]]
    if missing:
      raise ValueError(f'{path}: not a metrics file (no column {", ".join(missing)}); delete its '
                       'level directory and rerun to recompute it')
    return metrics

  def summary(self, first_stop: int = 1) -> Dict[str, float]:
    """The early stop and the accuracies there and at the end.

    Early stop = the iteration of minimum validation loss (test loss when there
    is no validation split) among iterations >= `first_stop`; never iteration 0
    (the untrained net). Ties go to the earliest iteration; rows whose loss is
    NaN (a diverged net) never win. With no finite candidate, the early stop is
    the last row. Gradual pruning passes the iteration its sparsity is reached,
    so that a denser net never counts.
    """
    stop_key = 'val_loss' if not np.all(np.isnan(self.column('val_loss'))) else 'test_loss'
    losses = self.column(stop_key)
    # Iteration 0 is the untrained net, never an early-stop point; rows are selected by
    # iteration, not position (logs imported from the reference code start at iteration 100).
    losses[self.column('iteration') < max(first_stop, 1)] = np.nan
    finite = ~np.isnan(losses)
    best = int(np.flatnonzero(finite)[np.argmin(losses[finite])]) if finite.any() \
        else len(losses) - 1
    return {
        'early_stop_metric': stop_key,
        'early_stop_iteration': int(self.rows[best]['iteration']),
        'test_accuracy_at_early_stop': _value(self.rows[best]['test_accuracy']),
        'val_accuracy_at_early_stop': _value(self.rows[best]['val_accuracy']),
        'final_iteration': int(self.rows[-1]['iteration']),
        'final_test_accuracy': _value(self.rows[-1]['test_accuracy']),
        'final_val_accuracy': _value(self.rows[-1]['val_accuracy']),
    }

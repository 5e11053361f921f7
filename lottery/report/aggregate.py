"""Reads finished experiments: per level and procedure, Pm, early stop and test accuracy.

Several trials (<output_dir>/trial1, trial2, ...) are aggregated into mean, min and max.
"""

import dataclasses
import os
from typing import Dict, List, Optional

import numpy as np

from foundations import experiment as experiment_lib
from foundations import paths
from foundations.metrics import Metrics
from lottery import procedures

EXPERIMENTS = procedures.names()  # one experiment directory per registered procedure


@dataclasses.dataclass
class Stat:
  """mean, min and max over trials."""
  mean: float
  min: float
  max: float

  @classmethod
  def of(cls, values) -> 'Stat':
    values = np.asarray(values, dtype=np.float64)
    return cls(float(values.mean()), float(values.min()), float(values.max()))

  def bracketed(self, scale: float = 100.0, digits: int = 2) -> str:
    """mean [min, max], always with the bracket (one trial: [x, x])."""
    return (f'{self.mean * scale:.{digits}f} [{self.min * scale:.{digits}f}, '
            f'{self.max * scale:.{digits}f}]')

  def fmt(self, scale: float = 1.0, digits: int = 2) -> str:
    if self.min == self.max:
      return f'{self.mean * scale:.{digits}f}'
    return (f'{self.mean * scale:.{digits}f} [{self.min * scale:.{digits}f}, '
            f'{self.max * scale:.{digits}f}]')


@dataclasses.dataclass
class Row:
  """One (experiment, level) aggregated over trials; accuracies are fractions."""
  experiment: str
  level: int
  percent_remaining: float
  trials: int
  early_stop: Stat
  accuracy_at_early_stop: Stat
  final_accuracy: Stat


def load_summaries(output_dir: str, experiment: str) -> Dict[int, Dict[int, dict]]:
  """trial -> level -> summary.json contents, for every finished level found (sorted)."""
  found: Dict[int, Dict[int, dict]] = {}
  for trial in experiment_lib.trials(output_dir):
    store = experiment_lib.LevelStore(output_dir, trial, experiment)
    for level in store.finished_levels():
      found.setdefault(trial, {})[level] = store.load_summary(level)
  return found


def load_metrics(output_dir: str, experiment: str, trial: int, level: int) -> Optional[Metrics]:
  path = paths.metrics(paths.run(output_dir, trial, level, experiment))
  if not os.path.exists(path):
    return None
  return Metrics.read(path)


def aggregate(output_dir: str, experiments=EXPERIMENTS,
              pool: Optional[Dict[str, str]] = None) -> List[Row]:
  """Rows for every (experiment, level) with at least one finished trial.

  pool: experiment -> the experiment whose samples it adds to (e.g. a second random draw,
  'random_prune2' -> 'random_prune'); `trials` then counts samples.
  """
  pool = pool or {}
  grouped: Dict[str, Dict[int, List[dict]]] = {}
  for experiment in experiments:
    by_level = grouped.setdefault(pool.get(experiment, experiment), {})
    for levels in load_summaries(output_dir, experiment).values():
      for level, summary in levels.items():
        by_level.setdefault(level, []).append(summary)
  rows = []
  for experiment, by_level in grouped.items():
    for level in sorted(by_level):
      s = by_level[level]
      rows.append(Row(
          experiment=experiment, level=level,
          percent_remaining=float(np.mean([x['percent_remaining'] for x in s])), trials=len(s),
          early_stop=Stat.of([x['early_stop_iteration'] for x in s]),
          accuracy_at_early_stop=Stat.of([x['test_accuracy_at_early_stop'] for x in s]),
          final_accuracy=Stat.of([x['final_test_accuracy'] for x in s])))
  return rows


def find(rows: List[Row], experiment: str, percent_remaining: float,
         tolerance: float = 0.2) -> Optional[Row]:
  """The row of `experiment` whose Pm is within `tolerance` points of `percent_remaining`."""
  candidates = [r for r in rows if r.experiment == experiment
                and abs(r.percent_remaining - percent_remaining) <= tolerance]
  return min(candidates, key=lambda r: abs(r.percent_remaining - percent_remaining),
             default=None)


def markdown_table(rows: List[Row]) -> str:
  """Per experiment and level: Pm, trials, early stop and test accuracies (mean [min, max])."""
  lines = ['| experiment | level | Pm (%) | trials | early-stop iteration | '
           'test acc @ early stop (%) | test acc @ end (%) |',
           '|---|---:|---:|---:|---:|---:|---:|']
  for r in rows:
    lines.append(f'| {r.experiment} | {r.level} | {r.percent_remaining:.1f} | {r.trials} | '
                 f'{r.early_stop.fmt(digits=0)} | {r.accuracy_at_early_stop.fmt(100)} | '
                 f'{r.final_accuracy.fmt(100)} |')
  return '\n'.join(lines) + '\n'


def versus_table(rows: List[Row], a: str = 'lottery', b: str = 'gmp') -> str:
  """Per Pm where both ran: `a` against `b` test accuracy at early stop and at the end (%, mean
  [min, max] over trials) and the difference of the means in points; '' if `b` has no rows."""
  pairs = [(ra, rb) for rb in rows if rb.experiment == b
           for ra in [find(rows, a, rb.percent_remaining, tolerance=0.05)] if ra]
  if not pairs:
    return ''
  diff = f'{a} − {b} (pp)'  # the sign says which is better
  lines = [f'| Pm (%) | trials {a}/{b} | {a} @ early stop | {b} @ early stop | {diff} | '
           f'{a} @ end | {b} @ end | {diff} |', '|---:|---:|---:|---:|---:|---:|---:|---:|']
  for ra, rb in sorted(pairs, key=lambda p: -p[1].percent_remaining):
    es = (ra.accuracy_at_early_stop.mean - rb.accuracy_at_early_stop.mean) * 100
    end = (ra.final_accuracy.mean - rb.final_accuracy.mean) * 100
    lines.append(f'| {rb.percent_remaining:.1f} | {ra.trials}/{rb.trials} | '
                 f'{ra.accuracy_at_early_stop.fmt(100)} | {rb.accuracy_at_early_stop.fmt(100)} | '
                 f'{es:+.2f} | {ra.final_accuracy.fmt(100)} | {rb.final_accuracy.fmt(100)} | '
                 f'{end:+.2f} |')
  return '\n'.join(lines) + '\n'


SUMMARY_COLUMNS = ('procedure', 'trial', 'level', 'percent_remaining', 'early_stop_iteration',
                   'val_accuracy_at_early_stop', 'test_accuracy_at_early_stop',
                   'val_loss_at_early_stop', 'test_loss_at_early_stop', 'final_iteration',
                   'final_val_accuracy', 'final_test_accuracy', 'final_val_loss',
                   'final_test_loss')


def summaries_csv(output_dir: str, experiments=EXPERIMENTS) -> str:
  """One row per (procedure, trial, level): Pm, early stop, and validation and test accuracy
  and loss at early stop and at the end (from summary.json and metrics.csv)."""
  lines = [','.join(SUMMARY_COLUMNS)]
  for experiment in experiments:
    for trial, levels in sorted(load_summaries(output_dir, experiment).items()):
      for level, s in sorted(levels.items()):
        metrics = load_metrics(output_dir, experiment, trial, level)
        by_iteration = {int(r['iteration']): r for r in metrics.rows} if metrics else {}
        at_stop = by_iteration.get(s['early_stop_iteration'], {})
        last = metrics.rows[-1] if metrics and metrics.rows else {}
        values = dict(
            procedure=experiment, trial=trial, level=level,
            percent_remaining=s['percent_remaining'],
            early_stop_iteration=s['early_stop_iteration'],
            val_accuracy_at_early_stop=at_stop.get('val_accuracy'),
            test_accuracy_at_early_stop=at_stop.get('test_accuracy'),
            val_loss_at_early_stop=at_stop.get('val_loss'),
            test_loss_at_early_stop=at_stop.get('test_loss'),
            final_iteration=s['final_iteration'], final_val_accuracy=last.get('val_accuracy'),
            final_test_accuracy=last.get('test_accuracy'), final_val_loss=last.get('val_loss'),
            final_test_loss=last.get('test_loss'))
        lines.append(','.join(_cell(values[c]) for c in SUMMARY_COLUMNS))
  return '\n'.join(lines) + '\n'


def _cell(value) -> str:
  if value is None or (isinstance(value, float) and np.isnan(value)):
    return ''
  return f'{value:.6g}' if isinstance(value, float) else str(value)

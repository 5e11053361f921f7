"""Two runs side by side, level by level: sparsity, mask agreement, theta_0, accuracy, early stop.

  python -m lottery compare A B [--trial=1] [--experiment_name=lottery] [--output_dir=DIR]
      [--report=NAME.md]

A and B are our output directories (their trial<T>/ is read) or trial directories, e.g.
one of our runs and one imported from the reference code (lottery.interop import). For
every level both have finished it prints, and writes as Markdown to --output_dir/--report
(default: A/compare_<B's directory name>.md; never the current directory):
  - Pm per layer of each run and the mask agreement per layer: the Jaccard index
    |A and B| / |A or B| of the surviving weights (1.0: the same survivors);
  - whether theta_0 (the level's initial.npz) is bitwise identical;
  - the early-stop iteration and test accuracy there, the best and the final test accuracy.
"""

import dataclasses
import os
import sys
from typing import Dict, List

from absl import flags
import numpy as np

from foundations import cli
from foundations import experiment as experiment_lib
from foundations import paths
from foundations import pruning
from foundations import save_restore
from foundations.metrics import Metrics


@dataclasses.dataclass
class Side:
  """One run's figures at one level; accuracies are fractions, pm_per_layer percentages."""
  pm: float
  pm_per_layer: Dict[str, float]
  early_stop: int
  accuracy_at_early_stop: float
  best_accuracy: float
  final_accuracy: float


@dataclasses.dataclass
class Level:
  """Both runs at one level. jaccard: layer -> share of survivors common to both."""
  level: int
  a: Side
  b: Side
  jaccard: Dict[str, float]
  same_theta0: bool


def trial_dir(path: str, trial: int) -> str:
  """`path` itself when it holds level directories, else its trial<T>/ subdirectory."""
  candidate = paths.trial(path, trial)
  if os.path.isdir(candidate):
    return candidate
  if os.path.isdir(path) and any(n.isdigit() for n in os.listdir(path)):
    return path
  raise ValueError(f'{path}: neither a trial directory nor an output directory with '
                   f'trial{trial}/')


def finished_levels(trial_path: str, experiment: str) -> List[int]:
  return experiment_lib.LevelStore(trial_path, None, experiment).finished_levels()


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
  """|a and b| / |a or b| over the 1s of two 0/1 masks; 1.0 when both are all zeros."""
  a, b = a != 0, b != 0
  union = int(np.count_nonzero(a | b))
  return 1.0 if union == 0 else int(np.count_nonzero(a & b)) / union


def _side(store: experiment_lib.LevelStore, level: int, masks) -> Side:
  summary = store.load_summary(level)  # JsonError names a damaged file
  metrics = Metrics.read(paths.metrics(store.run_dir(level)), ('iteration', 'test_accuracy'))
  trained = metrics.column('test_accuracy')[metrics.column('iteration') > 0]
  return Side(pm=pruning.percent_remaining(masks),
              pm_per_layer={k: 100.0 * np.count_nonzero(m) / m.size for k, m in masks.items()},
              early_stop=summary['early_stop_iteration'],
              accuracy_at_early_stop=summary['test_accuracy_at_early_stop'],
              best_accuracy=float(np.nanmax(trained)) if trained.size else float('nan'),
              final_accuracy=summary['final_test_accuracy'])


def compare(trial_a: str, trial_b: str, experiment: str = 'lottery') -> List[Level]:
  """Every level both trial directories have finished, compared."""
  common = sorted(set(finished_levels(trial_a, experiment)) &
                  set(finished_levels(trial_b, experiment)))
  if not common:
    raise ValueError(f'{trial_a} and {trial_b}: no finished level of {experiment!r} in both')
  stores = [experiment_lib.LevelStore(t, None, experiment) for t in (trial_a, trial_b)]
  out = []
  for level in common:
    masks = [store.load_arrays(level, 'masks') for store in stores]
    initial = [store.load_arrays(level, 'initial') for store in stores]
    if set(masks[0]) != set(masks[1]):
      raise ValueError(f'level {level}: the runs have different layers ({sorted(masks[0])} '
                       f'vs {sorted(masks[1])})')
    if any(masks[0][k].shape != masks[1][k].shape for k in masks[0]):
      raise ValueError(f'level {level}: the runs\' layers have different shapes')
    out.append(Level(level=level, a=_side(stores[0], level, masks[0]),
                     b=_side(stores[1], level, masks[1]),
                     jaccard={k: jaccard(masks[0][k], masks[1][k]) for k in masks[0]},
                     same_theta0=all(np.array_equal(initial[0][k], initial[1][k])
                                     for k in initial[0])))
  return out


def _pct(x: float) -> str:
  return '-' if np.isnan(x) else f'{100 * x:.2f}'


def markdown(levels: List[Level], name_a: str, name_b: str) -> str:
  """Two tables: per level (theta_0, early stop, accuracies) and per layer (Pm, agreement)."""
  lines = [f'A: {name_a}', f'B: {name_b}', '',
           '| level | Pm A (%) | Pm B (%) | theta_0 identical | early stop A / B | '
           'test acc @ early stop A / B (%) | best test acc A / B (%) | '
           'final test acc A / B (%) |', '|---:|---:|---:|:---:|---:|---:|---:|---:|']
  for lv in levels:
    a, b = lv.a, lv.b
    lines.append(f'| {lv.level} | {a.pm:.2f} | {b.pm:.2f} | {"yes" if lv.same_theta0 else "no"} '
                 f'| {a.early_stop} / {b.early_stop} | {_pct(a.accuracy_at_early_stop)} / '
                 f'{_pct(b.accuracy_at_early_stop)} | {_pct(a.best_accuracy)} / '
                 f'{_pct(b.best_accuracy)} | {_pct(a.final_accuracy)} / {_pct(b.final_accuracy)} |')
  lines += ['', '| level | layer | Pm A (%) | Pm B (%) | mask agreement (Jaccard) |',
            '|---:|---|---:|---:|---:|']
  for lv in levels:
    for layer, value in lv.jaccard.items():
      lines.append(f'| {lv.level} | {layer} | {lv.a.pm_per_layer[layer]:.2f} | '
                   f'{lv.b.pm_per_layer[layer]:.2f} | {value:.4f} |')
  return '\n'.join(lines) + '\n'


USAGE = __doc__


def report_path(a: str, b: str, output_dir=None, report=None) -> str:
  """The report's absolute path: output_dir (default: run A) / report (default:
  compare_<B's directory name>.md)."""
  if not report:
    name = os.path.basename(os.path.normpath(os.path.abspath(b)))
    report = f'compare_{"".join(c if c.isalnum() or c in "._-" else "_" for c in name)}.md'
  return os.path.abspath(os.path.join(output_dir or a, report))


def main(argv) -> int:
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_integer('trial', 1, 'Trial read from an output directory.', flag_values=fv)
  flags.DEFINE_string('experiment_name', 'lottery', 'Experiment compared.', flag_values=fv)
  flags.DEFINE_string('output_dir', None, 'Directory of the report (default: A).',
                      flag_values=fv)
  flags.DEFINE_string('report', None, "The report's file name in --output_dir (default: "
                      "compare_<B's directory name>.md).", flag_values=fv)
  try:
    rest = fv(list(argv))
    if fv['help'].value:
      print(cli.help_text(fv, USAGE))
      return 0
    if len(rest) != 3:
      raise ValueError(f'expected two runs A B, got {len(rest) - 1} argument(s) (see --help)')
    trials = [trial_dir(p, fv['trial'].value) for p in rest[1:]]
    text = markdown(compare(*trials, fv['experiment_name'].value), trials[0], trials[1])
    report = report_path(rest[1], rest[2], fv['output_dir'].value, fv['report'].value)
    save_restore.save_text(report, text)
  except flags.Error as e:
    print(f'error: {str(e).splitlines()[0]}', file=sys.stderr)
    return 1
  except (ValueError, OSError) as e:  # NpzError is a ValueError
    print(f'error: {e}', file=sys.stderr)
    return 1
  print(text + f'\nWritten to {report}')
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

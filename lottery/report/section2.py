"""Assembles the Section-2 evidence (tools/section2_evidence.sh's output) into a results folder.

  python -m lottery report_section2 --evidence_root=$HOME/lth_evidence --results_dir=results/lenet

Writes into --results_dir:
  results.md, report.md, summaries.csv, figure1/3/4/4a/4b/4c.png   the analysis of <root>/lenet
  early_stop.md      the lottery early-stop iteration of every trial per level, its spread, and
                     how much earlier than the same trial's unpruned net
  normalization.md   the input-normalisation study: lottery runs with unit (the main run's
                     trials 1-3), standard and l2 inputs at levels 0 and the last common level
  timing.md          level-runs per procedure and their seconds, from each sweep_tasks.csv
Every number comes from the runs' summary.json and sweep_tasks.csv files.
"""

import csv
import datetime
import os
import sys
from typing import Dict, List, Tuple

from foundations import save_restore
from lottery.report import aggregate
from lottery.report import analyze
from lottery.report import evidence_cli


NORMALIZATION_RUNS = (('unit (x/255)', 'lenet'), ('standard (mean/std)', 'lenet_norm_standard'),
                      ('l2 (row norm, TF1 reference)', 'lenet_norm_l2'))


def _stat(values, scale=1.0, digits=2) -> str:
  return aggregate.Stat.of(values).fmt(scale, digits)


def _versus_level0(by_trial, level: int, change, digits: int = 2) -> str:
  """change(summary at `level`, summary at level 0) of each trial that has both, as
  mean [min, max]; '-' at level 0 or when no trial has both levels."""
  values = [change(levels[level], levels[0]) for levels in by_trial.values()
            if level in levels and 0 in levels]
  return _stat(values, digits=digits) if level and values else '-'


def _earlier_than_level0(by_trial, level: int) -> str:
  """Per trial, % earlier the early stop at `level` than the same trial's level 0."""
  return _versus_level0(by_trial, level, lambda at, base: 100 * (
      1 - at['early_stop_iteration'] / base['early_stop_iteration']), digits=1)


def _accuracy_gain(at: dict, base: dict) -> float:
  """Test accuracy at early stop, in pp above the base summary's."""
  return 100 * (at['test_accuracy_at_early_stop'] - base['test_accuracy_at_early_stop'])


def normalization_table(root: str, trials=(1, 2, 3)) -> str:
  """Lottery early stop and test accuracy per input normalisation at level 0 and the last level
  every normalisation reached, over `trials` (mean [min, max]), and each trial's change from its
  own level 0."""
  found = {label: {t: levels for t, levels in
                   aggregate.load_summaries(os.path.join(root, name), 'lottery').items()
                   if t in trials}
           for label, name in NORMALIZATION_RUNS}
  def common(by_trial):
    sets = [set(levels) for levels in by_trial.values()]
    return set.intersection(*sets) if sets else set()
  shared = set.intersection(*(common(by_trial) for by_trial in found.values()))
  if not shared:
    return ''
  lines = ['| inputs | level | Pm (%) | trials | early-stop iteration | test acc @ early stop (%) '
           '| test acc @ end (%) | early stop vs level 0 (% earlier) | test acc @ early stop vs '
           'level 0 (pp) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
  for level in sorted({0, max(shared)} & shared):
    for label, by_trial in found.items():
      s = [levels[level] for levels in by_trial.values()]
      lines.append(f'| {label} | {level} | {s[0]["percent_remaining"]:.1f} | {len(s)} | '
                   f'{_stat([x["early_stop_iteration"] for x in s], digits=0)} | '
                   f'{_stat([x["test_accuracy_at_early_stop"] for x in s], 100)} | '
                   f'{_stat([x["final_test_accuracy"] for x in s], 100)} | '
                   f'{_earlier_than_level0(by_trial, level)} | '
                   f'{_versus_level0(by_trial, level, _accuracy_gain)} |')
  return '\n'.join(lines) + '\n'


def early_stop_table(root: str) -> str:
  """Lottery early-stop iteration per level: each trial's value, mean, standard deviation, their
  ratio, and how much earlier than the same trial's unpruned net (mean [min, max] over trials)."""
  by_trial = aggregate.load_summaries(os.path.join(root, 'lenet'), 'lottery')
  trials = sorted(by_trial)
  if not trials:
    return ''
  lines = [f'| level | Pm (%) | {" | ".join(f"trial {t}" for t in trials)} | mean | sd | sd/mean '
           '| % earlier than unpruned (per trial) | mean vs unpruned mean (% earlier) |',
           '|---:|---:|' + '---:|' * (len(trials) + 5)]
  mean0 = None
  for level in sorted(set().union(*(set(levels) for levels in by_trial.values()))):
    present = [t for t in trials if level in by_trial[t]]
    stops = {t: by_trial[t][level]['early_stop_iteration'] for t in present}
    mean = sum(stops.values()) / len(stops)
    sd = (sum((v - mean) ** 2 for v in stops.values()) / max(1, len(stops) - 1)) ** 0.5
    cells = ' | '.join(str(stops[t]) if t in stops else '-' for t in trials)
    pm = by_trial[present[0]][level]['percent_remaining']
    mean0 = mean if level == 0 else mean0
    ratio = f'{sd / mean:.2f}' if mean else '-'
    of_means = f'{100 * (1 - mean / mean0):.1f}' if level and mean0 else '-'
    lines.append(f'| {level} | {pm:.1f} | {cells} | {mean:.0f} | {sd:.0f} | {ratio} | '
                 f'{_earlier_than_level0(by_trial, level)} | {of_means} |')
  return '\n'.join(lines) + '\n'


def _busy_hours(intervals: List[Tuple[float, float]]) -> float:
  """Hours covered by the union of (start, end) second intervals."""
  total, reach = 0.0, None
  for start, end in sorted(intervals):
    if reach is None or start > reach:
      total, reach = total + end - start, end
    elif end > reach:
      total, reach = total + end - reach, end
  return total / 3600


def timing_table(root: str) -> str:
  """Per sweep and procedure: finished level-runs, mean and total task seconds; then per sweep
  its span (first task's start to last task's end, from the rows' finish times less their
  seconds) and the hours in which at least one task ran (the span less every stop)."""
  lines = ['| sweep | procedure | level-runs | mean s per level-run | total task hours |',
           '|---|---|---:|---:|---:|']
  walls = ['| sweep | first task started | last task ended | span (h) | hours with a task '
           'running | level-runs per such hour |', '|---|---|---|---:|---:|---:|']
  for name in sorted(os.listdir(root)):
    path = os.path.join(root, name, 'sweep_tasks.csv')
    if not os.path.exists(path):
      continue
    seconds: Dict[str, List[float]] = {}
    intervals = []
    with open(path) as f:
      for row in csv.DictReader(f):
        if row['status'] == 'done':
          seconds.setdefault(row['task'].split('/')[0], []).append(float(row['seconds']))
          end = datetime.datetime.strptime(row['time'], '%Y-%m-%d %H:%M:%S').timestamp()
          intervals.append((end - float(row['seconds']), end))
    for procedure, values in sorted(seconds.items()):
      lines.append(f'| {name} | {procedure} | {len(values)} | {sum(values) / len(values):.0f} | '
                   f'{sum(values) / 3600:.2f} |')
    if intervals:
      first, last = min(s for s, _ in intervals), max(e for _, e in intervals)
      busy = _busy_hours(intervals)
      start, end = (datetime.datetime.fromtimestamp(t).strftime('%Y-%m-%d %H:%M')
                    for t in (first, last))
      walls.append(f'| {name} | {start} | {end} | {(last - first) / 3600:.2f} | '
                   f'{busy:.2f} | {len(intervals) / busy:.1f} |')
  return '\n'.join(lines) + '\n\n' + '\n'.join(walls) + '\n'


def assemble(root: str, results_dir: str) -> List[str]:
  """Writes the results folder; returns the files written."""
  written = analyze.analyze(os.path.join(root, 'lenet'), 'lenet300_100', results_dir)
  for name, text in (('early_stop.md', early_stop_table(root)),
                     ('normalization.md', normalization_table(root)),
                     ('timing.md', timing_table(root))):
    if text:
      written.append(os.path.join(results_dir, name))
      save_restore.save_text(written[-1], text)
  return written


def main(argv) -> int:
  fv = evidence_cli.flag_values('tools/section2_evidence.sh', 'results/lenet')
  return evidence_cli.run(fv, argv, __doc__, lambda fv: assemble(fv['evidence_root'].value,
                                                                 fv['results_dir'].value))


if __name__ == '__main__':
  sys.exit(main(sys.argv))

"""The sparse-transfer evidence (tools/transfer_evidence.sh's output) as tables, figures and a CSV.

  python -m lottery report_transfer --evidence_root=$HOME/lth_evidence \\
      --results_dir=results/transfer --report=TRANSFER.md

For datasets A and B (--datasets=A,B) it reads the lottery runs <root>/<prefix>_A and
<root>/<prefix>_B and the transfer runs <root>/transfer_A_to_B and <root>/transfer_B_to_A
(one experiment per start, transfer_<start>), over --trials, and writes --report (TRANSFER.md:
the claim, tables, comparisons and provenance, lottery/report/transfer_doc.py) and into
--results_dir:

  (in the report)           per direction: at each transferred level (Pm), every start against the
                            target's own lottery ticket at that level and its dense net (level 0):
                            test accuracy at early stop (and its difference from those two) and
                            at the end of training, early-stop iteration, mean [min, max] over
                            trials; and its figure
  transfer_A_to_B.png, transfer_B_to_A.png
                            test accuracy vs Pm (log axis, decreasing), at early stop and at the end
  transfer.csv              every row of the tables

Every number comes from the runs' summary.json files (and the report's provenance from their
sweep_tasks.csv and sweep_log.csv); the output depends on nothing else (no
dates, no paths, sorted rows, fixed formats, PNGs without a version stamp), so rerunning the
command on the same runs rewrites the same bytes.
"""

import dataclasses
import os
import sys
from typing import List, Optional, Sequence

from absl import flags

from foundations import cli
from foundations import hparams
from foundations import save_restore
from lottery.report import aggregate
from lottery.report import evidence_cli
# First of matplotlib's importers: figures sets the Agg backend and keeps back matplotlib's
# lines about a read-only home directory (a test sandbox).
from lottery.report import figures
import matplotlib.pyplot as plt  # pylint: disable=g-bad-import-order

OWN, DENSE = 'own ticket', 'dense'
RUNS = (DENSE, OWN) + hparams.TRANSFER_INITS  # the order of a level's rows
STYLE = {OWN: ('tab:blue', '-'), 'source_init': ('tab:red', '-'),
         'source_trained': ('tab:purple', '-.'), 'reinit': ('tab:orange', '-.'),
         'random_mask': ('tab:green', '--')}
CSV_COLUMNS = ('source', 'target', 'run', 'level', 'percent_remaining', 'trials',
               'acc_early_stop_mean', 'acc_early_stop_min', 'acc_early_stop_max',
               'acc_end_mean', 'acc_end_min', 'acc_end_max', 'early_stop_mean',
               'early_stop_min', 'early_stop_max')


@dataclasses.dataclass
class Row:
  """One run (a start, the target's own ticket or its dense net) at one level, over trials."""
  run: str
  level: int
  percent_remaining: float
  trials: int
  at_stop: aggregate.Stat  # test accuracy at early stop (fraction)
  at_end: aggregate.Stat  # test accuracy at the end of training (fraction)
  early_stop: aggregate.Stat  # early-stop iteration


def direction_name(source: str, target: str) -> str:
  return f'transfer_{source}_to_{target}'


def _rows(output_dir: str, experiment: str, run: str, trials: Sequence[int],
          levels: Optional[Sequence[int]] = None) -> List[Row]:
  """`experiment`'s finished levels (or those of `levels`) over `trials`, one Row per level."""
  by_level = {}
  for trial, found in sorted(aggregate.load_summaries(output_dir, experiment).items()):
    if trial in trials:
      for level, summary in found.items():
        if levels is None or level in levels:
          by_level.setdefault(level, []).append(summary)
  return [Row(run, level, sum(s['percent_remaining'] for s in got) / len(got), len(got),
              aggregate.Stat.of([s['test_accuracy_at_early_stop'] for s in got]),
              aggregate.Stat.of([s['final_test_accuracy'] for s in got]),
              aggregate.Stat.of([s['early_stop_iteration'] for s in got]))
          for level, got in sorted(by_level.items())]


def direction_rows(root: str, prefix: str, source: str, target: str,
                   trials: Sequence[int]) -> List[Row]:
  """A direction's rows, by level then RUNS: the target's dense net, then at every level some
  start reached, the target's own ticket and each start."""
  transfer_dir = os.path.join(root, direction_name(source, target))
  target_dir = os.path.join(root, f'{prefix}_{target}')
  rows = []
  for init in hparams.TRANSFER_INITS:
    rows += _rows(transfer_dir, f'transfer_{init}', init, trials)
  levels = sorted({r.level for r in rows})
  rows += _rows(target_dir, 'lottery', DENSE, trials, [0])
  rows += _rows(target_dir, 'lottery', OWN, trials, levels)
  return sorted(rows, key=lambda r: (r.level, RUNS.index(r.run)))


def markdown_table(rows: List[Row]) -> str:
  """The direction's table; 'vs own ticket' and 'vs dense' are differences of the means at early
  stop from the target's own ticket at that level and from its dense net (pp)."""
  own = {r.level: r for r in rows if r.run == OWN}
  dense = [r for r in rows if r.run == DENSE]

  def diff(r: Row, base: Optional[Row]) -> str:
    if r.run not in hparams.TRANSFER_INITS or base is None:
      return '-'
    return f'{100 * (r.at_stop.mean - base.at_stop.mean):+.2f}'

  lines = ['| run | level | Pm (%) | trials | test acc @ early stop (%) | vs own ticket (pp) | '
           'vs dense (pp) | test acc @ end (%) | early-stop iteration |',
           '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
  for r in rows:
    lines.append(f'| {r.run} | {r.level} | {r.percent_remaining:.1f} | {r.trials} | '
                 f'{r.at_stop.bracketed(100, 2)} | {diff(r, own.get(r.level))} | '
                 f'{diff(r, dense[0] if dense else None)} | {r.at_end.bracketed(100, 2)} | '
                 f'{r.early_stop.bracketed(1, 0)} |')
  return '\n'.join(lines) + '\n'


def csv_lines(source: str, target: str, rows: List[Row]) -> List[str]:
  out = []
  for r in rows:
    stats = []
    for stat, fmt in ((r.at_stop, '.6f'), (r.at_end, '.6f'), (r.early_stop, '.1f')):
      stats += [format(stat.mean, fmt), format(stat.min, fmt), format(stat.max, fmt)]
    out.append(','.join([source, target, r.run.replace(' ', '_'), str(r.level),
                         f'{r.percent_remaining:.4f}', str(r.trials)] + stats))
  return out


def figure(rows: List[Row], own_curve: List[Row], path: str, title: str) -> None:
  """Test accuracy at early stop and at the end vs Pm: the target's own tickets at every level
  (own_curve), each start at its levels, min-max shaded, the dense net as a dotted line."""
  fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
  dense = [r for r in rows if r.run == DENSE]
  for ax, attr, ylabel in ((axes[0], 'at_stop', 'test accuracy at early stop (%)'),
                           (axes[1], 'at_end', 'test accuracy at the end of training (%)')):
    for run in (OWN,) + hparams.TRANSFER_INITS:
      got = own_curve if run == OWN else [r for r in rows if r.run == run]
      if not got:
        continue
      got = sorted(got, key=lambda r: -r.percent_remaining)
      pm = [r.percent_remaining for r in got]
      color, line = STYLE[run]
      ax.plot(pm, [getattr(r, attr).mean * 100 for r in got], line, marker='o', ms=3,
              color=color, label='own ticket (target)' if run == OWN else run)
      ax.fill_between(pm, [getattr(r, attr).min * 100 for r in got],
                      [getattr(r, attr).max * 100 for r in got], color=color, alpha=0.15)
    if dense:
      ax.axhline(getattr(dense[0], attr).mean * 100, color='black', linestyle=':',
                 label='dense (target, level 0)')
    figures.pm_axis(ax, sorted({round(r.percent_remaining, 1) for r in rows + own_curve},
                               reverse=True), ylabel)
  fig.suptitle(title)
  fig.tight_layout()
  fig.savefig(path, dpi=120, metadata={'Software': None})  # no version stamp: same bytes
  plt.close(fig)


def assemble(root: str, results_dir: str, datasets: Sequence[str] = ('mnist', 'fashion_mnist'),
             prefix: str = 'lenet', trials: Sequence[int] = (1, 2, 3),
             report: str = 'TRANSFER.md') -> List[str]:
  """Writes the results folder and the report; returns the files written. ValueError if no
  transfer run."""
  from lottery.report import transfer_doc  # pylint: disable=g-import-not-at-top  (imports this)
  a, b = datasets
  os.makedirs(results_dir, exist_ok=True)
  csv, written, tables = [','.join(CSV_COLUMNS)], [], {}
  for source, target in ((a, b), (b, a)):
    rows = direction_rows(root, prefix, source, target, trials)
    name = direction_name(source, target)
    if not any(r.run in hparams.TRANSFER_INITS for r in rows):
      continue
    tables[name] = markdown_table(rows)
    own_curve = _rows(os.path.join(root, f'{prefix}_{target}'), 'lottery', OWN, trials)
    written.append(os.path.join(results_dir, f'{name}.png'))
    figure(rows, own_curve, written[-1], f'{source} tickets trained on {target}')
    csv += csv_lines(source, target, rows)
  if not written:
    raise ValueError(f'{root}: no finished transfer runs ({direction_name(a, b)}, '
                     f'{direction_name(b, a)})')
  figures_dir = os.path.relpath(results_dir, os.path.dirname(os.path.abspath(report)))
  save_restore.save_text(report, transfer_doc.document(root, figures_dir, tables, datasets,
                                                       prefix, trials))
  save_restore.save_text(os.path.join(results_dir, 'transfer.csv'), '\n'.join(csv) + '\n')
  return [report, os.path.join(results_dir, 'transfer.csv')] + written


def main(argv) -> int:
  fv = evidence_cli.flag_values('tools/transfer_evidence.sh', 'results/transfer', 'TRANSFER.md')
  flags.DEFINE_list('datasets', ['mnist', 'fashion_mnist'], 'The two datasets A,B.',
                    flag_values=fv)
  flags.DEFINE_string('prefix', 'lenet', 'The lottery runs are <root>/<prefix>_<dataset>.',
                      flag_values=fv)
  flags.DEFINE_list('trials', ['1', '2', '3'], 'Trials read.', flag_values=fv)

  def make(fv) -> List[str]:
    if len(fv['datasets'].value) != 2:
      raise cli.UsageError(f'--datasets={",".join(fv["datasets"].value)}: expected two, A,B')
    try:
      trials = [int(t) for t in fv['trials'].value]
    except ValueError:
      raise cli.UsageError(f'--trials={",".join(fv["trials"].value)}: expected integers') from None
    return assemble(fv['evidence_root'].value, fv['results_dir'].value, fv['datasets'].value,
                    fv['prefix'].value, trials, fv['report'].value)
  return evidence_cli.run(fv, argv, __doc__, make)


if __name__ == '__main__':
  sys.exit(main(sys.argv))

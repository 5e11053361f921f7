"""The Deconstruction evidence (Zhou et al. 2019 on LeNet-300-100 / MNIST) as a report.

  python -m lottery report_deconstruction --evidence_root=$HOME/lth_evidence \
      --results_dir=results/deconstruction --report=DECONSTRUCTION.md

Reads the run folders of tools/followup_evidence.sh and tools/deconstruction_evidence.sh:
<root>/lenet_mnist (experiments lottery, criterion_*, reinit, kept_*, pruned_*, gmp,
supermask_learned*) and <root>/supermask_init (supermask_init.csv and, when the supermask
command recorded it, supermask_init_run.json). Writes --report (each block: what it varies, its
table, figure and provenance; the claims table with its verdict rule; what did not reproduce)
and into --results_dir: criteria.png, kept_weights.png, pruned_weights.png, supermask_init.png,
learned_supermask.png (those with runs), deconstruction.csv (every table row, one quantity a
line) and supermask_init.csv (the CSV's bytes). A block with no finished runs says "not run
yet". Every number comes from the run folders, and nothing else enters the files (no dates of
generation, no machine paths: the evidence root is written ROOT), so rerunning the command on
the same runs rewrites the same bytes.
"""

import csv
import os
import shutil
import sys
from typing import Dict, List, Optional, Sequence, Tuple

from foundations import save_restore
from lottery.report import aggregate
from lottery.report import blocks
from lottery.report import deconstruction_claims as dc
from lottery.report import deconstruction_figures as figs
from lottery.report import deconstruction_text as text
from lottery.report import evidence_cli

RUNS, SUPERMASK = 'lenet_mnist', 'supermask_init'
CSV_COLUMNS = ('block', 'run', 'level', 'percent_remaining', 'trials', 'quantity', 'mean', 'min',
               'max')
PROVENANCE = f'Provenance (ROOT/{RUNS}/sweep_tasks.csv and sweep_log.csv):\n\n'
TICKET = {'criteria': 'large_final (ticket)', 'kept': 'rewind (ticket)',
          'pruned': 'zero (ticket)', 'gmp': 'lottery (ticket)'}


def experiments(design: dc.Design) -> Dict[str, Tuple[Sequence[int], Sequence[int]]]:
  """experiment -> (trials, levels) the evidence scripts run."""
  out = {'lottery': (design.lottery_trials, design.lottery_levels),
         'gmp': (design.gmp_trials, design.control_levels)}
  out.update({f'criterion_{c}': (design.criteria_trials, design.criteria_levels)
              for c in design.criteria})
  out.update({e: (design.control_trials, design.control_levels)
              for e in design.kept + design.pruned})
  out.update({e: (design.learned_trials, (0,)) for e in dc.LEARNED})
  return out


def load(root: str, design: dc.Design) -> dc.lenet_claims.Summaries:
  """procedure -> trial -> level -> summary, the design's trials and levels only."""
  out = {}
  for experiment, (trials, levels) in experiments(design).items():
    for trial, found in aggregate.load_summaries(os.path.join(root, RUNS), experiment).items():
      kept = {level: s for level, s in found.items() if trial in trials and level in levels}
      if kept:
        out.setdefault(experiment, {})[trial] = kept
  return out


def rows(summaries, experiment: str, trials: Sequence[int], levels: Sequence[int],
         label: Optional[str] = None) -> List[aggregate.Row]:
  """aggregate.Rows of `experiment` (named `label`) at `levels`, over `trials`."""
  by_level: Dict[int, List[dict]] = {}
  for trial, found in sorted(summaries.get(experiment, {}).items()):
    for level, s in found.items():
      if trial in trials and level in levels:
        by_level.setdefault(level, []).append(s)
  stat = lambda got, key: aggregate.Stat.of([s[key] for s in got])
  return [aggregate.Row(label or experiment, level,
                        sum(s['percent_remaining'] for s in got) / len(got), len(got),
                        stat(got, 'early_stop_iteration'),
                        stat(got, 'test_accuracy_at_early_stop'),
                        stat(got, 'final_test_accuracy'))
          for level, got in sorted(by_level.items())]


def table(got: List[aggregate.Row]) -> str:
  lines = ['| run | level | Pm (%) | trials | test acc @ early stop (%) | test acc @ end (%) | '
           'early-stop iteration |', '|---|---:|---:|---:|---:|---:|---:|']
  lines += [f'| {r.experiment} | {r.level} | {r.percent_remaining:.1f} | {r.trials} | '
            f'{r.accuracy_at_early_stop.bracketed()} | {r.final_accuracy.bracketed()} | '
            f'{r.early_stop.bracketed(1, 0)} |' for r in got]
  return '\n'.join(lines) + '\n'


def csv_lines(block: str, got: List[aggregate.Row]) -> List[str]:
  out = []
  for r in got:
    for quantity, stat in (('test_accuracy_at_early_stop', r.accuracy_at_early_stop),
                           ('final_test_accuracy', r.final_accuracy),
                           ('early_stop_iteration', r.early_stop)):
      out.append(f'{block},{r.experiment},{r.level},{r.percent_remaining:.4f},{r.trials},'
                 f'{quantity},{stat.mean:.6f},{stat.min:.6f},{stat.max:.6f}')
  return out


def block_experiments(design: dc.Design, block: str) -> List[str]:
  return {'criteria': [f'criterion_{c}' for c in design.criteria], 'kept': list(design.kept),
          'pruned': list(design.pruned), 'gmp': ['gmp']}[block]


def block_rows(summaries, design: dc.Design, block: str) -> List[aggregate.Row]:
  """The block's variants and the ticket at the same levels and trials, by level then run."""
  runs = block_experiments(design, block)
  trials, levels = experiments(design)[runs[0]]
  if block == 'criteria':
    levels = (0,) + tuple(levels)  # level 0 of every criterion is the ticket's
  got = rows(summaries, 'lottery', trials, levels, TICKET[block])
  for run in runs:
    got += rows(summaries, run, trials, levels,
                run[len('criterion_'):] if block == 'criteria' else run)
  order = [TICKET[block]] + [r.replace('criterion_', '') for r in runs]
  return sorted(got, key=lambda r: (r.level, order.index(r.experiment)))


def read_supermask_init(root: str) -> List[tuple]:
  """(criterion, weights, trial, level, percent_remaining, test_accuracy) rows of the CSV."""
  path = os.path.join(root, SUPERMASK, 'supermask_init.csv')
  if not os.path.exists(path):
    return []
  with open(path, newline='') as f:
    return [(r['criterion'], r['weights'], int(r['trial']), int(r['level']),
             float(r['percent_remaining']), float(r['test_accuracy'])) for r in csv.DictReader(f)]


def init_cells(init: List[tuple]) -> Dict[Tuple[str, str, int], Tuple[float, aggregate.Stat, int]]:
  """(criterion, weights, level) -> (Pm, accuracy over trials, trials)."""
  grouped: Dict[Tuple[str, str, int], List[tuple]] = {}
  for r in init:
    grouped.setdefault((r[0], r[1], r[3]), []).append(r)
  return {key: (sum(r[4] for r in got) / len(got), aggregate.Stat.of([r[5] for r in got]),
                len(got)) for key, got in grouped.items()}


def best_levels(cells) -> Dict[Tuple[str, str], int]:
  """(criterion, weights) -> its level of highest mean accuracy (the lowest such level)."""
  best: Dict[Tuple[str, str], int] = {}
  for (c, w, level), (_, stat, _) in sorted(cells.items()):
    if (c, w) not in best or stat.mean > cells[(c, w, best[(c, w)])][1].mean:
      best[(c, w)] = level
  return best


def init_summaries(init: List[tuple]) -> dc.lenet_claims.Summaries:
  out: dc.lenet_claims.Summaries = {}
  for c, w, trial, level, pm, acc in init:
    out.setdefault(dc.init_procedure(c, w), {}).setdefault(trial, {})[level] = dict(
        percent_remaining=pm, test_accuracy=acc)
  return out


def assemble(root: str, results_dir: str, report: str,
             design: dc.Design = dc.Design()) -> List[str]:
  """Writes the report and the results folder; returns the files written. ValueError when the
  root holds no finished run and no supermask CSV."""
  summaries, init = load(root, design), read_supermask_init(root)
  if not summaries and not init:
    raise ValueError(f'{root}: no finished runs in {RUNS}/ and no {SUPERMASK}/supermask_init.csv;'
                     ' run tools/followup_evidence.sh first')
  os.makedirs(results_dir, exist_ok=True)
  link = os.path.relpath(results_dir, os.path.dirname(os.path.abspath(report)) or '.')
  link = link.replace(os.sep, '/')
  written, csv_out = [], [','.join(CSV_COLUMNS)]
  provenance = lambda names, title, trials, levels: blocks.unroot(blocks.read(
      os.path.join(root, RUNS), names, title, trials, levels).markdown(), root)
  parts = [text.INTRO, text.protocol(summaries), text.SOURCES, text.DIFFERENCES]
  for block, figure in (('criteria', 'criteria.png'), ('kept', 'kept_weights.png'),
                        ('pruned', 'pruned_weights.png'), ('gmp', None)):
    got = block_rows(summaries, design, block)
    runs = sorted({r.experiment for r in got} - {TICKET[block]})
    parts.append(text.BLOCKS[block])
    if not runs:
      parts.append('**Not run yet:** no finished level-runs of this block.\n')
      continue
    if figure:
      written.append(os.path.join(results_dir, figure))
      figs.pm_figure(got, TICKET[block], written[-1], text.TITLES[block])
      parts.append(f'![{block}]({link}/{figure})\n')
    parts.append(aggregate.versus_table(got, TICKET[block], 'gmp') if block == 'gmp'
                 else table(got))
    csv_out += csv_lines(block, got)
    names = block_experiments(design, block)
    trials, levels = experiments(design)[names[0]]
    parts.append(PROVENANCE + provenance(names, block, trials, levels))
  cells = init_cells(init)
  best = best_levels(cells)
  by_weights = {}
  for (c, w), level in sorted(best.items()):
    if w not in by_weights or cells[(c, w, level)][1].mean > cells[by_weights[w]][1].mean:
      by_weights[w] = (c, w, level)
  top = max(by_weights.values(), key=lambda k: (cells[k][1].mean, k), default=None)
  parts.append(text.BLOCKS['supermask_init'])
  if init:
    shutil.copyfile(os.path.join(root, SUPERMASK, 'supermask_init.csv'),
                    os.path.join(results_dir, 'supermask_init.csv'))
    written.append(os.path.join(results_dir, 'supermask_init.png'))
    figs.supermask_init_figure(cells, best, written[-1])
    parts += [f'![supermask_init]({link}/supermask_init.png)\n', text.init_table(cells, best)]
    csv_out += text.init_csv(cells, best)
    parts.append(f'Provenance (ROOT/{SUPERMASK}/supermask_init_run.json):\n\n' + blocks.unroot(
        text.init_provenance(os.path.join(root, SUPERMASK)), root))
  else:
    parts.append('**Not run yet:** no supermask_init.csv.\n')
  parts.append(text.BLOCKS['learned'])
  learned = text.learned_rows(summaries)
  if learned:
    written.append(os.path.join(results_dir, 'learned_supermask.png'))
    figs.learned_figure(learned, cells, by_weights, written[-1])
    parts += [f'![learned supermasks]({link}/learned_supermask.png)\n',
              text.learned_table(learned)]
    csv_out += text.learned_csv(learned)
    parts.append(PROVENANCE + provenance(list(dc.LEARNED), 'learned supermasks',
                                         design.learned_trials, (0,)))
  else:
    parts.append('**Not run yet:** no finished learned-supermask run.\n')
  parts.append(text.BLOCKS['lottery'] + PROVENANCE + provenance(
      ['lottery'], 'lottery', design.lottery_trials, design.lottery_levels))
  all_summaries = dict(summaries, **init_summaries(init))
  results = dc.evaluate(dc.entries(design, best, by_weights, top), all_summaries)
  parts += ['## Claims\n', dc.markdown(results), '## What did not reproduce\n',
            dc.not_reproduced(results)]
  save_restore.save_text(os.path.join(results_dir, 'deconstruction.csv'),
                         '\n'.join(csv_out) + '\n')
  save_restore.save_text(report, '\n'.join(parts))
  return [report, os.path.join(results_dir, 'deconstruction.csv')] + written + (
      [os.path.join(results_dir, 'supermask_init.csv')] if init else [])


def main(argv) -> int:
  fv = evidence_cli.flag_values('tools/followup_evidence.sh', 'results/deconstruction',
                                'DECONSTRUCTION.md')
  return evidence_cli.run(fv, argv, __doc__, lambda fv: assemble(
      fv['evidence_root'].value, fv['results_dir'].value, fv['report'].value))


if __name__ == '__main__':
  sys.exit(main(sys.argv))

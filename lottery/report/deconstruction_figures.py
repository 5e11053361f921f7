"""The figures of DECONSTRUCTION.md (lottery.report.deconstruction), saved without a version
stamp so that the same runs give the same bytes."""

from typing import Dict, List, Tuple

import numpy as np

# First of matplotlib's importers: figures sets the Agg backend and keeps back matplotlib's
# lines about a read-only home directory (a test sandbox).
from lottery.report import aggregate
from lottery.report import figures
import matplotlib.pyplot as plt  # pylint: disable=g-bad-import-order

WEIGHTS = {'init': 'theta_0', 'signed_constant': 'signed constants (sign(theta_0) x std)'}
TOP = 5  # criteria drawn per weight kind in supermask_init.png, besides large_final and random


def _save(fig, path: str) -> None:
  fig.tight_layout()
  fig.savefig(path, dpi=120, metadata={'Software': None})  # no version stamp: same bytes
  plt.close(fig)


def pm_figure(rows: List[aggregate.Row], ticket: str, path: str, title: str) -> None:
  """Test accuracy at early stop vs Pm: the ticket (black) and each run (mean, min-max band)."""
  fig, ax = plt.subplots(figsize=(7.5, 4.8))
  colors = plt.get_cmap('tab10').colors
  runs = [ticket] + [r for r in dict.fromkeys(r.experiment for r in rows) if r != ticket]
  for i, run in enumerate(runs):
    got = sorted((r for r in rows if r.experiment == run), key=lambda r: -r.percent_remaining)
    if not got:
      continue
    color = 'black' if run == ticket else colors[(i - 1) % 10]
    pm = [r.percent_remaining for r in got]
    ax.plot(pm, [100 * r.accuracy_at_early_stop.mean for r in got], '-' if run == ticket
            else '--', marker='o', ms=3, color=color, label=run)
    ax.fill_between(pm, [100 * r.accuracy_at_early_stop.min for r in got],
                    [100 * r.accuracy_at_early_stop.max for r in got], color=color, alpha=0.12)
  figures.pm_axis(ax, sorted({round(r.percent_remaining, 1) for r in rows}, reverse=True),
                  'test accuracy at early stop (%)')
  ax.set_title(title)
  _save(fig, path)


def _curve(cells, criterion: str, weights: str):
  """(Pm, mean, min, max) arrays, in percent, of one criterion and weight kind."""
  got = sorted(((pm, stat) for (c, w, _), (pm, stat, _) in cells.items()
                if c == criterion and w == weights), key=lambda x: -x[0])
  return tuple(np.array(v) for v in zip(*[(pm, 100 * s.mean, 100 * s.min, 100 * s.max)
                                          for pm, s in got]))


def drawn_criteria(cells, best, weights: str) -> List[str]:
  """The TOP criteria of a weight kind by best mean accuracy, then large_final and random."""
  ranked = sorted((c for c, w in best if w == weights),
                  key=lambda c: (-cells[(c, weights, best[(c, weights)])][1].mean, c))
  shown = ranked[:TOP]
  return shown + [c for c in ('large_final', 'random') if c in ranked and c not in shown]


def supermask_init_figure(cells, best: Dict[Tuple[str, str], int], path: str) -> None:
  """Accuracy of the untrained masked network vs Pm, one panel per weight kind: the best
  criteria (mean over trials, min-max band) with large_final and random for reference."""
  kinds = [w for w in WEIGHTS if any(k[1] == w for k in best)]
  fig, axes = plt.subplots(1, len(kinds), figsize=(6.5 * len(kinds), 4.8), squeeze=False)
  everything = sorted({c for c, _ in best})
  colors = plt.get_cmap('tab20').colors
  for ax, weights in zip(axes[0], kinds):
    for criterion in drawn_criteria(cells, best, weights):
      pm, mean, low, high = _curve(cells, criterion, weights)
      color = colors[everything.index(criterion) % 20]
      ax.plot(pm, mean, '-', marker='o', ms=2.5, color=color, label=criterion)
      ax.fill_between(pm, low, high, color=color, alpha=0.15)
    ax.axhline(10, color='grey', linestyle=':', label='chance (10%)')
    figures.pm_axis(ax, sorted({round(k[1][0], 1) for k in cells.items() if k[0][1] == weights},
                               reverse=True), 'test accuracy, untrained masked net (%)')
    ax.set_title(WEIGHTS[weights])
  fig.suptitle('Supermasks at initialisation: one-shot masks, no training')
  _save(fig, path)


def learned_figure(learned, cells, by_weights: Dict[str, Tuple[str, str, int]],
                   path: str) -> None:
  """Learned supermasks (mean of sampled masks, min-max bars over trials) at their keep
  probability (the expected Pm of a sampled mask), against each weight kind's best supermask
  at initialisation (its criterion's curve)."""
  fig, ax = plt.subplots(figsize=(7.5, 4.8))
  colors = {'init': 'tab:blue', 'signed_constant': 'tab:red'}
  present = []
  for weights, (criterion, _, _) in sorted(by_weights.items()):
    pm, mean, low, high = _curve(cells, criterion, weights)
    ax.plot(pm, mean, '--', color=colors.get(weights, 'grey'),
            label=f'at initialisation: {criterion}, {WEIGHTS[weights].split(" (")[0]}')
    ax.fill_between(pm, low, high, color=colors.get(weights, 'grey'), alpha=0.12)
    present += list(pm)
  # (marker, colour): a learned mask takes its weights' colour, so each sits against its curve.
  styles = {'supermask_learned': ('o', colors['init']),
            'supermask_learned_signed': ('s', colors['signed_constant']),
            'supermask_learned_signed_rescaled': ('^', 'darkred')}
  for variant, _, s in learned:
    keep, acc = s['keep_probability_percent'], s['sampled_mask_test_accuracy_mean']
    ax.errorbar([keep.mean], [100 * acc.mean],
                yerr=[[100 * (acc.mean - acc.min)], [100 * (acc.max - acc.mean)]],
                xerr=[[keep.mean - keep.min], [keep.max - keep.mean]], fmt=styles[variant][0],
                color=styles[variant][1], markeredgecolor='black', capsize=3,
                label=f'learned: {variant}')
    present.append(keep.mean)
  figures.pm_axis(ax, sorted({round(float(p), 1) for p in present}, reverse=True),
                  'test accuracy (%)')
  ax.set_title('Learned supermasks against supermasks at initialisation')
  _save(fig, path)

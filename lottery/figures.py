"""The paper's figures as PNG files (matplotlib, no display needed)."""

from typing import List, Sequence

import matplotlib
import matplotlib.ticker

matplotlib.use('Agg')  # files only; never needs a screen

import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position

from lottery import analysis  # pylint: disable=g-import-not-at-top,wrong-import-position

STYLE = {'lottery': ('tab:blue', '-', 'winning ticket'), 'reinit': ('tab:orange', '--', 'reinit'),
         'random_prune': ('tab:green', ':', 'random pruning'),
         'one_shot': ('tab:purple', '-.', 'one-shot')}
_SPARE = ('tab:red', 'tab:brown', 'tab:pink', 'tab:olive', 'tab:cyan')


def style(experiment: str):
  """(color, line style, label) of a procedure; procedures without one get a spare color."""
  if experiment in STYLE:
    return STYLE[experiment]
  index = sorted(set(analysis.EXPERIMENTS) - set(STYLE)).index(experiment) \
      if experiment in analysis.EXPERIMENTS else 0
  return _SPARE[index % len(_SPARE)], '--', experiment.replace('_', ' ')
FIGURE3_PM = (100.0, 51.3, 21.1, 7.0, 3.6, 1.9)


def curves_figure(output_dir: str, rows: List[analysis.Row], path: str,
                  pms: Sequence[float] = FIGURE3_PM) -> List[float]:
  """Figure 3: test accuracy vs training iteration at selected Pm (mean over trials).

  Returns the Pm values that were found and drawn.
  """
  fig, ax = plt.subplots(figsize=(7, 4.5))
  drawn, lows, highs = [], [], []
  colors = plt.cm.viridis(np.linspace(0, 0.9, len(pms)))
  for color, pm in zip(colors, pms):
    for experiment in ('lottery', 'reinit'):
      row = analysis.find(rows, experiment, pm)
      if row is None:
        continue
      trials = analysis.load_summaries(output_dir, experiment)
      runs = [analysis.load_metrics(output_dir, experiment, t, row.level) for t in trials]
      runs = [m for m in runs if m is not None]
      iterations = runs[0].column('iteration')
      accuracy = np.mean([m.column('test_accuracy') for m in runs], axis=0) * 100
      label = f'{row.percent_remaining:.1f}%' + (' reinit' if experiment == 'reinit' else '')
      ax.plot(iterations, accuracy, style(experiment)[1], color=color, label=label)
      later = accuracy[iterations >= 0.1 * iterations[-1]]
      lows.append(later.min())
      highs.append(later.max())
      if experiment == 'lottery':
        drawn.append(row.percent_remaining)
  ax.set_xlabel('training iteration')
  ax.set_ylabel('test accuracy (%)')
  if lows:  # zoom past the first 10% of training, where all curves are far below
    ax.set_ylim(min(lows) - 0.5, min(100.0, max(highs) + 0.3))
  ax.set_title('Test accuracy during training (Pm: weights remaining)')
  ax.legend(fontsize=8, ncol=2)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)
  return drawn


def pm_figure(rows: List[analysis.Row], path: str, title: str) -> None:
  """Figures 4/5: early-stop iteration and test accuracy at early stop vs Pm (log x).

  Lines are means over trials, shaded bands span min to max.
  """
  fig, (ax_stop, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2))
  for experiment in analysis.EXPERIMENTS:
    color, line, label = style(experiment)
    exp_rows = sorted((r for r in rows if r.experiment == experiment),
                      key=lambda r: -r.percent_remaining)
    if not exp_rows:
      continue
    pm = np.array([r.percent_remaining for r in exp_rows])
    for ax, attr, scale in ((ax_stop, 'early_stop', 1), (ax_acc, 'accuracy_at_early_stop', 100)):
      stats = [getattr(r, attr) for r in exp_rows]
      ax.plot(pm, [s.mean * scale for s in stats], line, marker='o', ms=3, color=color,
              label=label)
      ax.fill_between(pm, [s.min * scale for s in stats], [s.max * scale for s in stats],
                      color=color, alpha=0.2)
  for ax, ylabel in ((ax_stop, 'early-stop iteration (val. loss)'),
                     (ax_acc, 'test accuracy at early stop (%)')):
    ax.set_xscale('log')
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ticks = sorted({round(r.percent_remaining, 1) for r in rows}, reverse=True)
    ticks = ticks[::max(1, len(ticks) // 8)]
    ax.set_xticks(ticks, [f'{t:g}' for t in ticks])
    ax.invert_xaxis()
    ax.set_xlabel('percent of weights remaining (Pm)')
    ax.set_ylabel(ylabel)
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=8)
  fig.suptitle(title)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)

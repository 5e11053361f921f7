"""The paper's figures as PNG files (matplotlib, no display needed)."""

import logging
import os
from typing import List, Sequence

# With a read-only home directory (a test sandbox) matplotlib works from a temporary config
# directory, and says so in two lines on stderr as it is imported: keep its warnings back.
logging.getLogger('matplotlib').setLevel(logging.ERROR)

import matplotlib  # pylint: disable=g-import-not-at-top,wrong-import-position
import matplotlib.ticker  # pylint: disable=g-import-not-at-top,wrong-import-position

matplotlib.use('Agg')  # files only; never needs a screen

import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position

from lottery import procedures  # pylint: disable=g-import-not-at-top,wrong-import-position
from lottery.report import aggregate  # pylint: disable=g-import-not-at-top,wrong-import-position

STYLE = {'lottery': ('tab:blue', '-', 'winning ticket'), 'reinit': ('tab:orange', '-.', 'reinit'),
         'random_prune': ('tab:green', '--', 'random sparse (random pruning)'),
         'one_shot': ('tab:purple', '-.', 'one-shot'),
         'gmp': ('tab:brown', ':', 'gradual magnitude pruning (tfmot)')}
_SPARE = ('tab:red', 'tab:brown', 'tab:pink', 'tab:olive', 'tab:cyan')


def _family(experiment: str) -> str:
  """The generated-procedure family of an experiment ('' for the others)."""
  return procedures.get(experiment).family if experiment in procedures.names() else ''


# The procedures drawn by default and given spare colors: not the generated families, which
# have figures of their own (deconstruct_figures).
PLAIN = tuple(e for e in aggregate.EXPERIMENTS if not _family(e))


def style(experiment: str):
  """(color, line style, label) of a procedure; procedures without one get a spare color, the
  members of a generated family one of tab20's colors in registration order."""
  if experiment in STYLE:
    return STYLE[experiment]
  family = _family(experiment)
  if family:
    members = [e for e in aggregate.EXPERIMENTS if _family(e) == family]
    color = plt.cm.tab20(members.index(experiment) * 2 % 20 + members.index(experiment) // 10)
    return color, '--', experiment[len(family) + 1:]
  index = sorted(set(PLAIN) - set(STYLE)).index(experiment) if experiment in PLAIN else 0
  return _SPARE[index % len(_SPARE)], '--', experiment.replace('_', ' ')
FIGURE3_PM = (100.0, 51.3, 21.1, 7.0, 3.6, 1.9)
# The Pm ticks of the paper's LeNet Figures 1 and 4: every fourth round at 20%/10%.
PAPER_TICKS = (100.0, 41.1, 16.9, 7.0, 2.9, 1.2)


def _curve_label(pm_text: str, experiment: str) -> str:
  """'<pm_text>%', with ' reinit' for the reinit control's curve."""
  return f'{pm_text}%' + (' reinit' if experiment == 'reinit' else '')


def _requested_curves(pms: Sequence[float], reinit_pms: Sequence[float]):
  """(Pm, experiment) of every Figure-3 curve: tickets at `pms`, reinit also at `reinit_pms`."""
  return [(pm, experiment) for pm in pms
          for experiment in (('lottery', 'reinit') if pm in reinit_pms else ('lottery',))]


def missing_curves(rows: List[aggregate.Row], pms: Sequence[float] = FIGURE3_PM,
                   reinit_pms: Sequence[float] = (51.3, 21.1)) -> List[str]:
  """The requested Figure-3 curves that `rows` lack, as 'Pm%' or 'Pm% reinit'."""
  return [_curve_label(f'{pm:g}', experiment)
          for pm, experiment in _requested_curves(pms, reinit_pms)
          if aggregate.find(rows, experiment, pm) is None]


def curves_figure(output_dir: str, rows: List[aggregate.Row], path: str,
                  pms: Sequence[float] = FIGURE3_PM, reinit_pms: Sequence[float] = (51.3, 21.1),
                  last_iteration: int = 15000) -> List[float]:
  """Figure 3: test accuracy vs training iteration, 0 to 15K, at the paper's Pm (mean of trials).

  Winning tickets at `pms`, reinitialized nets (dashed) at `reinit_pms`. The axis is zoomed to
  where the curves are, so iteration 0 (the untrained net, about 10%) is left out rather than
  drawn as a vertical line from below the axis. Requested curves that were not run are named on
  the figure. Returns the Pm values of the tickets drawn.
  """
  fig, ax = plt.subplots(figsize=(7, 4.5))
  drawn, lows, highs, ends = [], [], [], [last_iteration]
  missing = missing_curves(rows, pms, reinit_pms)
  colors = dict(zip(pms, plt.cm.viridis(np.linspace(0, 0.9, len(pms)))))
  for pm, experiment in _requested_curves(pms, reinit_pms):
    color = colors[pm]
    row = aggregate.find(rows, experiment, pm)
    if row is None:
      continue  # named on the figure (missing)
    trials = aggregate.load_summaries(output_dir, experiment)
    runs = [aggregate.load_metrics(output_dir, experiment, t, row.level) for t in trials]
    runs = [m for m in runs if m is not None]
    iterations = runs[0].column('iteration')
    accuracy = np.mean([m.column('test_accuracy') for m in runs], axis=0) * 100
    keep = (iterations > 0) & (iterations <= last_iteration)
    ax.plot(iterations[keep], accuracy[keep], style(experiment)[1], color=color,
            label=_curve_label(f'{row.percent_remaining:.1f}', experiment))
    later = accuracy[keep][iterations[keep] >= 0.1 * iterations[keep][-1]]
    lows.append(later.min())
    highs.append(later.max())
    ends.append(iterations[keep][-1])
    if experiment == 'lottery':
      drawn.append(row.percent_remaining)
  ax.set_xlabel('training iteration')
  ax.set_ylabel('test accuracy (%)')
  ax.set_xlim(0, min(ends) if len(ends) > 1 else last_iteration)
  if lows:  # zoom past the first 10% of training, where all curves are far below
    ax.set_ylim(min(lows) - 0.5, min(100.0, max(highs) + 0.3))
  if missing:
    ax.text(0.01, 0.98, 'not run: Pm ' + ', '.join(missing), transform=ax.transAxes,
            ha='left', va='top', fontsize=8, color='tab:red')
  ax.set_title('Test accuracy during training (Pm: weights remaining; mean of trials)')
  if drawn:
    ax.legend(fontsize=8, ncol=2, loc='lower right')
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)
  return drawn


def figure1(output_dir: str, path: str) -> None:
  """Figure 1 (LeNet panel): winning tickets (solid, mean of trials) against randomly sampled
  sparse networks (dashed, mean of every random_prune and random_prune2 draw), min-max shaded."""
  rows = aggregate.aggregate(output_dir, ('lottery', 'random_prune', 'random_prune2'),
                            pool={'random_prune2': 'random_prune'})
  pm_figure(rows, path, 'Figure 1: winning tickets vs randomly sampled sparse networks',
            experiments=('lottery', 'random_prune'), ticks=PAPER_TICKS)


STOP_AND_ACCURACY = (('early_stop', 'early-stop iteration (val. loss)', 1),
                     ('accuracy_at_early_stop', 'test accuracy at early stop (%)', 100))
FINAL_ACCURACY = (('final_accuracy', 'test accuracy at the end of training (%)', 100),)
ACCURACIES = STOP_AND_ACCURACY[1:] + FINAL_ACCURACY


def figure4(output_dir: str, directory: str) -> List[str]:
  """The paper's Figure 4 for LeNet, as figure4a/b/c.png; returns their paths.

  a: early stop and accuracy at early stop, tickets against reinit and random pruning;
  b: accuracy at the end of training, the same procedures; c: one-shot against iterative;
  d (when gmp ran): tickets against gradual magnitude pruning, at early stop and at the end.
  """
  rows = aggregate.aggregate(output_dir, pool={'random_prune2': 'random_prune'})
  paths = [os.path.join(directory, f'figure4{part}.png') for part in 'abc']
  controls = ('lottery', 'reinit', 'random_prune')
  pm_figure(rows, paths[0], 'Figure 4a: early stop and accuracy, tickets and controls',
            controls, PAPER_TICKS)
  pm_figure(rows, paths[1], 'Figure 4b: accuracy at the end of training', controls, PAPER_TICKS,
            panels=FINAL_ACCURACY)
  pm_figure(rows, paths[2], 'Figure 4c: one-shot against iterative pruning',
            ('lottery', 'one_shot'), PAPER_TICKS)
  if any(r.experiment == 'gmp' for r in rows):
    paths.append(os.path.join(directory, 'figure4d.png'))
    pm_figure(rows, paths[3], 'Figure 4d: winning tickets against gradual magnitude pruning',
              ('lottery', 'gmp'), PAPER_TICKS, panels=ACCURACIES)
  return paths


def pm_axis(ax, present: Sequence[float], ylabel: str, ticks=None) -> None:
  """The paper's Pm axis: log scale, reversed (100 on the left), ticked at `ticks` within the
  data's range (else at up to 8 of the `present` Pm values, rounded to 0.1), grid and legend."""
  ax.set_xscale('log')
  ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
  if ticks:
    shown = [t for t in ticks if present and min(present) - 0.05 <= t <= max(present) + 0.05]
  else:
    shown = list(present)[::max(1, len(present) // 8)]
  ax.set_xticks(shown, [f'{t:g}' for t in shown])
  ax.invert_xaxis()
  ax.set_xlabel('percent of weights remaining (Pm)')
  ax.set_ylabel(ylabel)
  ax.grid(True, which='both', alpha=0.3)
  ax.legend(fontsize=8)


def pm_figure(rows: List[aggregate.Row], path: str, title: str,
              experiments: Sequence[str] = None, ticks: Sequence[float] = None,
              panels=STOP_AND_ACCURACY) -> None:
  """Figures 1, 4 and 5: early-stop iteration and test accuracy at early stop vs Pm.

  Pm is on a log axis, decreasing to the right. Lines are means over the samples (trials, or
  draws), shaded bands span min to max. `ticks`: the Pm ticks (default: spread over the data).
  """
  fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2), squeeze=False)
  axes = axes[0]
  for experiment in experiments or PLAIN:
    color, line, label = style(experiment)
    exp_rows = sorted((r for r in rows if r.experiment == experiment),
                      key=lambda r: -r.percent_remaining)
    if not exp_rows:
      continue
    pm = np.array([r.percent_remaining for r in exp_rows])
    for ax, (attr, _, scale) in zip(axes, panels):
      stats = [getattr(r, attr) for r in exp_rows]
      ax.plot(pm, [s.mean * scale for s in stats], line, marker='o', ms=3, color=color,
              label=label)
      ax.fill_between(pm, [s.min * scale for s in stats], [s.max * scale for s in stats],
                      color=color, alpha=0.2)
  present = sorted({round(r.percent_remaining, 1) for r in rows}, reverse=True)
  for ax, (_, ylabel, _) in zip(axes, panels):
    pm_axis(ax, present, ylabel, ticks)
  fig.suptitle(title)
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


# Zhou et al. 2019: (file, family, title, whether the lottery run is drawn at the family's Pm only).
DECONSTRUCT = (
    ('figure_criteria.png', 'criterion', 'Mask criteria (Zhou et al. 2019): iterative pruning, '
     'large_final = winning ticket', False),
    ('figure_kept_weights.png', 'kept', 'Kept weights started otherwise than theta_0 (Zhou et al. '
     '2019)', True),
    ('figure_pruned_weights.png', 'pruned', 'Pruned weights frozen instead of 0 (Zhou et al. '
     '2019)', True),
)


def deconstruct_figures(rows: List[aggregate.Row], directory: str) -> List[str]:
  """Figure-1-style panels (early stop, accuracy at early stop vs Pm) of each generated family
  that has rows, against the winning ticket; returns the paths written ([] without such runs)."""
  written = []
  for name, family, title, at_their_levels in DECONSTRUCT:
    members = [e for e in aggregate.EXPERIMENTS if _family(e) == family
               and any(r.experiment == e for r in rows)]
    if not members:
      continue
    shown = [r for r in rows if r.experiment in members]
    pms = {round(r.percent_remaining, 1) for r in shown}
    tickets = [r for r in rows if r.experiment == 'lottery'
               and (not at_their_levels or round(r.percent_remaining, 1) in pms)]
    extra = ['reinit'] if family == 'kept' else []
    controls = [r for r in rows if r.experiment in extra and round(r.percent_remaining, 1) in pms]
    path = os.path.join(directory, name)
    pm_figure(tickets + controls + shown, path, title, ['lottery', *extra, *members])
    written.append(path)
  return written

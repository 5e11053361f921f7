"""Progress display during training, one line per level, and the final table."""

import math
import sys
import time
from typing import List


def _missing(x) -> bool:
  return x is None or math.isnan(x)


def _pct(x: float) -> str:
  """A fraction as a percentage; '-' where there is none (train metrics at iteration 0)."""
  return '     -' if _missing(x) else f'{100 * x:6.2f}'


def _loss(x: float) -> str:
  return '     -' if _missing(x) else f'{x:.4f}'


class Progress:
  """Shows iteration, loss and accuracy while a level trains.

  On a terminal it rewrites one line in place; otherwise (logs, CI) it prints
  a line at every 10% of the iterations so logs stay short.
  """

  def __init__(self, level: int, total_iterations: int, stream=None):
    self.level, self.total = level, total_iterations
    self.stream = stream or sys.stdout
    self.tty = self.stream.isatty()
    self.next_print = 0
    self.start = time.time()

  def __call__(self, row: dict) -> None:
    it = int(row['iteration'])
    text = (f'level {self.level} it {it:>6}/{self.total} '
            f'train loss {_loss(row["train_loss"])} acc {_pct(row["train_accuracy"])}% | '
            f'val loss {_loss(row["val_loss"])} acc {_pct(row["val_accuracy"])}% | '
            f'test acc {_pct(row["test_accuracy"])}% | {time.time() - self.start:6.0f}s')
    if self.tty:
      end = '\n' if it >= self.total else ''
      self.stream.write('\r' + text + end)
      self.stream.flush()
    elif it >= self.next_print or it >= self.total:
      print(text, file=self.stream, flush=True)
      self.next_print = it + max(1, self.total // 10)


TABLE_HEADER = ('| level | Pm (%) | early-stop it | test acc @ early stop (%) | '
                'test acc @ end (%) | wall (s) |\n|---:|---:|---:|---:|---:|---:|')


def _wall(summary: dict) -> str:
  """Seconds the level took; '-' for a level imported from the reference code (not recorded)."""
  seconds = summary.get('wall_seconds')
  return '-' if _missing(seconds) else f'{seconds:.0f}'


def duration(seconds: float) -> str:
  """42s, 3m05s, 2h07m."""
  seconds = int(round(seconds))
  if seconds < 60:
    return f'{seconds}s'
  if seconds < 3600:
    return f'{seconds // 60}m{seconds % 60:02d}s'
  return f'{seconds // 3600}h{seconds % 3600 // 60:02d}m'


class LevelClock:
  """Where a run stands after each level: `level k of N` and an ETA from the measured times of
  the levels trained so far (mean wall time x levels left to train)."""

  def __init__(self, levels: List[int], finished: List[int]):
    self.last = max(levels) if levels else 0
    self.left = [level for level in levels if level not in set(finished)]
    self.times = []

  def line(self, summary: dict, resumed: bool) -> str:
    """The level's line (level_line) with `of N`, and the kept note or the ETA of the rest."""
    text = level_line(summary, self.last)
    if resumed:
      return text + '  (finished earlier, kept)'
    if summary['level'] in self.left:
      self.left.remove(summary['level'])
    if not _missing(summary.get('wall_seconds')):
      self.times.append(summary['wall_seconds'])
    if not self.left or not self.times:
      return text
    eta = sum(self.times) / len(self.times) * len(self.left)
    return text + f'  ETA {duration(eta)} ({len(self.left)} level{"s" * (len(self.left) > 1)} left)'


def level_line(summary: dict, last: int = None) -> str:
  """The one line printed after each level (`last`: the run's last level, shown as `of N`)."""
  of = '' if last is None else f' of {last}'
  return (f'level {summary["level"]:>2}{of}  Pm {summary["percent_remaining"]:6.2f}%  '
          f'early-stop it {summary["early_stop_iteration"]:>6}  '
          f'test acc @es {_pct(summary["test_accuracy_at_early_stop"])}%  '
          f'@end {_pct(summary["final_test_accuracy"])}%  '
          f'wall {_wall(summary)}s')


def table(summaries: List[dict]) -> str:
  """Markdown table of all levels."""
  rows = [f'| {s["level"]} | {s["percent_remaining"]:.2f} | {s["early_stop_iteration"]} | '
          f'{_pct(s["test_accuracy_at_early_stop"]).strip()} | '
          f'{_pct(s["final_test_accuracy"]).strip()} | {_wall(s)} |'
          for s in summaries]
  return '\n'.join([TABLE_HEADER] + rows) + '\n'

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


def level_line(summary: dict) -> str:
  """The one line printed after each level."""
  return (f'level {summary["level"]:>2}  Pm {summary["percent_remaining"]:6.2f}%  '
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

"""Analysis of finished experiments: results table, figures and the reproduction claims.

  python -m lottery.analyze --output_dir=runs/lenet --network=lenet300_100

Reads every trial<T>/<level>/<procedure>/summary.json under --output_dir and writes
into --report_dir (default: <output_dir>/report): results.md, report.md (claims vs
the paper), figure3.png (accuracy curves) and figure4.png (LeNet) or figure5.png
(conv nets): early stop and accuracy vs Pm.
"""

import importlib
import os
import sys

from absl import app
from foundations import cli
from absl import flags

from foundations import save_restore
from lottery.report import aggregate
from lottery.report import figures
from lottery import networks
from lottery import procedures

_OUTPUT_DIR = flags.DEFINE_string('output_dir', 'runs', 'Root directory of the experiments.')
_NETWORK = flags.DEFINE_enum('network', 'lenet300_100', list(networks.names()),
                             'Which network\'s paper claims to check.')
_REPORT_DIR = flags.DEFINE_string('report_dir', None, 'Where to write (default <output_dir>/report).')


def _hook(dotted: str):
  """The function a registry entry names as 'module:function' (see lottery.report.sections)."""
  module, _, name = dotted.partition(':')
  return getattr(importlib.import_module(module), name)


def analyze(output_dir: str, network: str, report_dir: str) -> list:
  """Writes the table, report and figures; returns the files written."""
  rows = aggregate.aggregate(output_dir)
  if not rows:
    raise ValueError(f'{output_dir}: no finished levels found (expected '
                     'trial<T>/<level>/<procedure>/summary.json)')
  os.makedirs(report_dir, exist_ok=True)
  written = [os.path.join(report_dir, name)
             for name in ('results.md', 'report.md', 'summaries.csv')]
  save_restore.save_text(written[0], aggregate.markdown_table(rows))
  save_restore.save_text(written[2], aggregate.summaries_csv(output_dir))
  entry = networks.get(network)
  # The network's claims and the procedures' own sections: hooks of their registry entries.
  text, claim_figures = _hook(entry.claims)(output_dir, rows, entry, report_dir)
  for name in procedures.names():
    if procedures.get(name).report:
      text += _hook(procedures.get(name).report)(rows)
  save_restore.save_text(written[1], text)
  curves = os.path.join(report_dir, 'figure3.png')
  figures.curves_figure(output_dir, rows, curves)
  pm_path = os.path.join(report_dir, entry.pm_figure)
  figures.pm_figure(rows, pm_path, f'{network}: iterative pruning and controls')
  return written + [curves, pm_path] + claim_figures


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'unexpected arguments: {" ".join(argv[1:])}')
  report_dir = _REPORT_DIR.value or os.path.join(_OUTPUT_DIR.value, 'report')
  try:
    written = analyze(_OUTPUT_DIR.value, _NETWORK.value, report_dir)
  except ValueError as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  with open(written[0]) as f:
    print(f.read())
  with open(written[1]) as f:
    print(f.read())
  print('Wrote ' + ', '.join(written))
  return 0


if __name__ == '__main__':
  cli.run_absl(main)

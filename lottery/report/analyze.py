"""Analysis of finished experiments: results table, figures and the reproduction conv_claims.

  python -m lottery analyze --output_dir=runs/lenet --network=lenet300_100

Reads every trial<T>/<level>/<procedure>/summary.json under --output_dir and writes
into --report_dir (default: <output_dir>/report): results.md, report.md (claims vs
the paper), figure3.png (accuracy curves) and figure4.png (LeNet) or figure5.png
(conv nets): early stop and accuracy vs Pm.
"""

import glob
import json
import os
import sys

from absl import flags

from foundations import cli
from foundations import save_restore
from lottery.report import aggregate
from lottery.report import lenet_claims
from lottery.report import figures
from lottery import networks
from lottery.report import conv_claims


def make_flags() -> flags.FlagValues:
  """The command's flags (a private FlagValues: importing this module defines nothing global)."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('output_dir', 'runs', 'Root directory of the experiments.', flag_values=fv)
  flags.DEFINE_enum('network', 'lenet300_100', list(networks.names()),
                    'Which network\'s paper claims to check.', flag_values=fv)
  flags.DEFINE_string('report_dir', None, 'Where to write (default <output_dir>/report).',
                      flag_values=fv)
  return fv


def _protocol(output_dir: str):
  """(training iterations per level, test_size) recorded by the lottery runs ((None, 0) if none
  are recorded; files older than --test_size evaluated the whole test split)."""
  for path in sorted(glob.glob(os.path.join(output_dir, 'trial*', 'lottery.hparams.json'))):
    with open(path) as f:
      recorded = json.load(f)
    return recorded.get('training_iterations'), recorded.get('test_size', 0)
  return None, 0


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
  if entry.claims == 'lenet':
    summaries = {p: aggregate.load_summaries(output_dir, p) for p in aggregate.EXPERIMENTS}
    text = lenet_claims.markdown(lenet_claims.LENET_CLAIMS, summaries, *_protocol(output_dir))
  else:
    text = conv_claims.markdown(rows, network)
  gmp = aggregate.versus_table(rows)
  if gmp:
    text += ('\n## Winning tickets against gradual magnitude pruning (tfmot)\n\n'
             'Test accuracy (%), mean [min, max] over trials, at the same Pm. GMP prunes during '
             'one training run from theta_0 (see README); its early stop is chosen only after '
             'it reaches the level\'s sparsity. diff = ticket minus GMP.\n\n' + gmp)
  save_restore.save_text(written[1], text)
  curves = os.path.join(report_dir, 'figure3.png')
  figures.curves_figure(output_dir, rows, curves)
  pm_path = os.path.join(report_dir, entry.pm_figure)
  figures.pm_figure(rows, pm_path, f'{network}: iterative pruning and controls')
  written += [curves, pm_path]
  if entry.claims == 'lenet':
    written.append(os.path.join(report_dir, 'figure1.png'))
    figures.figure1(output_dir, written[-1])
    written += figures.figure4(output_dir, report_dir)
  return written


def main(argv) -> int:
  fv = make_flags()
  try:
    cli.parse(fv, argv)
    if fv['help'].value:
      print(cli.help_text(fv, __doc__))
      return 0
    report_dir = fv['report_dir'].value or os.path.join(fv['output_dir'].value, 'report')
    written = analyze(fv['output_dir'].value, fv['network'].value, report_dir)
  except ValueError as e:  # cli.UsageError is a ValueError
    print(f'error: {e}', file=sys.stderr)
    return 1
  with open(written[0]) as f:
    print(f.read())
  with open(written[1]) as f:
    print(f.read())
  print('Wrote ' + ', '.join(written))
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

"""Analysis of finished experiments: results table, figures and the reproduction claims.

  python -m lottery analyze --output_dir=runs/lenet --network=lenet300_100

Reads every trial<T>/<level>/<procedure>/summary.json under --output_dir and writes
into --report_dir (default: <output_dir>/report): results.md, report.md (claims vs
the paper), figure3.png (accuracy curves) and figure4.png (LeNet) or figure5.png
(conv nets): early stop and accuracy vs Pm; with Zhou et al. 2019's variant runs also
figure_criteria.png, figure_kept_weights.png and figure_pruned_weights.png.
"""

import importlib
import os
import sys

from absl import flags

from foundations import cli
from foundations import paths
from foundations import save_restore
from lottery.report import aggregate
from lottery.report import figures
from lottery import networks
from lottery import procedures


def make_flags() -> flags.FlagValues:
  """The command's flags (a private FlagValues: importing this module defines nothing global)."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('output_dir', 'runs', 'Root directory of the experiments.', flag_values=fv)
  flags.DEFINE_enum('network', None, list(networks.names()),
                    'Which network\'s paper claims to check (default: the one the runs '
                    'record in trial<T>/<experiment>.hparams.json).', flag_values=fv)
  flags.DEFINE_string('report_dir', None, 'Where to write (default <output_dir>/report).',
                      flag_values=fv)
  return fv


def _hook(dotted: str):
  """The function a registry entry names as 'module:function' (see lottery.report.sections)."""
  module, _, name = dotted.partition(':')
  return getattr(importlib.import_module(module), name)


DEFAULT_NETWORK = 'lenet300_100'  # for runs that record no hyperparameters


def recorded_network(output_dir: str, network=None) -> str:
  """The network the runs under output_dir record (`network`: the one asked for, which must be
  it); ValueError (one line) names a damaged hparams file or the network to give."""
  from foundations import experiment as experiment_lib  # pylint: disable=g-import-not-at-top
  from lottery import levels  # pylint: disable=g-import-not-at-top
  found = {}
  for trial in experiment_lib.trials(output_dir):
    trial_dir = paths.trial(output_dir, trial)
    for name in sorted(os.listdir(trial_dir)):
      if name.endswith('.hparams.json'):
        path = os.path.join(trial_dir, name)
        found.setdefault(levels.read_hparams(path).model.network, path)
  if len(found) > 1:
    raise ValueError(f'{output_dir}: holds runs of several networks '
                     f'({", ".join(f"{n} in {p}" for n, p in found.items())}); analyze each '
                     'network\'s runs in their own --output_dir')
  if network and found and network not in found:
    (name, path), = found.items()
    raise ValueError(f'--network={network}: {path} records network {name}; give '
                     f'--network={name} or leave it out')
  return next(iter(found), None) or network or DEFAULT_NETWORK


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
  # Zhou et al. 2019's variants, when they ran: figure_criteria.png, figure_kept_weights.png,
  # figure_pruned_weights.png.
  variants = figures.deconstruct_figures(rows, report_dir)
  return written + [curves, pm_path] + claim_figures + variants


def main(argv) -> int:
  fv = make_flags()
  try:
    cli.parse(fv, argv)
    if fv['help'].value:
      print(cli.help_text(fv, __doc__))
      return 0
    report_dir = fv['report_dir'].value or os.path.join(fv['output_dir'].value, 'report')
    network = recorded_network(fv['output_dir'].value, fv['network'].value)
    written = analyze(fv['output_dir'].value, network, report_dir)
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

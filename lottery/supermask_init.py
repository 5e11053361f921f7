"""Supermasks at initialisation (Zhou et al. 2019, Section 5.1): `python -m lottery supermask`.

For each finished level-0 lottery run (trial<T>/0/<source>/initial.npz = theta_0,
final.npz = its trained weights), each mask criterion (foundations.mask_criteria)
and each level k, a one-shot mask keeps per layer exactly as many weights as k
rounds of the run's layer-wise exact pruning leave (LeNet: 20% of each hidden
layer, 10% of the output layer per round), the best by the criterion. The
UNTRAINED network, biases zero, is evaluated under every mask on the whole test
set, with theta_0 itself and with signed constants (sign(theta_0) x the layer's
std), batched in numpy (foundations.supermask), without any training.

Writes <report_dir>/supermask_init.csv (criterion, weights, trial, level,
percent_remaining, test_accuracy), supermask_init.png (accuracy at
initialisation against Pm, one line per criterion: mean over trials, min-max band;
one panel per weight kind) and supermask_init_run.json (what made them: the
command, code version, CPU, when it finished, wall and CPU seconds; the reports
read it). Fully-connected networks only. For the time on one
core, run it with OPENBLAS_NUM_THREADS=1.
"""

import os
import sys
import time
from typing import Dict, List, Sequence

import numpy as np
from absl import flags

from foundations import cli
from foundations import experiment
from foundations import hparams
from foundations import paths
from foundations import pruning
from foundations import quiet
from foundations import save_restore
from lottery import environment
from lottery import networks
from lottery import seeds

USAGE = """
Supermasks at initialisation: one-shot masks by each criterion applied to the untrained network.

  python -m lottery supermask --output_dir=runs --trials=1,2 --levels=1-24 --report_dir=report

Reads <output_dir>/trial<T>/0/<source_experiment>/ (theta_0 and the trained weights of
finished level-0 runs) and writes supermask_init.csv and supermask_init.png in --report_dir.
"""
COLUMNS = ('criterion', 'weights', 'trial', 'level', 'percent_remaining', 'test_accuracy')
RUN_RECORD = 'supermask_init_run.json'
InputError = environment.InputError


def define_flags() -> flags.FlagValues:
  fv = flags.FlagValues()
  cli.define_common(fv)
  flags.DEFINE_list('trials', None, 'Trials to read (default: every trial whose level-0 run '
                    'has finished).', flag_values=fv)
  flags.DEFINE_string('levels', '1-24', 'Levels k: a list of numbers and ranges, e.g. 1-24 or '
                      '0,4,8-12 (level k keeps 0.8^k of each hidden layer at 20%/10%).',
                      flag_values=fv)
  flags.DEFINE_list('criteria', ['all'], 'Mask criteria (all: every registered one).',
                    flag_values=fv)
  flags.DEFINE_string('source_experiment', 'lottery', 'Experiment name of the lottery run.',
                      flag_values=fv)
  flags.DEFINE_string('report_dir', None, 'Where the CSV and the figure go (default: '
                      '<output_dir>/supermask_init).', flag_values=fv)
  return fv


def parse_levels(text: str) -> List[int]:
  """'1-3,7' -> [1, 2, 3, 7]; InputError names --levels."""
  levels = []
  try:
    for part in text.split(','):
      first, _, last = part.strip().partition('-')
      levels += list(range(int(first), int(last or first) + 1))
  except ValueError:
    raise InputError(f'--levels={text}: expected numbers and ranges such as 1-24 or 0,4,8-12') \
        from None
  if not levels or min(levels) < 0:
    raise InputError(f'--levels={text}: levels must be >= 0')
  return sorted(set(levels))


def parse_criteria(names: Sequence[str]) -> List[str]:
  from foundations import mask_criteria  # pylint: disable=g-import-not-at-top
  known = mask_criteria.CRITERIA.names()
  if list(names) == ['all']:
    return list(known)
  unknown = [n for n in names if n not in known]
  if unknown:
    raise InputError(f'--criteria: unknown criterion {unknown[0]!r}; expected all or some of '
                     f'{", ".join(known)}')
  return list(names)


def find_trials(fv, output_dir: str, source: str) -> List[int]:
  """The requested trials (each must have a finished level 0), or every finished one."""
  if fv['trials'].value:
    try:
      trials = [int(t) for t in fv['trials'].value]
    except ValueError:
      raise InputError(f'--trials={",".join(fv["trials"].value)}: expected integers') from None
  else:
    trials = [t for t in experiment.trials(output_dir)
              if experiment.LevelStore(output_dir, t, source).is_finished(0)]
    if not trials:
      raise InputError(f'{output_dir}: no trial has a finished level 0 of the {source!r} run; '
                       'train it first (python -m lottery train --rounds=0)')
  for t in trials:
    store = experiment.LevelStore(output_dir, t, source)
    if not store.is_finished(0):
      raise InputError(f'{store.run_dir(0)}: level 0 of the {source!r} run is not finished; '
                       'train it first (python -m lottery train --rounds=0)')
  return trials


def load_desc(output_dir: str, trial: int, source: str, get_network=networks.get):
  """(the trial's recorded description, its network); InputError unless fully connected."""
  from lottery import procedure_command  # pylint: disable=g-import-not-at-top
  desc = procedure_command.load_source_desc(output_dir, trial, source)
  network = get_network(desc.model.network)
  kinds = set(network.layer_kinds.values())
  if not network.flatten or not kinds <= {'fc', 'output'}:
    raise InputError(f'{paths.hparams(output_dir, trial, source)}: network {network.name!r} has '
                     f'{", ".join(sorted(kinds))} layers; supermasks at initialisation are '
                     'implemented for fully-connected networks only')
  return desc, network


def evaluate(output_dir, source, trials, criteria, levels, images, labels, show_progress=True,
             get_network=networks.get) -> List[tuple]:
  """The CSV rows (COLUMNS order) for every trial x criterion x weight kind x level.

  images [N, inputs] float32 and labels [N]: the test set; get_network: name -> Network.
  """
  from foundations import supermask  # pylint: disable=g-import-not-at-top
  rows = []
  for trial in trials:
    begin = time.perf_counter()
    desc, network = load_desc(output_dir, trial, source, get_network)
    theta0, _, final = experiment.LevelStore(output_dir, trial, source).load(0, network.shapes)
    percents = network.layer_percents(desc.pruning)
    acc = supermask.grid(images, labels, criteria, levels, [dict(theta0=theta0, w_final=final)],
                         percents=percents,
                         seed=seeds.derive(desc.seed, trial, 'supermask_random'))[0]
    total = sum(w.size for w in theta0.values())
    pm = [100 * sum(pruning.expected_remaining(w.size, percents[n], level)
                    for n, w in theta0.items()) / total for level in levels]
    for c, criterion in enumerate(criteria):
      for k, kind in enumerate(supermask.WEIGHT_KINDS):
        rows += [(criterion, kind, trial, level, pm[i], float(acc[c, i, k]))
                 for i, level in enumerate(levels)]
    if show_progress:
      print(f'trial {trial}: {acc.size} evaluations in {time.perf_counter() - begin:.1f} s',
            flush=True)
  return rows


def to_csv(rows: List[tuple]) -> str:
  lines = [','.join(COLUMNS)]
  lines += [f'{c},{w},{t},{k},{pm:.6g},{a:.6g}' for c, w, t, k, pm, a in rows]
  return '\n'.join(lines) + '\n'


def figure(rows: List[tuple], path: str) -> None:
  """Accuracy at initialisation vs Pm per criterion (mean over trials, min-max band)."""
  from lottery.report import figures  # pylint: disable=g-import-not-at-top  (matplotlib, Agg)
  plt = figures.plt
  kinds = list(dict.fromkeys(r[1] for r in rows))
  criteria = list(dict.fromkeys(r[0] for r in rows))
  fig, axes = plt.subplots(1, len(kinds), figsize=(6.5 * len(kinds), 5), squeeze=False)
  colors = plt.get_cmap('tab20').colors
  for ax, kind in zip(axes[0], kinds):
    for i, criterion in enumerate(criteria):
      by_pm: Dict[float, List[float]] = {}
      for c, w, _, _, pm, a in rows:
        if c == criterion and w == kind:
          by_pm.setdefault(pm, []).append(100 * a)
      pm = sorted(by_pm, reverse=True)
      acc = [np.array(by_pm[p]) for p in pm]
      line = '-' if i < 10 else '--'
      ax.plot(pm, [a.mean() for a in acc], line, marker='o', ms=2.5, color=colors[i % 20],
              label=criterion.replace('_', ' '))
      ax.fill_between(pm, [a.min() for a in acc], [a.max() for a in acc], color=colors[i % 20],
                      alpha=0.15)
    ax.set_xscale('log')
    ax.invert_xaxis()
    ax.set_xlabel('percent of weights remaining (Pm)')
    ax.set_ylabel('test accuracy of the untrained masked network (%)')
    ax.set_title('theta_0' if kind == 'init' else 'signed constants (sign(theta_0) x std)')
    ax.grid(True, which='both', alpha=0.3)
    ax.legend(fontsize=7)
  fig.suptitle('Supermasks at initialisation: one-shot masks by criterion, no training')
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


def run_record(argv: Sequence[str], seconds: float, cpu_seconds: float, evaluations: int,
               test_examples: int) -> dict:
  """What made a report folder (RUN_RECORD): the same fields as a sweep's sweep_log.csv."""
  from lottery.sweep import provenance  # pylint: disable=g-import-not-at-top
  return dict(command=' '.join(['python -m lottery supermask'] + list(argv)),
              code_version=provenance.code_version(), cpu=provenance.cpu(),
              finished=time.strftime('%Y-%m-%d %H:%M:%S'), wall_seconds=round(seconds, 1),
              cpu_seconds=round(cpu_seconds, 1), evaluations=evaluations,
              test_examples=test_examples)


def run(fv, argv: Sequence[str] = ()) -> int:
  """argv: the flags as given (recorded in RUN_RECORD)."""
  start, start_cpu = time.perf_counter(), time.process_time()
  output_dir, source = fv['output_dir'].value, fv['source_experiment'].value
  levels, criteria = parse_levels(fv['levels'].value), parse_criteria(fv['criteria'].value)
  trials = find_trials(fv, output_dir, source)
  report_dir = fv['report_dir'].value or os.path.join(output_dir, 'supermask_init')
  environment.check_writable(report_dir, 'report_dir')
  desc, network = load_desc(output_dir, trials[0], source)
  environment.check_data_dir(fv['data_dir'].value, desc.dataset.dataset)
  print(f'Supermasks at initialisation: {len(criteria)} criteria x {len(levels)} levels x '
        f'{len(trials)} trials x 2 weight kinds, trials {",".join(map(str, trials))} of '
        f'{os.path.abspath(output_dir)}', flush=True)
  # TensorFlow only loads the data here (the evaluation is numpy): start it without its C++ lines.
  quiet.tensorflow_started(show=fv['verbosity'].value >= 1)
  data = environment.load_data(desc, network, fv['data_dir'].value)
  rows = evaluate(output_dir, source, trials, criteria, levels, data.x_test, data.y_test,
                  fv['progress'].value)
  os.makedirs(report_dir, exist_ok=True)
  csv_path = os.path.join(report_dir, 'supermask_init.csv')
  png_path = os.path.join(report_dir, 'supermask_init.png')
  save_restore.save_text(csv_path, to_csv(rows))
  figure(rows, png_path)
  record = run_record(argv, time.perf_counter() - start, time.process_time() - start_cpu,
                      len(rows), len(data.y_test))
  record_path = os.path.join(report_dir, RUN_RECORD)
  save_restore.save_json(record_path, record)
  print(f'{len(rows)} evaluations on {len(data.y_test):,} test examples: '
        f'{record["wall_seconds"]:.1f} s wall, {record["cpu_seconds"]:.1f} s CPU '
        f'(this process, all threads)\nWrote {csv_path}\nWrote {png_path}\nWrote {record_path}')
  return 0


def main(argv: Sequence[str]) -> int:
  from datasets.base import DatasetError  # pylint: disable=g-import-not-at-top
  from foundations.save_restore import NpzError  # pylint: disable=g-import-not-at-top
  fv = define_flags()
  try:
    cli.parse(fv, argv)
    if fv['help'].value:
      print(cli.help_text(fv, USAGE))
      return 0
    return run(fv, argv[1:])
  except (cli.UsageError, hparams.HparamsError, InputError, NpzError, DatasetError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1

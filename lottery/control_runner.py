"""Shared absl-flag runner for the controls and one-shot pruning (see lottery/controls.py).

The control reads the lottery run's recorded hyperparameters
(<output_dir>/trial<T>/<source>.hparams.json), so it trains with exactly the
same settings; only where and which levels are flags.
"""

import os

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')  # before TF is imported anywhere
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import dataclasses  # pylint: disable=g-import-not-at-top,g-bad-import-order
import json
import sys
from typing import Callable

from absl import flags

FLAGS = flags.FLAGS


def define_flags() -> None:
  flags.DEFINE_string('output_dir', 'runs', 'Root directory of the lottery run to control.')
  flags.DEFINE_integer('trial', 1, 'Trial of the lottery run.')
  flags.DEFINE_string('source_experiment', 'lottery', 'Experiment name of the lottery run.')
  flags.DEFINE_list('levels', None, 'Levels to run, e.g. 3,7 (default: every level the lottery '
                    'run has finished; for one_shot, levels 1..its --rounds).')
  flags.DEFINE_string('data_dir', None, 'Dataset cache directory (default: $LTH_DATA_DIR or '
                      '~/.cache/lottery_ticket/data).')
  flags.DEFINE_integer('threads', 1, 'CPU threads TensorFlow may use.')
  flags.DEFINE_boolean('progress', True, 'Show training progress.')


class ControlInputError(ValueError):
  """Bad flags, or no lottery run to control."""


def load_source_hparams(output_dir: str, trial: int, source: str):
  """The Hparams recorded by the lottery run (fields added since then take their defaults)."""
  from foundations import paths  # pylint: disable=g-import-not-at-top
  from foundations.hparams import Hparams  # pylint: disable=g-import-not-at-top
  path = paths.hparams(output_dir, trial, source)
  if not os.path.exists(path):
    raise ControlInputError(f'{path}: no lottery run found; run the train runner with this '
                            '--output_dir and --trial first')
  try:
    with open(path) as f:
      stored = json.load(f)
    known = {f.name for f in dataclasses.fields(Hparams)}
    return Hparams(**{k: v for k, v in stored.items() if k in known}).validate()
  except (ValueError, TypeError) as e:
    raise ControlInputError(f'{path}: unreadable hyperparameters ({e})') from e


def _levels(procedure, hp, output_dir, source):
  from lottery import analysis  # pylint: disable=g-import-not-at-top
  if FLAGS.levels:
    try:
      levels = [int(level) for level in FLAGS.levels]
    except ValueError:
      raise ControlInputError(f'--levels={",".join(FLAGS.levels)}: expected integers') from None
    if any(level < 0 for level in levels):
      raise ControlInputError(f'--levels={",".join(FLAGS.levels)}: levels must be >= 0')
    return levels
  if procedure == 'one_shot':
    return list(range(1, hp.rounds + 1))
  return sorted(analysis.load_summaries(output_dir, source).get(hp.trial, {}))


def main(procedure: str, network_for: Callable, load_splits: Callable) -> int:
  """Runs `procedure` ('reinit', 'random_prune' or 'one_shot'); returns the exit code."""
  from datasets.base import DatasetError  # pylint: disable=g-import-not-at-top
  from foundations import paths, save_restore  # pylint: disable=g-import-not-at-top
  from foundations.hparams import HparamsError  # pylint: disable=g-import-not-at-top
  from foundations.save_restore import NpzError  # pylint: disable=g-import-not-at-top
  from lottery import controls, lottery_experiment, reporting, runner  # pylint: disable=g-import-not-at-top
  try:
    if FLAGS.threads <= 0:
      raise ControlInputError(f'--threads={FLAGS.threads}: must be positive')
    hp = load_source_hparams(FLAGS.output_dir, FLAGS.trial, FLAGS.source_experiment)
    levels = _levels(procedure, hp, FLAGS.output_dir, FLAGS.source_experiment)
    if not levels:
      raise ControlInputError(f'{paths.trial(FLAGS.output_dir, FLAGS.trial)}: the '
                              f'{FLAGS.source_experiment!r} run has no finished level')
    print(f'{procedure} control of {paths.trial(FLAGS.output_dir, FLAGS.trial)}/<level>/'
          f'{FLAGS.source_experiment}, levels {levels}; hyperparameters:\n{hp.describe()}',
          flush=True)
    runner.configure_tensorflow(FLAGS.threads)
    splits = load_splits(hp, FLAGS.data_dir)

    def on_level(summary, resumed):
      print(reporting.level_line(summary) + ('  (finished earlier, kept)' if resumed else ''),
            flush=True)

    summaries = controls.run(procedure, hp, splits, network_for(hp), FLAGS.output_dir, levels,
                             FLAGS.source_experiment, FLAGS.progress, on_level)
  except (ControlInputError, HparamsError, NpzError, DatasetError, controls.MissingSourceError,
          lottery_experiment.ResultsMismatchError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  table = reporting.table(summaries)
  path = paths.results_table(FLAGS.output_dir, FLAGS.trial, procedure)
  save_restore.save_text(path, table)
  print('\n' + table + f'Table saved to {path}')
  return 0


def app_main(procedure: str, network_for: Callable, flatten: bool) -> Callable:
  """The `main(argv)` for absl's app.run in a package's control runner."""
  from absl import app  # pylint: disable=g-import-not-at-top
  from lottery import runner  # pylint: disable=g-import-not-at-top

  def main_fn(argv):
    if len(argv) > 1:
      raise app.UsageError(f'unexpected arguments: {" ".join(argv[1:])}')
    return main(procedure, network_for, runner.load_splits_for(flatten))

  return main_fn

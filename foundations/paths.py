"""Where an experiment's files go: the reference code's layout.

  <output_dir>/trial<T>/<level>/<experiment_name>/{initial,final,masks}.npz, final_biases.npz
                                                 /frozen.npz (only with frozen pruned weights)
                                                 /metrics.csv, summary.json, tensorboard/
                                                 /checkpoint.npz (while a level is unfinished)
  <output_dir>/trial<T>/<experiment_name>.hparams.json    (guards against mixing configs)
  <output_dir>/trial<T>/<experiment_name>.results.md      (table of all levels)
"""

import os


def trial(output_dir: str, trial_number: int) -> str:
  return os.path.join(output_dir, f'trial{trial_number}')


def run(output_dir: str, trial_number: int, level: int, experiment_name: str) -> str:
  return run_in_trial(trial(output_dir, trial_number), level, experiment_name)


def run_in_trial(trial_dir: str, level: int, experiment_name: str) -> str:
  """A level's directory inside a trial directory of any name (e.g. an imported reference run)."""
  return os.path.join(trial_dir, str(level), experiment_name)


def initial(run_dir: str) -> str:
  return os.path.join(run_dir, 'initial.npz')


def final(run_dir: str) -> str:
  return os.path.join(run_dir, 'final.npz')


def final_biases(run_dir: str) -> str:
  """The trained biases (with final.npz, what rebuilds the trained network)."""
  return os.path.join(run_dir, 'final_biases.npz')


def masks(run_dir: str) -> str:
  return os.path.join(run_dir, 'masks.npz')


def frozen(run_dir: str) -> str:
  """The constant values of a level's pruned weights (--pruned_weights=freeze_init...): the net
  computes with final.npz (0 where pruned) + frozen.npz (0 where kept). Written only when some
  value is non-zero."""
  return os.path.join(run_dir, 'frozen.npz')


def rewind(run_dir: str) -> str:
  """Level 0's kernels at --rewind_iteration (late resetting)."""
  return os.path.join(run_dir, 'rewind.npz')


def rewind_biases(run_dir: str) -> str:
  return os.path.join(run_dir, 'rewind_biases.npz')


def metrics(run_dir: str) -> str:
  return os.path.join(run_dir, 'metrics.csv')


def summary(run_dir: str) -> str:
  """Written last: its presence marks the level as finished."""
  return os.path.join(run_dir, 'summary.json')


def checkpoint(run_dir: str) -> str:
  """An unfinished level's resumable state (foundations.checkpoints); deleted when it finishes."""
  return os.path.join(run_dir, 'checkpoint.npz')


def tensorboard(run_dir: str) -> str:
  return os.path.join(run_dir, 'tensorboard')


def hparams(output_dir: str, trial_number: int, experiment_name: str) -> str:
  return os.path.join(trial(output_dir, trial_number), f'{experiment_name}.hparams.json')


def results_table(output_dir: str, trial_number: int, experiment_name: str) -> str:
  return os.path.join(trial(output_dir, trial_number), f'{experiment_name}.results.md')

"""Shared absl-flag runner for the lottery experiments (mnist_fc, cifar_conv).

Each experiment package supplies only its constants: presets, networks and
dataset. Flags left unset take the preset's value.

Presets are either a fixed dict (mnist_fc: name -> Hparams) or a function of
no arguments returning that dict, called once the flags are parsed, so that
the presets may depend on the package's own flags (cifar_conv: --network and
--dropout pick the paper's values for that network and variant).
"""

import os

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')  # before TF is imported anywhere
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import sys  # pylint: disable=g-import-not-at-top
from typing import Callable, Iterable, Mapping, Optional, Union

from absl import flags

FLAGS = flags.FLAGS
SMALLEST_FIGURE3_PM = 1.9  # the paper's smallest LeNet ticket in Figure 3 (18 rounds at 20%)

# Flags that map one-to-one onto Hparams fields; None means "the preset's value".
_HPARAM_FLAGS = {
    'prune_percent': (flags.DEFINE_float, 'Percent of surviving weights pruned per round in '
                      'fully-connected hidden layers.'),
    'output_prune_percent': (flags.DEFINE_float, 'Percent pruned per round in the output layer '
                             '(default: half of --prune_percent).'),
    'rounds': (flags.DEFINE_integer, 'Pruning rounds; levels 0..rounds are trained (default: '
               f'enough to reach Pm <= {SMALLEST_FIGURE3_PM}%).'),
    'training_iterations': (flags.DEFINE_integer, 'Training iterations per level.'),
    'eval_every': (flags.DEFINE_integer, 'Evaluate validation and test every this many iterations.'),
    'batch_size': (flags.DEFINE_integer, 'Training batch size.'),
    'learning_rate': (flags.DEFINE_float, 'Learning rate.'),
    'optimizer': (flags.DEFINE_string, 'adam or sgd.'),
    'validation_size': (flags.DEFINE_integer, 'Training examples held out for validation.'),
    'pruning_rule': (flags.DEFINE_string, 'exact (prune round(p*n)) or reference (TF1 cutoff).'),
    'rewind_iteration': (flags.DEFINE_integer, 'Late resetting: reset survivors to their values '
                         'at this iteration of level 0 instead of theta_0 (0: theta_0).'),
    'seed': (flags.DEFINE_integer, 'Random seed (initialization, split, data order).'),
    'trial': (flags.DEFINE_integer, 'Trial number: results go to <output_dir>/trial<T>/.'),
    'experiment_name': (flags.DEFINE_string, 'Name of the experiment directory in each level.'),
}


# preset name -> Hparams, or a no-argument function returning it (see the module doc).
Presets = Union[Mapping[str, object], Callable[[], Mapping[str, object]]]


def define_flags(presets: Iterable[str], extra_hparam_flags=(),
                 help_defaults: Optional[Mapping[str, object]] = None) -> None:
  """Defines the common flags.

  Args:
    presets: the preset names --preset accepts (a name -> Hparams dict will do).
    extra_hparam_flags: more (name, definer, help) triples of flags that
      override the Hparams field of that name (e.g. conv_prune_percent).
    help_defaults: label -> Hparams whose values each flag's help lists as its
      defaults (default: `presets`, when it is a dict).
  """
  if help_defaults is None:
    help_defaults = presets if isinstance(presets, Mapping) else {}
  flags.DEFINE_string('preset', 'paper', f'Hyperparameter preset: {"|".join(presets)}.')
  for name, definer, help_text in extra_hparam_flags:
    _HPARAM_FLAGS[name] = (definer, help_text)
  for name, (definer, help_text) in _HPARAM_FLAGS.items():
    defaults = ', '.join(f'{p}: {getattr(hp, name)}' for p, hp in help_defaults.items()
                         if hasattr(hp, name) and name != 'rounds')
    definer(name, None, f'{help_text} [{defaults}]' if defaults else help_text)
  flags.DEFINE_enum('pruning', None, ['layerwise', 'global'],
                    'Layer-wise (each layer by its own rate) or global magnitude pruning.')
  flags.DEFINE_string('output_dir', 'runs', 'Root directory of the results.')
  flags.DEFINE_string('data_dir', None, 'Dataset cache directory (default: $LTH_DATA_DIR or '
                      '~/.cache/lottery_ticket/data).')
  flags.DEFINE_integer('threads', 1, 'CPU threads TensorFlow may use (1 per process is fastest '
                       'per core; run trials in separate processes to use more cores).')
  flags.DEFINE_boolean('progress', True, 'Show training progress.')


def resolve_hparams(presets: Presets):
  """The preset named by --preset, overridden by every hparam flag that was set."""
  from foundations.hparams import HparamsError  # pylint: disable=g-import-not-at-top
  if callable(presets):
    presets = presets()  # may raise HparamsError for a bad value of the flags it reads
  if FLAGS.preset not in presets:
    raise HparamsError(f'--preset={FLAGS.preset}: expected one of {", ".join(presets)}')
  hp = presets[FLAGS.preset]
  changes = {n: FLAGS[n].value for n in _HPARAM_FLAGS if FLAGS[n].value is not None}
  if FLAGS.pruning is not None:
    changes['pruning_scope'] = FLAGS.pruning
  if 'prune_percent' in changes and 'output_prune_percent' not in changes:
    changes['output_prune_percent'] = changes['prune_percent'] / 2
  changes.pop('rounds', None)  # resolved once the network's shapes are known
  return hp.replace(**changes).validate()


def configure_tensorflow(threads: int) -> None:
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  tf.config.threading.set_intra_op_parallelism_threads(threads)
  tf.config.threading.set_inter_op_parallelism_threads(threads)
  # Same seed -> same masks, which is what makes an interrupted run resumable.
  tf.config.experimental.enable_op_determinism()


def main(presets: Presets, network_for: Callable, load_splits: Callable) -> int:
  """Runs the lottery experiment described by the flags; returns the exit code.

  Args:
    presets: preset name -> Hparams, or a function returning that (see the module doc).
    network_for: Hparams -> lottery.networks.Network.
    load_splits: (Hparams, data_dir) -> datasets.pipeline.DataSplits.
  """
  from foundations.hparams import HparamsError  # pylint: disable=g-import-not-at-top
  try:
    if FLAGS.threads <= 0:
      raise HparamsError(f'--threads={FLAGS.threads}: must be positive')
    hp = resolve_hparams(presets)
  except HparamsError as e:  # reported before TensorFlow loads, which takes seconds
    print(f'error: {e}', file=sys.stderr)
    return 1
  from datasets.base import DatasetError  # pylint: disable=g-import-not-at-top
  from foundations import masked_layers, paths, pruning  # pylint: disable=g-import-not-at-top
  from foundations.save_restore import NpzError  # pylint: disable=g-import-not-at-top
  from lottery import lottery_experiment, networks, seeds  # pylint: disable=g-import-not-at-top
  try:
    configure_tensorflow(FLAGS.threads)
    network = network_for(hp)
    if FLAGS.rounds is not None:
      rounds = FLAGS.rounds
    else:
      template = network.build(seeds.derive(hp.seed, hp.trial, 'model'), hp.dropout)
      shapes = {n: tuple(l.kernel.shape)
                for n, l in masked_layers.masked_layers(template).items()}
      rounds = pruning.rounds_to_reach(SMALLEST_FIGURE3_PM, shapes,
                                       networks.layer_percents(hp, network))
    hp = hp.replace(rounds=rounds).validate()
    print(f'Hyperparameters (preset {FLAGS.preset}):\n{hp.describe()}')
    print(f'Output: {os.path.abspath(paths.trial(FLAGS.output_dir, hp.trial))}'
          f'/<level>/{hp.experiment_name}/', flush=True)
    splits = load_splits(hp, FLAGS.data_dir)
    summaries = lottery_experiment.run(hp, splits, network, FLAGS.output_dir,
                                       show_progress=FLAGS.progress)
  except (HparamsError, NpzError, DatasetError, lottery_experiment.ResultsMismatchError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  from lottery import reporting  # pylint: disable=g-import-not-at-top
  print('\n' + reporting.table(summaries), end='')
  print(f'Table saved to {paths.results_table(FLAGS.output_dir, hp.trial, hp.experiment_name)}')
  return 0


def load_splits_for(flatten: bool) -> Callable:
  """load_splits(hp, data_dir) for `main`: the verified raw dataset -> DataSplits."""

  def load_splits(hp, data_dir):
    from datasets import pipeline, registry  # pylint: disable=g-import-not-at-top
    raw = registry.load_raw(hp.dataset, data_dir)
    return pipeline.make_splits(raw.x_train, raw.y_train, raw.x_test, raw.y_test,
                                hp.validation_size, _split_seed(hp), hp.normalization, flatten)

  return load_splits


def _split_seed(hp) -> int:
  from lottery import seeds  # pylint: disable=g-import-not-at-top
  return seeds.derive(hp.seed, hp.trial, 'validation_split')

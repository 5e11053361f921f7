"""Lottery-ticket experiment for Conv-2/4/6 on CIFAR-10.

  python -m cifar_conv.runners.train --network=conv2 --prune_percent=20 --conv_prune_percent=10

Trains, prunes --conv_prune_percent of each convolution, --prune_percent of
each hidden fully-connected layer and --output_prune_percent of the output
layer by final magnitude, resets survivors to theta_0 and retrains, for
--rounds rounds. --network and --dropout pick the paper's hyperparameters;
every other flag left unset takes them. Results:
<output_dir>/trial<T>/<level>/<experiment_name>/.
"""

from lottery import runner  # sets TF_USE_LEGACY_KERAS before TensorFlow loads

from absl import app  # pylint: disable=g-import-not-at-top,g-bad-import-order
from absl import flags  # pylint: disable=g-import-not-at-top,g-bad-import-order

from cifar_conv import constants  # pylint: disable=g-import-not-at-top

FLAGS = flags.FLAGS

# A string, not an enum, so that a bad value is the runner's one-line error.
flags.DEFINE_string('network', 'conv2', f'Network: {"|".join(constants.NETWORKS)}.')
_CONV_FLAGS = [  # (name, definer, help) of the Hparams fields only convnets have
    ('conv_prune_percent', flags.DEFINE_float,
     'Percent of surviving weights pruned per round in convolutional layers.'),
    ('dropout', flags.DEFINE_float,
     'Dropout rate on the hidden fully-connected layers\' outputs. Any rate > 0 selects the '
     'paper\'s dropout variant (its rate: 0.5): learning rate 3e-4 for conv2 and 2e-4 for '
     'conv4/conv6, and 3x the training iterations, unless those flags are set.'),
]
runner.define_flags(constants.PRESET_NAMES, extra_hparam_flags=_CONV_FLAGS,
                    help_defaults=constants.PAPER_BY_NETWORK)
flags.adopt_module_key_flags(runner)  # so --help lists them


def presets():
  """The presets for --network and --dropout (called once the flags are parsed)."""
  return constants.presets(FLAGS.network, FLAGS.dropout or 0.0)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'unexpected arguments: {" ".join(argv[1:])}')
  return runner.main(presets, constants.network_for, runner.load_splits_for(False))


if __name__ == '__main__':
  app.run(main)

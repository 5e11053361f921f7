"""Lottery-ticket experiment for LeNet-300-100 on MNIST.

  python -m mnist_fc.runners.train --prune_percent=20

Trains, prunes --prune_percent of each hidden layer (half that of the output
layer) by final magnitude, resets survivors to theta_0 and retrains, for
--rounds rounds. Results: <output_dir>/trial<T>/<level>/<experiment_name>/.
"""

from lottery import runner  # sets TF_USE_LEGACY_KERAS before TensorFlow loads

from absl import app  # pylint: disable=g-import-not-at-top,g-bad-import-order
from absl import flags  # pylint: disable=g-import-not-at-top,g-bad-import-order

from mnist_fc import constants  # pylint: disable=g-import-not-at-top

runner.define_flags(constants.PRESETS)
flags.adopt_module_key_flags(runner)  # so --help lists them


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f'unexpected arguments: {" ".join(argv[1:])}')
  return runner.main(constants.PRESETS, constants.network_for, runner.load_splits_for(True))


if __name__ == '__main__':
  app.run(main)

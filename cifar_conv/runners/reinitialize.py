"""Conv-2/4/6 on CIFAR-10. Random reinitialization control: each level's winning-ticket mask with a
fresh random initialization (the reference code's `reinitialize` runner).

  python -m cifar_conv.runners.reinitialize --output_dir=runs --levels=3,7

Reads the lottery run (same --output_dir and --trial) and its recorded
hyperparameters; writes <output_dir>/trial<T>/<level>/reinit/.
"""

from lottery import control_runner  # sets TF_USE_LEGACY_KERAS before TensorFlow loads

from absl import app  # pylint: disable=g-import-not-at-top,g-bad-import-order
from absl import flags  # pylint: disable=g-import-not-at-top,g-bad-import-order

from cifar_conv import constants  # pylint: disable=g-import-not-at-top

control_runner.define_flags()
flags.adopt_module_key_flags(control_runner)  # so --help lists them

if __name__ == '__main__':
  app.run(control_runner.app_main('reinit', constants.network_for, flatten=False))

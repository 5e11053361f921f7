"""The machinery of the lottery-ticket experiments (layers, pruning, trainer, files).

Importing this package sets the process's TensorFlow environment, once for the
whole project: `datasets` and `lottery` import it first, so whatever a command
or test imports, these are set before TensorFlow loads (they are read only
then). A value already in the environment wins.
  TF_USE_LEGACY_KERAS=1      tf.keras is tf_keras (Keras 2); never a Keras 3 object
  TF_CPP_MIN_LOG_LEVEL=2     no C++ INFO/WARNING start-up lines
  RAY_USAGE_STATS_ENABLED=0  an embedded Ray (the sweep) sends nothing anywhere
"""

import os

for _name, _value in (('TF_USE_LEGACY_KERAS', '1'), ('TF_CPP_MIN_LOG_LEVEL', '2'),
                      ('RAY_USAGE_STATS_ENABLED', '0')):
  os.environ.setdefault(_name, _value)

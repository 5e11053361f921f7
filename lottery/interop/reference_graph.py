"""Child process of lottery/interop/parity.py: trains the reference code's own ModelFc graph.

  python lottery/interop/reference_graph.py REFERENCE_REPO INPUTS.npz OUTPUTS.npz

Runs google-research/lottery-ticket-hypothesis unmodified, in TF1 graph mode through
tf.compat.v1, with stand-ins for what TF 2 removed: the reference's modules see a
`tensorflow` module that is tf.compat.v1 plus `contrib.layers.xavier_initializer`, and
its `mnist_fc.locations` gets the FASHIONMNIST_LOCATION its constants read. Nothing is
copied from the checkout or written into it: its directory is the `lottery_ticket` package.

INPUTS.npz holds theta0/<layer>, masks/<layer> (float64 0/1, as the reference keeps
them), x (steps, batch, 784) float32, y (steps, batch) int labels, and checkpoints (the
step counts to record). OUTPUTS.npz gets step<k>/<layer> = kernel x mask and
step<k>/<layer>_b = bias after k optimizer steps, for each checkpoint k.
"""

import os
import sys
import types

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position


def _truncated_normal_xavier(v1):
  """tf.contrib.layers.xavier_initializer(uniform=False): truncated normal, stddev sqrt(1.3/n),
  n = (fan_in + fan_out) / 2 (only used when no presets are given; parity always gives them)."""

  def xavier_initializer(uniform=True, seed=None, dtype=v1.float32):
    if uniform:
      raise NotImplementedError('only uniform=False is used by the reference ModelFc')

    def init(shape, dtype=dtype, partition_info=None):
      del partition_info
      n = (float(shape[-2]) + float(shape[-1])) / 2.0
      return v1.truncated_normal(shape, stddev=np.sqrt(1.3 / n), dtype=dtype, seed=seed)

    return init

  return xavier_initializer


def reference_modules(repo: str):
  """(model_fc, constants) of the checkout at `repo`, imported against tf.compat.v1."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  v1 = tf.compat.v1
  v1.disable_v2_behavior()
  standin = types.ModuleType('tensorflow')
  standin.__getattr__ = lambda name: getattr(v1, name)
  standin.contrib = types.SimpleNamespace(
      layers=types.SimpleNamespace(xavier_initializer=_truncated_normal_xavier(v1)))
  package = types.ModuleType('lottery_ticket')
  package.__path__ = [os.path.abspath(repo)]
  sys.modules['lottery_ticket'] = package
  real = sys.modules['tensorflow']
  sys.modules['tensorflow'] = standin  # only while the reference's modules are imported
  try:
    from lottery_ticket.foundations import model_fc  # pylint: disable=g-import-not-at-top
    from lottery_ticket.mnist_fc import locations  # pylint: disable=g-import-not-at-top
    locations.FASHIONMNIST_LOCATION = getattr(locations, 'FASHIONMNIST_LOCATION', '')
    from lottery_ticket.mnist_fc import constants  # pylint: disable=g-import-not-at-top
  finally:
    sys.modules['tensorflow'] = real
  return v1, model_fc, constants


def train(repo: str, inputs: dict) -> dict:
  """Trains ModelFc with the reference's hyperparameters and optimizer; returns the checkpoints."""
  v1, model_fc, constants = reference_modules(repo)
  layers = sorted(k.split('/')[1] for k in inputs if k.startswith('theta0/'))
  presets = {k: inputs[f'theta0/{k}'] for k in layers}
  masks = {k: inputs[f'masks/{k}'] for k in layers}
  x = v1.placeholder(v1.float32, [None, inputs['x'].shape[-1]])
  y = v1.placeholder(v1.float32, [None, 10])
  model = model_fc.ModelFc(constants.HYPERPARAMETERS, x, y, presets=presets, masks=masks)
  optimize = constants.OPTIMIZER_FN().minimize(model.loss)
  biases = {v.name.split('_b:')[0]: v for v in v1.global_variables() if v.name.endswith('_b:0')}
  config = v1.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
  out = {}
  with v1.Session(config=config) as sess:
    sess.run(v1.global_variables_initializer())
    checkpoints = set(int(c) for c in inputs['checkpoints'])
    for step in range(1, max(checkpoints) + 1):
      one_hot = np.eye(10, dtype=np.float32)[inputs['y'][step - 1]]
      sess.run(optimize, {x: inputs['x'][step - 1], y: one_hot})
      if step in checkpoints:
        for name, value in model.get_current_weights(sess).items():
          out[f'step{step}/{name}'] = value
        for name, variable in biases.items():
          out[f'step{step}/{name}_b'] = sess.run(variable)
  return out


def main(argv) -> int:
  repo, inputs_path, outputs_path = argv[1:4]
  with np.load(inputs_path, allow_pickle=False) as data:
    inputs = {k: data[k] for k in data.files}
  np.savez(outputs_path, **train(repo, inputs))
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

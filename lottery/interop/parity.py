"""Numerical parity with the TF1 reference code: the same start, masks and batches, N SGD steps.

  python -m lottery parity --reference_repo=PATH [--steps=1,10,200] [--masks=pruned]

PATH is a checkout of google-research/lottery-ticket-hypothesis. From one theta_0 (our
seeded LeNet draw), one set of masks (theta_0 pruned once by the reference's rule and
rates, or all ones) and one sequence of MNIST batches (64 examples, row-L2-normalized, as
the reference feeds them), it trains
  - the reference's own ModelFc graph with its optimizer (SGD 0.1), in a subprocess
    (lottery/interop/reference_graph.py: TF1 graph mode via tf.compat.v1), and
  - our LeNet with our compiled train step (the `reference` preset's optimizer),
and prints, after each step count in --steps, the max absolute difference of each
layer's kernel x mask and bias. Exit 1 when the last one exceeds --tolerance.
"""

import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:  # run as a script: its folder is sys.path[0], the packages are two up
  sys.path.insert(0, ROOT)

from absl import flags  # pylint: disable=g-import-not-at-top,wrong-import-position
import numpy as np  # pylint: disable=g-import-not-at-top,wrong-import-position

from foundations import cli  # pylint: disable=g-import-not-at-top,wrong-import-position

BATCH, LEARNING_RATE = 64, 0.1  # the reference's mnist_fc: DatasetMnist batches, OPTIMIZER_FN
REFERENCE_PERCENTS = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}  # its PRUNE_PERCENTS
CHILD = os.path.join(ROOT, 'lottery', 'interop', 'reference_graph.py')


class ParityError(ValueError):
  """Bad flags or an unusable checkout; one line."""


def check_checkout(repo: str) -> None:
  for part in ('foundations/model_fc.py', 'foundations/model_base.py', 'mnist_fc/constants.py'):
    if not os.path.exists(os.path.join(repo, part)):
      raise ParityError(f'--reference_repo={repo}: not a checkout of '
                        f'google-research/lottery-ticket-hypothesis (no {part})')


def make_inputs(steps: int, seed: int, masks_kind: str, data_dir=None) -> dict:
  """theta0/*, masks/*, and `steps` batches x (steps, 64, 784) float32, y (steps, 64) int32."""
  from datasets import pipeline, registry  # pylint: disable=g-import-not-at-top
  from foundations import masked_layers, pruning  # pylint: disable=g-import-not-at-top
  from lottery import networks  # pylint: disable=g-import-not-at-top
  raw = registry.load_raw('mnist', data_dir)
  x = pipeline.normalize(raw.x_train, 'l2').reshape(len(raw.x_train), -1)
  rng = np.random.RandomState(seed)
  order = np.concatenate([rng.permutation(len(x)) for _ in range(steps * BATCH // len(x) + 1)])
  index = order[:steps * BATCH].reshape(steps, BATCH)
  theta0 = masked_layers.get_kernels(networks.get('lenet300_100').build(seed, 0.0))
  masks = {k: np.ones_like(v) for k, v in theta0.items()}
  if masks_kind == 'pruned':
    masks = {k: pruning.prune_layer(REFERENCE_PERCENTS[k], masks[k], theta0[k], 'reference')
             for k in theta0}
  inputs = {f'theta0/{k}': v for k, v in theta0.items()}
  inputs.update({f'masks/{k}': m.astype(np.float64) for k, m in masks.items()})
  inputs.update(x=x[index], y=raw.y_train[index].astype(np.int32))
  return inputs


def train_ours(inputs: dict, checkpoints) -> dict:
  """Our LeNet, our compiled train step; step<k>/<layer>[_b] as the child writes them."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from foundations import hparams, masked_layers, trainer  # pylint: disable=g-import-not-at-top
  from lottery import networks  # pylint: disable=g-import-not-at-top
  network = networks.get('lenet300_100')
  layers = list(network.shapes)
  model = network.build(0, 0.0)
  masked_layers.set_weights_and_masks(model, {k: inputs[f'theta0/{k}'] for k in layers},
                                      {k: inputs[f'masks/{k}'] for k in layers}, None)
  hp = hparams.TrainingHparams(optimizer='sgd', learning_rate=LEARNING_RATE, batch_size=BATCH)
  compiled = trainer.CompiledTraining(model, hp, network.eval_batch_size, network.jit_compile)
  compiled.reset()
  # The batches [steps, batch, ...] laid end to end; the trainer gathers each batch by index.
  x = tf.constant(inputs['x'].reshape(-1, inputs['x'].shape[-1]))
  y = tf.constant(inputs['y'].reshape(-1))
  batch = inputs['x'].shape[1]
  out, done = {}, 0
  for k in sorted(checkpoints):
    compiled.train_chunk(np.arange(done * batch, k * batch).reshape(k - done, batch), x, y)
    done = k
    for name, value in masked_layers.get_kernels(model).items():
      out[f'step{k}/{name}'] = value
    for name, value in masked_layers.get_biases(model).items():
      out[f'step{k}/{name}_b'] = value
  return out


def train_reference(repo: str, inputs: dict, checkpoints) -> dict:
  with tempfile.TemporaryDirectory(prefix='lth-parity-') as tmp:
    paths = [os.path.join(tmp, f'{n}.npz') for n in ('inputs', 'outputs')]
    np.savez(paths[0], checkpoints=np.array(sorted(checkpoints)), **inputs)
    result = subprocess.run([sys.executable, CHILD, repo, *paths], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
      last = (result.stderr.strip().splitlines() or ['no message'])[-1]
      raise ParityError(f'the reference graph failed (exit {result.returncode}): {last}')
    with np.load(paths[1], allow_pickle=False) as data:
      return {k: data[k] for k in data.files}


def differences(ours: dict, theirs: dict, checkpoints) -> dict:
  """step -> {array name: max |ours - theirs|}."""
  return {k: {name.split('/')[1]: float(np.max(np.abs(ours[name] - theirs[name])))
              for name in sorted(ours) if name.startswith(f'step{k}/')} for k in checkpoints}


def main(argv) -> int:
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('reference_repo', None, 'Checkout of the reference code.', flag_values=fv)
  flags.DEFINE_list('steps', ['1', '10', '200'], 'Step counts to compare after.', flag_values=fv)
  flags.DEFINE_integer('seed', 0, 'Seed of theta_0 and of the batch order.', flag_values=fv)
  flags.DEFINE_enum('masks', 'pruned', ['pruned', 'ones'], 'pruned: theta_0 pruned once by the '
                    'reference rule (20/20/10%); ones: no pruning.', flag_values=fv)
  flags.DEFINE_float('tolerance', 1e-5, 'Exit 1 when the last max difference exceeds this.',
                     flag_values=fv)
  flags.DEFINE_string('data_dir', None, 'Dataset cache (default $LTH_DATA_DIR).', flag_values=fv)
  try:
    cli.parse(fv, argv)
    if fv['help'].value:
      print(cli.help_text(fv, __doc__))
      return 0
    if not fv['reference_repo'].value:
      raise ParityError('--reference_repo is required')
    check_checkout(fv['reference_repo'].value)
    try:
      checkpoints = sorted({int(s) for s in fv['steps'].value})
    except ValueError:
      raise ParityError(f'--steps={",".join(fv["steps"].value)}: expected integers') from None
    if not checkpoints or checkpoints[0] <= 0:
      raise ParityError('--steps: step counts must be positive')
    from lottery import environment  # pylint: disable=g-import-not-at-top
    environment.configure_tensorflow(1)  # before TensorFlow starts: one thread, determinism
    inputs = make_inputs(checkpoints[-1], fv['seed'].value, fv['masks'].value,
                         fv['data_dir'].value)
    begin = time.time()
    theirs = train_reference(fv['reference_repo'].value, inputs, checkpoints)
    middle = time.time()
    ours = train_ours(inputs, checkpoints)
    end = time.time()
  except (cli.UsageError, ParityError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  diffs = differences(ours, theirs, checkpoints)
  print(f'Same theta_0 (seed {fv["seed"].value}), masks ({fv["masks"].value}), batches; '
        f'SGD {LEARNING_RATE}, batch {BATCH}. Reference graph {middle - begin:.1f} s '
        f'(with its start-up), ours {end - middle:.1f} s.')
  print('max |ours - reference| of kernel x mask (layerN) and bias (layerN_b):')
  for k, by_name in diffs.items():
    cells = '  '.join(f'{name} {value:.2e}' for name, value in by_name.items())
    print(f'  after {k:>5} steps: max {max(by_name.values()):.2e}   {cells}')
  worst = max(diffs[checkpoints[-1]].values())
  ok = worst <= fv['tolerance'].value
  print(f'{"OK" if ok else "FAIL"}: {worst:.2e} after {checkpoints[-1]} steps '
        f'(tolerance {fv["tolerance"].value:g})')
  return 0 if ok else 1


if __name__ == '__main__':
  sys.exit(main(sys.argv))

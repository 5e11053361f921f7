"""Conv-2/4/6 on CIFAR-10: the paper's hyperparameters per network, and its dropout variant.

Frankle & Carbin (2019), Figure 2 and Appendix H:
  Conv-2: 20K iterations, Adam 2e-4; Conv-4: 25K, Adam 3e-4; Conv-6: 30K, Adam 3e-4;
  batch 60; each round prunes 10% of the convolutions' surviving weights
  (15% for Conv-6), 20% of the hidden fully-connected layers' and 10% of the
  output layer's. Validation: 5,000 random examples of the 50K training set
  (training on the other 45K); validation and test are evaluated every 100
  iterations.
  Dropout variant (rate 0.5, on the hidden fc layers' outputs, see
  foundations.model_conv): learning rate 3e-4 for Conv-2 and 2e-4 for
  Conv-4/6, with 3x the iterations.

Inputs are normalised per channel ('channel'): each of R, G, B has the mean
subtracted and is divided by the standard deviation, both computed over the
45K training split only (after the validation hold-out), and the same
statistics are applied to validation and test.

There is only the 'paper' preset: the reference TF1 code implements only
mnist_fc, so it has no convnet settings to mirror.
"""

from typing import Dict, Tuple

from foundations.hparams import (DatasetHparams, Desc, ModelHparams, PruningHparams,
                                 TrainingHparams)
from lottery import networks

INPUT_SHAPE = (32, 32, 3)  # NHWC, as datasets.registry.load_raw('cifar10') gives it
FC_SIZES = (256, 256, 10)  # two hidden fc layers and the 10-way output
CONV_BLOCKS: Dict[str, Tuple[int, ...]] = {  # filters of each block of two convs + max-pool
    'conv2': (64,),
    'conv4': (64, 128),
    'conv6': (64, 128, 256),
}
# Examples per forward pass in evaluation: Conv-2's first activations for 1,000
# images are 262 MB (float32). Measured on 2 cores: 1,000 and 2,500 evaluate
# 15K images equally fast (12.5 s, 1 thread), at 2 GB and 6 GB peak memory.
EVAL_BATCH_SIZE = 1000
ITERATIONS = {'conv2': 20000, 'conv4': 25000, 'conv6': 30000}
LEARNING_RATE = {'conv2': 2e-4, 'conv4': 3e-4, 'conv6': 3e-4}
CONV_PRUNE_PERCENT = {'conv2': 10.0, 'conv4': 10.0, 'conv6': 15.0}
DROPOUT_LEARNING_RATE = {'conv2': 3e-4, 'conv4': 2e-4, 'conv6': 2e-4}
DROPOUT_ITERATIONS_FACTOR = 3
# Appendix H: unpruned validation accuracy (%), best test-accuracy gain (pp) and where (Pm %).
PAPER_NUMBERS = {
    'conv2': {'unpruned_val_accuracy': 67.6, 'best_gain_pp': 3.4, 'best_gain_pm': 4.6},
    'conv4': {'unpruned_val_accuracy': 74.9, 'best_gain_pp': 3.5, 'best_gain_pm': 11.1},
    'conv6': {'unpruned_val_accuracy': 79.1, 'best_gain_pp': 3.3, 'best_gain_pm': 26.4},
}


def paper_desc(name: str, dropout: float = 0.0) -> Desc:
  """The paper's hyperparameters; any dropout > 0 selects the dropout variant."""
  iterations, rate = ITERATIONS[name], LEARNING_RATE[name]
  if dropout:
    iterations, rate = DROPOUT_ITERATIONS_FACTOR * iterations, DROPOUT_LEARNING_RATE[name]
  return Desc(
      dataset=DatasetHparams(dataset='cifar10', validation_size=5000, normalization='channel'),
      model=ModelHparams(network=name, dropout=dropout),
      training=TrainingHparams(training_iterations=iterations, eval_every=100, batch_size=60,
                               optimizer='adam', learning_rate=rate),
      pruning=PruningHparams(prune_percent=20.0, output_prune_percent=10.0,
                             conv_prune_percent=CONV_PRUNE_PERCENT[name], pruning_rule='exact'))


def layer_names(blocks) -> Tuple[str, ...]:
  """conv0, conv1, ... (two per block), fc0, fc1, output: as foundations.model_conv names them."""
  return (tuple(f'conv{i}' for i in range(2 * len(blocks)))
          + tuple(f'fc{i}' for i in range(len(FC_SIZES) - 1)) + ('output',))


def shapes(blocks) -> Dict[str, Tuple[int, ...]]:
  """Kernel shapes: 3x3 convs, then fc layers on the flattened last pooled block."""
  out, channels = [], INPUT_SHAPE[-1]
  for filters in blocks:
    out += [(3, 3, channels, filters), (3, 3, filters, filters)]
    channels = filters
  side = INPUT_SHAPE[0] // 2 ** len(blocks)
  units = side * side * channels
  for size in FC_SIZES:
    out.append((units, size))
    units = size
  return dict(zip(layer_names(blocks), out))


def _register(name: str, blocks: Tuple[int, ...]) -> None:

  def build(seed: int, dropout: float):
    from foundations import model_conv  # pylint: disable=g-import-not-at-top  (TF only when needed)
    return model_conv.make_conv(INPUT_SHAPE, blocks, FC_SIZES, seed, dropout)

  names = layer_names(blocks)
  networks.register(networks.Network(
      name=name, build=build, shapes=shapes(blocks),
      layer_kinds={n: 'output' if n == 'output' else n.rstrip('0123456789') for n in names},
      dataset='cifar10', input_shape=INPUT_SHAPE, flatten=False, eval_batch_size=EVAL_BATCH_SIZE, jit_compile=False,
      presets=lambda dropout: {'paper': paper_desc(name, dropout)},
      # Deep enough for Appendix H's deepest claim: "above unpruned while Pm > 2%".
      smallest_pm=2.0,
      claims='lottery.report.sections:conv_claims_table', paper=PAPER_NUMBERS[name],
      pm_figure='figure5.png'))


for _name, _blocks in CONV_BLOCKS.items():
  _register(_name, _blocks)

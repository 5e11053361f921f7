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

There is only the 'paper' preset: the reference TF1 code
(google-research/lottery-ticket-hypothesis) implements only mnist_fc, so it
has no convnet settings to mirror, and its MNIST choices (SGD 0.1, batch 64,
row-L2-normalised inputs, no validation split) were never used for these nets.
"""

from typing import Dict, Tuple

from foundations.hparams import Hparams, HparamsError
from lottery.networks import Network

INPUT_SHAPE = (32, 32, 3)  # NHWC, as datasets.registry.load_raw('cifar10') gives it
FC_SIZES = (256, 256, 10)  # two hidden fc layers and the 10-way output
CONV_BLOCKS: Dict[str, Tuple[int, ...]] = {  # filters of each block of two convs + max-pool
    'conv2': (64,),
    'conv4': (64, 128),
    'conv6': (64, 128, 256),
}
NETWORKS = tuple(CONV_BLOCKS)
# Examples per forward pass in evaluation: Conv-2's first activations for 1,000
# images are 262 MB (float32). Measured on 2 cores: 1,000 and 2,500 evaluate
# 15K images equally fast (12.5 s, 1 thread), at 2 GB and 6 GB peak memory.
EVAL_BATCH_SIZE = 1000

_CONV2 = Hparams(network='conv2', dataset='cifar10', prune_percent=20.0,
                 output_prune_percent=10.0, conv_prune_percent=10.0, training_iterations=20000,
                 eval_every=100, batch_size=60, optimizer='adam', learning_rate=2e-4,
                 dropout=0.0, validation_size=5000, normalization='channel',
                 pruning_rule='exact')
PAPER_BY_NETWORK: Dict[str, Hparams] = {
    'conv2': _CONV2,
    'conv4': _CONV2.replace(network='conv4', training_iterations=25000, learning_rate=3e-4),
    'conv6': _CONV2.replace(network='conv6', training_iterations=30000, learning_rate=3e-4,
                            conv_prune_percent=15.0),
}
DROPOUT_RATE = 0.5  # the paper's rate; --dropout=0.5 selects the variant
DROPOUT_LEARNING_RATE = {'conv2': 3e-4, 'conv4': 2e-4, 'conv6': 2e-4}
DROPOUT_ITERATIONS_FACTOR = 3
PRESET_NAMES = ('paper',)


def paper_hparams(network: str, dropout: float = 0.0) -> Hparams:
  """The paper's hyperparameters for `network`; any dropout > 0 selects the dropout variant.

  Raises HparamsError (one line, naming --network) for an unknown network.
  """
  if network not in PAPER_BY_NETWORK:
    raise HparamsError(f'--network={network}: expected one of {", ".join(NETWORKS)}')
  hp = PAPER_BY_NETWORK[network]
  if dropout:
    hp = hp.replace(dropout=dropout, learning_rate=DROPOUT_LEARNING_RATE[network],
                    training_iterations=DROPOUT_ITERATIONS_FACTOR * hp.training_iterations)
  return hp


def presets(network: str, dropout: float = 0.0) -> Dict[str, Hparams]:
  """Preset name -> Hparams for this network and dropout rate."""
  return {'paper': paper_hparams(network, dropout)}


def network_for(hp: Hparams) -> Network:
  """Conv-2/4/6 (hp.network) with masked layers conv0.., fc0, fc1 and output."""
  # TensorFlow loads only when a network is needed.
  from foundations import model_conv  # pylint: disable=g-import-not-at-top
  if hp.network not in CONV_BLOCKS:
    raise HparamsError(f'--network={hp.network}: expected one of {", ".join(NETWORKS)}')
  blocks = CONV_BLOCKS[hp.network]
  return Network(
      name=hp.network,
      build=lambda seed, dropout: model_conv.make_conv(INPUT_SHAPE, blocks, FC_SIZES, seed,
                                                       dropout),
      layer_kinds=model_conv.layer_kinds(blocks, FC_SIZES),
      flatten=False, eval_batch_size=EVAL_BATCH_SIZE, jit_compile=False)

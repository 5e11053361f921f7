"""LeNet-300-100 on MNIST: the paper's hyperparameters and the reference code's."""

from foundations.hparams import Hparams
from lottery.networks import Network

LAYER_SIZES = (300, 100, 10)
INPUT_SIZE = 784

# Frankle & Carbin (2019), Figure 2 / Appendix: Adam 1.2e-3, batch 60, 50K
# iterations, fc layers pruned 20% per round and the output layer 10%.
PAPER = Hparams(network='lenet300_100', dataset='mnist', prune_percent=20.0,
                output_prune_percent=10.0, training_iterations=50000, eval_every=100,
                batch_size=60, optimizer='adam', learning_rate=1.2e-3, validation_size=5000,
                normalization='unit', pruning_rule='exact')

# google-research/lottery-ticket-hypothesis mnist_fc: SGD 0.1, batch 64, test
# set only, row-L2-normalized inputs, cutoff-style pruning.
REFERENCE = PAPER.replace(optimizer='sgd', learning_rate=0.1, batch_size=64, validation_size=0,
                          normalization='l2', pruning_rule='reference')

PRESETS = {'paper': PAPER, 'reference': REFERENCE}


def network_for(hp: Hparams) -> Network:
  """LeNet-300-100 with masked layers layer0..layer2 (layer2 is the output)."""
  from foundations import model_fc  # pylint: disable=g-import-not-at-top  (TF loads only when needed)
  return Network(
      name='lenet300_100',
      build=lambda seed, dropout: model_fc.make_fc(INPUT_SIZE, LAYER_SIZES, seed, dropout),
      layer_kinds={'layer0': 'fc', 'layer1': 'fc', 'layer2': 'output'},
      flatten=True, eval_batch_size=10000, jit_compile=True)

"""LeNet-300-100 on MNIST (or Fashion-MNIST, the reference code's second dataset): the paper's
hyperparameters and the reference code's."""

from foundations.hparams import (DatasetHparams, Desc, ModelHparams, PruningHparams,
                                 TrainingHparams)
from lottery import networks

NAME = 'lenet300_100'
LAYER_SIZES = (300, 100, 10)
INPUT_SHAPE = (28, 28, 1)  # any 28x28 grayscale dataset of 10 classes: MNIST, Fashion-MNIST, ...
INPUT_SIZE = INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2]  # 784: the net takes them flattened

# Frankle & Carbin (2019), Figure 2 / Appendix: Adam 1.2e-3, batch 60, 50K
# iterations, fc layers pruned 20% per round and the output layer 10%.
PAPER = Desc(
    dataset=DatasetHparams(dataset='mnist', validation_size=5000, normalization='unit'),
    model=ModelHparams(network=NAME),
    training=TrainingHparams(training_iterations=50000, eval_every=100, batch_size=60,
                             optimizer='adam', learning_rate=1.2e-3),
    pruning=PruningHparams(prune_percent=20.0, output_prune_percent=10.0, pruning_rule='exact'))

# google-research/lottery-ticket-hypothesis mnist_fc: SGD 0.1, batch 64, test
# set only, row-L2-normalized inputs, cutoff-style pruning.
REFERENCE = PAPER.replace(optimizer='sgd', learning_rate=0.1, batch_size=64, validation_size=0,
                          normalization='l2', pruning_rule='reference')


def build(seed: int, dropout: float):
  """784-300-100-10 with masked layers layer0..layer2 (layer2 is the output)."""
  from foundations import model_fc  # pylint: disable=g-import-not-at-top  (TF loads only when needed)
  return model_fc.make_fc(INPUT_SIZE, LAYER_SIZES, seed, dropout)


networks.register(networks.Network(
    name=NAME, build=build,
    shapes={'layer0': (784, 300), 'layer1': (300, 100), 'layer2': (100, 10)},
    layer_kinds={'layer0': 'fc', 'layer1': 'fc', 'layer2': 'output'},
    dataset='mnist', input_shape=INPUT_SHAPE, flatten=True, eval_batch_size=10000, jit_compile=True,
    presets=lambda dropout: {'paper': PAPER.replace(dropout=dropout),
                             'reference': REFERENCE.replace(dropout=dropout)},
    smallest_pm=1.9,  # Figure 3's smallest ticket: 18 rounds at 20%
    claims='lottery.report.sections:lenet_claims_and_figures', paper={},
    pm_figure='figure4.png'))

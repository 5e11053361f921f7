"""A tiny learnable problem and network for fast tests of the lottery procedures."""

import numpy as np

from datasets import pipeline
from foundations import model_fc
from foundations.hparams import Hparams
from lottery.networks import Network

SIZES = (12, 8, 4)
SHAPES = {'layer0': (36, 12), 'layer1': (12, 8), 'layer2': (8, 4)}
PERCENTS = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}
HP = Hparams(network='tiny', rounds=3, training_iterations=60, eval_every=20, batch_size=20,
             learning_rate=0.01)


def tiny_network() -> Network:
  """A 36-12-8-4 masked MLP named layer0..layer2."""
  return Network(name='tiny', build=lambda seed, dropout: model_fc.make_fc(36, SIZES, seed, dropout),
                 layer_kinds={'layer0': 'fc', 'layer1': 'fc', 'layer2': 'output'},
                 flatten=True, eval_batch_size=1000, jit_compile=False)


def tiny_splits() -> pipeline.DataSplits:
  """Generated 6x6 images; the label is the brightest of the four 3x3 quadrants (400/100/200)."""
  rng = np.random.RandomState(0)
  x = rng.randint(0, 256, size=(700, 6, 6)).astype(np.uint8)
  y = np.stack([x[:, :3, :3].sum((1, 2)), x[:, :3, 3:].sum((1, 2)), x[:, 3:, :3].sum((1, 2)),
                x[:, 3:, 3:].sum((1, 2))], 1).argmax(1).astype(np.uint8)
  return pipeline.make_splits(x[:500], y[:500], x[500:], y[500:], validation_size=100, seed=0,
                              normalization='unit', flatten=True)

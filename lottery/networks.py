"""What the lottery loop needs to know about a network."""

import dataclasses
from typing import Callable, Dict

from foundations.hparams import Hparams


@dataclasses.dataclass(frozen=True)
class Network:
  """A buildable masked network.

  build: (seed, dropout) -> keras model of masked layers producing logits.
  layer_kinds: masked layer name -> 'conv', 'fc' or 'output' (selects its prune rate).
  flatten: whether inputs are flattened to [N, H*W*C].
  eval_batch_size: examples per forward pass in evaluation (memory bound for convnets).
  jit_compile: XLA-compile the train step (helps LeNet, not the convnets).
  """
  name: str
  build: Callable[[int, float], object]  # -> tf_keras.Model
  layer_kinds: Dict[str, str]
  flatten: bool
  eval_batch_size: int
  jit_compile: bool


def layer_percents(hp: Hparams, network: Network) -> Dict[str, float]:
  """Layer name -> percent of its survivors pruned per round, from the hparams' rates."""
  rate = {'fc': hp.prune_percent, 'output': hp.output_prune_percent,
          'conv': hp.conv_prune_percent if hp.conv_prune_percent is not None else hp.prune_percent}
  return {name: rate[kind] for name, kind in network.layer_kinds.items()}

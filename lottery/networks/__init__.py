"""The network registry: name -> everything the lottery code needs to know about a network.

A network is one module in this package that calls `register(Network(...))`,
plus one import line at the bottom of this file. Importing this package is
cheap: builders import TensorFlow only when called.
"""

import dataclasses
from typing import Callable, Dict, Mapping, Tuple

from foundations import registry
from foundations.hparams import Desc, HparamsError, PruningHparams


@dataclasses.dataclass(frozen=True)
class Network:
  """A buildable masked network and its paper settings.

  name: the one spelling used by flags, files and reports (e.g. 'lenet300_100').
  build: (seed, dropout) -> tf_keras model of masked layers producing logits.
  shapes: masked layer name -> kernel shape, in layer order (known without TensorFlow).
  layer_kinds: masked layer name -> 'conv', 'fc' or 'output' (selects its prune rate).
  dataset: the dataset registry name it trains on by default.
  flatten: whether inputs are flattened to [N, H*W*C] (fully-connected nets).
  eval_batch_size: examples per forward pass in evaluation (memory bound for convnets).
  jit_compile: XLA-compile the train step (helps LeNet, not the convnets).
  presets: dropout rate -> {preset name: Desc}; the first preset is the default.
  smallest_pm: the default --rounds reaches this Pm (%): the paper's smallest in its figures.
  claims: 'module:function' writing this network's paper-claims section of the report (see
    lottery.report.sections); a string, resolved only when a report is made, so that the
    registry does not import the report.
  paper: the paper's numbers the report compares against (name -> value).
  pm_figure: file name of the early-stop/accuracy-vs-Pm figure (the paper's figure number).
  other_datasets: further datasets of the same input shape that --dataset may select.
  """
  name: str
  build: Callable[[int, float], object]
  shapes: Mapping[str, Tuple[int, ...]]
  layer_kinds: Mapping[str, str]
  dataset: str
  flatten: bool
  eval_batch_size: int
  jit_compile: bool
  presets: Callable[[float], Dict[str, Desc]]
  smallest_pm: float
  claims: str
  paper: Mapping[str, float]
  pm_figure: str
  other_datasets: Tuple[str, ...] = ()

  def check_dataset(self, dataset: str) -> None:
    """Refuses a dataset this network cannot take (HparamsError, one line)."""
    allowed = (self.dataset,) + tuple(self.other_datasets)
    if dataset not in allowed:
      raise HparamsError(f'--dataset={dataset}: {self.name} trains on {" or ".join(allowed)}')

  def layer_percents(self, pruning: PruningHparams) -> Dict[str, float]:
    """Layer name -> percent of its survivors pruned per round, by its kind (layer-wise rates)."""
    conv = pruning.conv_prune_percent
    rate = {'fc': pruning.prune_percent, 'output': pruning.output_prune_percent,
            'conv': conv if conv is not None else pruning.prune_percent}
    return {name: rate[kind] for name, kind in self.layer_kinds.items()}

  def round_percents(self, pruning: PruningHparams) -> Dict[str, float]:
    """Layer name -> the percent a pruning round is given for it (foundations.pruning.STRATEGIES):
    its layer-wise rate, or under global pruning the one rate, --prune_percent, for every layer.
    """
    if pruning.pruning_scope == 'global':
      return {name: pruning.prune_percent for name in self.layer_kinds}
    return self.layer_percents(pruning)


_REGISTRY = registry.Registry('network', HparamsError)
register, get, names = _REGISTRY.register, _REGISTRY.get, _REGISTRY.names


# Registration: one line per network module.
from lottery.networks import lenet  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.networks import conv  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import

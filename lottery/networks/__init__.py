"""The network registry: name -> everything the lottery code needs to know about a network.

A network is one module in this package that calls `register(Network(...))`,
plus one import line at the bottom of this file. Importing this package is
cheap: builders import TensorFlow only when called.

A network takes every registered dataset whose examples have its input shape
and whose classes are its outputs (`check_dataset`): no list of datasets is kept.
"""

import dataclasses
from typing import Callable, Dict, Mapping, Tuple, Union

from datasets import base as datasets_base
from datasets import registry as datasets_registry
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
  input_shape: one example's (H, W, C), e.g. (28, 28, 1); a dataset fits when its images have
    this shape (grayscale (H, W) counting as one channel) and its classes are the outputs.
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
  """
  name: str
  build: Callable[[int, float], object]
  shapes: Mapping[str, Tuple[int, ...]]
  layer_kinds: Mapping[str, str]
  dataset: str
  input_shape: Tuple[int, ...]
  flatten: bool
  eval_batch_size: int
  jit_compile: bool
  presets: Callable[[float], Dict[str, Desc]]
  smallest_pm: float
  claims: str
  paper: Mapping[str, float]
  pm_figure: str

  @property
  def num_classes(self) -> int:
    """Outputs of the last layer: the classes a dataset must have."""
    return list(self.shapes.values())[-1][-1]

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


def check_dataset(taker: Union[Network, str], dataset: str, flag: str = 'dataset') -> None:
  """Refuses `dataset` unless it has the inputs and classes `taker` has (HparamsError, one line).

  Args:
    taker: a Network, or a dataset name (e.g. the dataset a network was trained on before).
    dataset: a registered dataset's name.
    flag: the flag that chose `dataset`, named in the error.
  """
  def entry(name: str, name_flag: str):
    if name not in datasets_registry.names():
      raise HparamsError(f'--{name_flag}={name}: expected one of '
                         f'{", ".join(datasets_registry.names())}')
    return datasets_registry.get(name)

  if isinstance(taker, Network):
    who, verb, shape, classes = taker.name, 'takes', taker.input_shape, taker.num_classes
  else:
    ours = entry(taker, 'dataset')
    who, verb, shape, classes = taker, 'has', ours.input_shape, ours.num_classes
  theirs = entry(dataset, flag)
  shape, other_shape = tuple(shape), theirs.input_shape
  if (shape, classes) == (other_shape, theirs.num_classes):
    return
  differs = []
  if other_shape != shape:
    differs.append(f'{datasets_base.shape_text(other_shape)} inputs')
  if theirs.num_classes != classes:
    differs.append(f'{theirs.num_classes} classes')
  raise HparamsError(f'--{flag}={dataset}: {who} {verb} {datasets_base.shape_text(shape)} inputs '
                     f'with {classes} classes; {dataset} has {" with ".join(differs)}')


# Registration: one line per network module.
from lottery.networks import lenet  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.networks import conv  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import

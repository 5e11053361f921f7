"""Typed hyperparameters of one lottery-ticket experiment, validated and printable."""

import dataclasses
import json
from typing import Optional

OPTIMIZERS = ('adam', 'sgd')
NORMALIZATIONS = ('unit', 'l2', 'channel')
PRUNING_RULES = ('exact', 'reference')
PRUNING_SCOPES = ('layerwise', 'global')


class HparamsError(ValueError):
  """Invalid hyperparameters; the message is one line."""


@dataclasses.dataclass(frozen=True)
class Hparams:
  """Everything that determines an experiment's results.

  Percentages are in [0, 100): the share of each layer's *surviving* weights
  removed per pruning round.
  """
  network: str = 'lenet300_100'
  dataset: str = 'mnist'
  prune_percent: float = 20.0          # fully-connected hidden layers
  output_prune_percent: float = 10.0   # the output layer
  conv_prune_percent: Optional[float] = None  # convolutions (conv nets only)
  rounds: int = 18
  training_iterations: int = 50000
  eval_every: int = 100
  batch_size: int = 60
  optimizer: str = 'adam'
  learning_rate: float = 1.2e-3
  dropout: float = 0.0
  validation_size: int = 5000
  normalization: str = 'unit'
  pruning_rule: str = 'exact'
  pruning_scope: str = 'layerwise'
  rewind_iteration: int = 0            # late resetting: survivors go back to iteration k
  seed: int = 0
  trial: int = 1
  experiment_name: str = 'lottery'

  def validate(self) -> 'Hparams':
    """Returns self, or raises HparamsError naming the first bad value."""
    for name in ('prune_percent', 'output_prune_percent', 'conv_prune_percent'):
      value = getattr(self, name)
      if value is not None and not 0 <= value < 100:
        raise HparamsError(f'--{name}={value}: must be in [0, 100)')
    positive = ('training_iterations', 'eval_every', 'batch_size')
    for name in positive:
      if getattr(self, name) <= 0:
        raise HparamsError(f'--{name}={getattr(self, name)}: must be positive')
    if self.rounds < 0:
      raise HparamsError(f'--rounds={self.rounds}: must be >= 0')
    if self.learning_rate <= 0:
      raise HparamsError(f'--learning_rate={self.learning_rate}: must be positive')
    if not 0 <= self.dropout < 1:
      raise HparamsError(f'--dropout={self.dropout}: must be in [0, 1)')
    if not 0 <= self.rewind_iteration <= self.training_iterations:
      raise HparamsError(f'--rewind_iteration={self.rewind_iteration}: must be in '
                         f'[0, --training_iterations={self.training_iterations}]')
    if self.validation_size < 0:
      raise HparamsError(f'--validation_size={self.validation_size}: must be >= 0')
    if self.trial < 0:
      raise HparamsError(f'--trial={self.trial}: must be >= 0')
    for name, allowed in (('optimizer', OPTIMIZERS), ('normalization', NORMALIZATIONS),
                          ('pruning_rule', PRUNING_RULES), ('pruning_scope', PRUNING_SCOPES)):
      if getattr(self, name) not in allowed:
        raise HparamsError(f'--{name}={getattr(self, name)}: expected one of {", ".join(allowed)}')
    if not self.experiment_name or '/' in self.experiment_name:
      raise HparamsError(f'--experiment_name={self.experiment_name!r}: must be a plain name')
    return self

  def replace(self, **changes) -> 'Hparams':
    return dataclasses.replace(self, **changes)

  def to_dict(self) -> dict:
    return dataclasses.asdict(self)

  def results_key(self) -> dict:
    """The fields that must match for two runs to share an output directory.

    `rounds` is left out so that a finished run can be extended with more rounds.
    """
    d = self.to_dict()
    d.pop('rounds')
    return d

  def describe(self) -> str:
    """Multi-line, aligned listing for printing at start."""
    width = max(len(k) for k in self.to_dict())
    return '\n'.join(f'  {k:<{width}} = {v}' for k, v in self.to_dict().items())

  def to_json(self) -> str:
    return json.dumps(self.to_dict(), indent=2, sort_keys=True)

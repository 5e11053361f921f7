"""Typed hyperparameters of one run, in groups, validated and printable.

A run is described by `Desc`: five groups (dataset, model, training, pruning,
and transfer, empty unless a ticket is trained on another dataset) plus the
run's identity (seed, trial, experiment name). Each field carries its own flag help (and, where the flag name differs, the flag name) in its
metadata, so command-line flags are generated from these classes
(`foundations.cli`), never kept by hand.

On disk a description is a flat dict of field name -> value (the
`<experiment>.hparams.json` file), the same keys whatever the grouping.
"""

import dataclasses
import json
from typing import Any, Dict, Iterator, Optional, Tuple

from foundations import hparam_fields
from foundations import mask_criteria
from foundations import pruned_weights

OPTIMIZERS = ('adam', 'sgd', 'momentum')
NORMALIZATIONS = ('unit', 'standard', 'l2', 'channel')
PRUNING_RULES = ('exact', 'reference')
PRUNING_SCOPES = ('layerwise', 'global')
TEST_EVALS = ('all', 'needed')
# How a ticket found on another run starts on this run's dataset: '' for every other run.
TRANSFER_INITS = ('source_init', 'source_trained', 'reinit', 'random_mask')
# Deconstructing lottery tickets (Zhou et al. 2019): what the kept weights of a pruned level start
# from. The lottery layer maps reinit -> foundations.kept_init's 'fresh', signed_reinit ->
# 'signed_fresh'.
KEPT_INITS = ('rewind', 'reinit', 'reshuffle', 'signed_reinit', 'signed_reshuffle',
              'signed_constant', 'rand_signed_constant')
# Figure 3 draws test accuracy up to this iteration: --test_eval=needed keeps every test point there.
CURVE_ITERATIONS = 15000


# The field machinery lives in hparam_fields; its names are used from here.
HparamsError = hparam_fields.HparamsError
field = hparam_fields.field
flag_name = hparam_fields.flag_name
has_flag = hparam_fields.has_flag


@dataclasses.dataclass(frozen=True)
class DatasetHparams:
  """Which data, how it is split and normalized."""
  dataset: str = field('mnist', 'Dataset name (default: the network\'s; any registered dataset '
                       'with the network\'s input shape and number of classes).')
  validation_size: int = field(5000, 'Training examples held out for validation.')
  test_size: int = field(0, 'Test examples evaluated: the first N of the test split (0: all of '
                         'them, the paper\'s protocol; fewer only for quick trial runs, and the '
                         'report then says the protocol differs).')
  normalization: str = field('unit', 'Input normalization: unit (x/255), standard (global '
                             'mean/std of the training split), l2 (row L2, the TF1 reference), '
                             'channel '
                             '(per-channel mean/std of the training split).',
                             choices=NORMALIZATIONS)

  def validate(self) -> None:
    for name in ('validation_size', 'test_size'):
      if getattr(self, name) < 0:
        raise HparamsError(f'--{name}={getattr(self, name)}: must be >= 0')
    hparam_fields.check_choices(self)


@dataclasses.dataclass(frozen=True)
class ModelHparams:
  """Which network, its dropout rate, and where its theta_0 comes from ('' = a seeded draw)."""
  network: str = field('lenet300_100', 'Network (a name in the network registry).')
  dropout: float = field(0.0, 'Dropout rate on the hidden fully-connected layers\' outputs '
                         '(conv nets; > 0 selects the paper\'s dropout variant).')
  initial_weights: str = field('', 'theta_0 for level 0 instead of a fresh draw: an npz of '
                               'ours (a level\'s initial.npz) or a reference initial/ directory '
                               'of <layer>.npy; kernels only, biases start at zero.')

  def validate(self) -> None:
    if not 0 <= self.dropout < 1:
      raise HparamsError(f'--dropout={self.dropout}: must be in [0, 1)')


@dataclasses.dataclass(frozen=True)
class TrainingHparams:
  """How one level is trained: all the trainer sees."""
  training_iterations: int = field(50000, 'Training iterations per level.')
  eval_every: int = field(100, 'Evaluate validation and test every this many iterations.')
  batch_size: int = field(60, 'Training batch size.')
  optimizer: str = field('adam', 'adam, sgd, or momentum (SGD with momentum 0.9).',
                         choices=OPTIMIZERS)
  learning_rate: float = field(1.2e-3, 'Learning rate.')
  test_eval: str = field('all', 'all: evaluate the test set with every validation (the paper\'s '
                         'protocol); needed: only where a summary or Figure 3 reads it (new '
                         f'validation-loss minima, iterations <= {CURVE_ITERATIONS}, the end): the '
                         'same summaries, faster.', choices=TEST_EVALS)

  def validate(self) -> None:
    for name in ('training_iterations', 'eval_every', 'batch_size'):
      if getattr(self, name) <= 0:
        raise HparamsError(f'--{name}={getattr(self, name)}: must be positive')
    if self.learning_rate <= 0:
      raise HparamsError(f'--learning_rate={self.learning_rate}: must be positive')
    hparam_fields.check_choices(self)


@dataclasses.dataclass(frozen=True)
class PruningHparams:
  """How much is pruned per round, how, and what survivors are reset to.

  Percentages are in [0, 100): the share of each layer's *surviving* weights
  removed per pruning round.
  """
  prune_percent: float = field(20.0, 'Percent of surviving weights pruned per round in '
                               'fully-connected hidden layers.')
  output_prune_percent: Optional[float] = field(None, 'Percent pruned per round in the output '
                                                'layer (default: half of --prune_percent).',
                                                follows=('prune_percent', 0.5))
  conv_prune_percent: Optional[float] = field(None, 'Percent of surviving weights pruned per '
                                              'round in convolutional layers.')
  rounds: int = field(18, 'Pruning rounds; levels 0..rounds are trained (default: enough to '
                      'reach the network\'s smallest Pm in the paper\'s figures).')
  pruning_rule: str = field('exact', 'exact (prune round(p*n)) or reference (TF1 cutoff).',
                            choices=PRUNING_RULES)
  pruning_scope: str = field('layerwise', 'Layer-wise (each layer by its own rate) or global '
                             'magnitude pruning.', flag='pruning', choices=PRUNING_SCOPES)
  rewind_iteration: int = field(0, 'Late resetting: reset survivors to their values at this '
                                'iteration of level 0 instead of theta_0 (0: theta_0).')
  gmp_begin: float = field(0.1, 'Gradual magnitude pruning (pruning while training): start '
                           'pruning at this fraction of --training_iterations.')
  gmp_end: float = field(0.6, 'Gradual magnitude pruning: reach the level\'s sparsity at this '
                         'fraction of --training_iterations (the rest trains the final sparse '
                         'net).')
  gmp_frequency: int = field(100, 'Gradual magnitude pruning: update the masks every this many '
                             'steps.')
  # --- Deconstructing lottery tickets (Zhou et al. 2019): mask criterion, kept and pruned
  # weights. Defaults are the lottery ticket's own choices (bit-identical results).
  mask_criterion: str = field('large_final', 'Which survivors a pruning round keeps, scored from '
                              '(theta_0, trained weights): large_final (|w_final|, the lottery '
                              'ticket), movement, magnitude_increase, random, ... (Zhou et al. '
                              '2019).', choices=mask_criteria.CRITERIA.names())
  kept_init: str = field('rewind', 'What the kept weights of a pruned level start from: rewind '
                         '(theta_0), reinit (a fresh seeded draw), reshuffle (theta_0 permuted '
                         'among the kept), signed_reinit, signed_reshuffle (magnitudes moved, '
                         'own signs), signed_constant (sign(theta_0) x the layer\'s std), '
                         'rand_signed_constant (permuted signs).', choices=KEPT_INITS)
  pruned_weights: str = field('zero', 'What pruned weights hold, never trained: zero, '
                              'freeze_init (frozen at theta_0), freeze_init_zero_mask (0 where '
                              'they moved toward zero, |theta_0| > |w_final|, else theta_0).',
                              choices=pruned_weights.ACTIONS)
  # --- end of the Zhou et al. block

  def __post_init__(self):
    hparam_fields.fill_follows(self)  # output_prune_percent: half of prune_percent unless given

  def validate(self) -> None:
    for name in ('prune_percent', 'output_prune_percent', 'conv_prune_percent'):
      value = getattr(self, name)
      if value is not None and not 0 <= value < 100:
        raise HparamsError(f'--{name}={value}: must be in [0, 100)')
    if self.rounds < 0:
      raise HparamsError(f'--rounds={self.rounds}: must be >= 0')
    if self.rewind_iteration < 0:
      raise HparamsError(f'--rewind_iteration={self.rewind_iteration}: must be >= 0')
    if not 0 <= self.gmp_begin < self.gmp_end <= 1:
      raise HparamsError(f'--gmp_begin={self.gmp_begin}, --gmp_end={self.gmp_end}: need '
                         '0 <= gmp_begin < gmp_end <= 1')
    if self.gmp_frequency <= 0:
      raise HparamsError(f'--gmp_frequency={self.gmp_frequency}: must be positive')
    hparam_fields.check_choices(self)
    if self.mask_criterion != 'large_final' and self.pruning_rule != 'exact':
      raise HparamsError(f'--mask_criterion={self.mask_criterion}: needs --pruning_rule=exact '
                         '(the reference rule is a magnitude cutoff)')


@dataclasses.dataclass(frozen=True)
class SourceHparams:
  """Where a ticket trained on this run's dataset was found (another run's output directory,
  experiment and dataset) and how its weights start; set by the procedure that reads them."""
  transfer_init: str = field('', 'How it starts: ' + ', '.join(TRANSFER_INITS) + '.',
                             set_by='procedure')
  transfer_source: str = field('', 'The source run\'s output directory.', set_by='procedure')
  transfer_source_experiment: str = field('', 'Its experiment name.', set_by='procedure')
  transfer_source_dataset: str = field('', 'Its dataset.', set_by='procedure')

  def validate(self) -> None:
    if self.transfer_init not in ('',) + TRANSFER_INITS:
      raise HparamsError(f'--transfer_init={self.transfer_init}: expected one of '
                         f'{", ".join(TRANSFER_INITS)}')
    if len({bool(v) for v in dataclasses.astuple(self)}) > 1:
      raise HparamsError('the transfer_* hyperparameters are set together or not at all')


GROUPS = {'dataset': DatasetHparams, 'model': ModelHparams, 'training': TrainingHparams,
          'pruning': PruningHparams, 'source': SourceHparams}


@dataclasses.dataclass(frozen=True)
class Desc:
  """Everything that determines a run's results: the groups and the run's identity."""
  dataset: DatasetHparams = DatasetHparams()
  model: ModelHparams = ModelHparams()
  training: TrainingHparams = TrainingHparams()
  pruning: PruningHparams = PruningHparams()
  source: SourceHparams = SourceHparams()
  seed: int = field(0, 'Random seed (initialization, split, data order).')
  trial: int = field(1, 'Trial number: results go to <output_dir>/trial<T>/.')
  experiment_name: str = field('lottery', 'Name of the experiment directory in each level.')

  def validate(self) -> 'Desc':
    """Returns self, or raises HparamsError naming the first bad value."""
    for group in GROUPS:
      getattr(self, group).validate()
    if self.pruning.rewind_iteration > self.training.training_iterations:
      raise HparamsError(f'--rewind_iteration={self.pruning.rewind_iteration}: must be in '
                         f'[0, --training_iterations={self.training.training_iterations}]')
    if self.trial < 0:
      raise HparamsError(f'--trial={self.trial}: must be >= 0')
    if not self.experiment_name or '/' in self.experiment_name:
      raise HparamsError(f'--experiment_name={self.experiment_name!r}: must be a plain name')
    return self

  def replace(self, **changes) -> 'Desc':
    """A copy with flat field names changed, e.g. replace(rounds=3, learning_rate=0.1).

    A field that `follows` a changed one (see `field`) is recomputed from it unless it is
    changed too: replace(prune_percent=30) sets output_prune_percent to 15, as the flag does.
    """
    flat = {**to_flat(self), **changes}
    for _, f in leaf_fields():
      follows = f.metadata.get('follows')
      if follows and follows[0] in changes and f.name not in changes:
        flat[f.name] = None  # filled from the field it follows when the group is made
    return from_flat(flat)

  def to_dict(self) -> Dict[str, Any]:
    return to_flat(self)

  def results_key(self) -> Dict[str, Any]:
    """The fields that must match for two runs to share an output directory.

    `rounds` is left out so that a finished run can be extended with more rounds.
    """
    d = to_flat(self)
    d.pop('rounds')
    return d

  def describe(self) -> str:
    """Multi-line listing by group, for printing at start; a group that only a procedure sets
    (transfer) is left out while it is at its defaults."""
    flat = to_flat(self)
    shown = {g: cls for g, cls in GROUPS.items()
             if any(has_flag(f) for f in dataclasses.fields(cls)) or getattr(self, g) != cls()}
    width = max(len(f.name) for cls in shown.values() for f in dataclasses.fields(cls))
    width = max([width] + [len(name) for name, _ in _identity_fields()])
    lines = []
    for group, cls in shown.items():
      lines.append(f'  [{group}]')
      lines += [f'    {f.name:<{width}} = {flat[f.name]}' for f in dataclasses.fields(cls)]
    lines += [f'  {name:<{width + 2}} = {flat[name]}' for name, _ in _identity_fields()]
    return '\n'.join(lines)

  def to_json(self) -> str:
    return json.dumps(to_flat(self), indent=2, sort_keys=True)


def _identity_fields() -> Iterator[Tuple[str, dataclasses.Field]]:
  for f in dataclasses.fields(Desc):
    if f.name not in GROUPS:
      yield f.name, f


def leaf_fields() -> Iterator[Tuple[Optional[str], dataclasses.Field]]:
  """(group name or None, field) for every flat field of a Desc, in order."""
  for group, cls in GROUPS.items():
    for f in dataclasses.fields(cls):
      yield group, f
  for _, f in _identity_fields():
    yield None, f


def to_flat(desc: Desc) -> Dict[str, Any]:
  """field name -> value over all groups (the hparams.json form)."""
  flat = {}
  for group, f in leaf_fields():
    flat[f.name] = getattr(getattr(desc, group) if group else desc, f.name)
  return flat


def from_flat(flat: Dict[str, Any]) -> Desc:
  """A Desc from a flat dict; missing fields take their defaults, unknown keys are ignored."""
  groups: Dict[str, Dict[str, Any]] = {g: {} for g in GROUPS}
  top = {}
  for group, f in leaf_fields():
    if f.name in flat:
      (groups[group] if group else top)[f.name] = flat[f.name]
  return Desc(**{g: cls(**groups[g]) for g, cls in GROUPS.items()}, **top)

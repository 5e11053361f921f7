"""The procedure registry: name -> how a level of that procedure starts, trains and is named.

A procedure is one function from the files of the levels it depends on to the
(initial weights, masks[, biases]) of a run, plus which levels those are, and
the hooks by which it differs from the others (see `Procedure`): where its runs
go, whether level 0 saves a rewind point, how a level's model is made (a
procedure that prunes while it trains returns all-ones masks and the per-layer
counts to reach, `Start.prune_to`, and supplies its own `training`), and its
section of the report. The one level loop (foundations.experiment, driven by
lottery.levels) and the sweep drive every procedure alike and never test a
procedure's name. A new procedure is one module in this package that calls
`register(Procedure(...))`, its test, and one import line at the bottom of this file.

Dependencies name a role, not a directory: 'self' is the procedure's own
earlier levels, 'source' the lottery run it controls (for `lottery` itself
both are the same run).

A variant procedure (lottery.procedures.deconstruct) sets hyperparameters of
its own (`Procedure.variant`, e.g. mask_criterion=movement), recorded in its
hparams.json; `family` groups such generated procedures in the command list.
"""

import dataclasses
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from foundations import experiment
from foundations import hparams
from foundations import kept_init
from foundations import mask_criteria
from foundations import paths
from foundations import pruned_weights
from foundations import pruning
from foundations import registry
from foundations import save_restore
from foundations.hparams import Desc
from lottery import level_models
from lottery import seeds

Arrays = Dict[str, np.ndarray]
Start = experiment.Start


class MissingSourceError(ValueError):
  """A level this run depends on has not finished; the message is one line."""


class Context:
  """What a procedure's `start` may read: the run's description, network and finished levels."""

  def __init__(self, desc: Desc, network, output_dir: str, self_name: str, source_name: str,
               source_dir: Optional[str] = None):
    """source_dir: the output directory of the 'source' run (default: output_dir); read only."""
    self.desc, self.network, self.output_dir = desc, network, output_dir
    self.stores = {'self': experiment.LevelStore(output_dir, desc.trial, self_name),
                   'source': experiment.LevelStore(source_dir or output_dir, desc.trial,
                                                   source_name)}
    self.shapes = dict(network.shapes)
    self.percents = network.layer_percents(desc.pruning)  # layer-wise rates

  def seed(self, purpose: str, level: int = 0) -> int:
    return seeds.derive(self.desc.seed, self.desc.trial, purpose, level)

  @property
  def model_seed(self) -> int:
    return self.seed('model')

  def require(self, role: str, level: int) -> experiment.LevelStore:
    store = self.stores[role]
    if not store.is_finished(level):
      raise MissingSourceError(
          f'{store.run_dir(level)}: level {level} of the {store.experiment_name!r} run is not '
          'finished; run it first (the train runner with the same flags, or the sweep)')
    return store

  def load(self, role: str, level: int) -> Tuple[Arrays, Arrays, Arrays]:
    """(initial, masks, final) of a finished level of `role`'s run."""
    return self.require(role, level).load(level, self.shapes)

  def load_final_biases(self, role: str, level: int) -> Arrays:
    return self.require(role, level).load_final_biases(level)

  def prune(self, masks: Arrays, final: Arrays, initial: Optional[Arrays] = None,
            level: int = 0) -> Arrays:
    """One pruning round by the run's strategy (layer-wise or global) and mask criterion.

    initial: the weights `final` was trained from (theta_0), read by every criterion but
    large_final; level: the level being made (seeds the 'random' criterion).
    """
    p = self.desc.pruning
    rng = None
    if mask_criteria.CRITERIA.get(p.mask_criterion).needs_rng:
      rng = np.random.default_rng(self.seed('mask_criterion', level))
    return pruning.STRATEGIES[p.pruning_scope](p.pruning_rule, self.network.round_percents(p),
                                               masks, final, p.mask_criterion, initial, rng)

  def reset_point(self) -> Arrays:
    """What survivors are reset to: theta_0 (the source run's level-0 initial.npz), or with
    --rewind_iteration that level's rewind.npz."""
    level0 = self.require('source', 0).run_dir(0)
    if self.desc.pruning.rewind_iteration > 0:
      return save_restore.load_npz(paths.rewind(level0), self.shapes)
    return save_restore.load_npz(paths.initial(level0), self.shapes)

  def reset_biases(self) -> Optional[Arrays]:
    """The biases a reset level starts from: level 0's at --rewind_iteration, else None (0)."""
    if self.desc.pruning.rewind_iteration > 0:
      return save_restore.load_npz(paths.rewind_biases(self.require('source', 0).run_dir(0)))
    return None

  def kept_weights(self, action: str, theta0: Arrays, masks: Arrays, level: int) -> Arrays:
    """The kept weights' start by a --kept_init action (hparams.KEPT_INITS); 0 where pruned.

    reinit and signed_reinit use the reinit control's fresh seeded Glorot draw of this level
    (fresh_kernels(seed('reinit', level))); the shuffles and random signs a numpy Generator
    seeded by (seed, trial, 'kept_init', level), so the lottery run's --kept_init=X at a level
    starts like the kept_X control on the same mask.
    """
    name = KEPT_ACTIONS.get(action, action)
    fresh = self.fresh_kernels(self.seed('reinit', level)) \
        if name in ('fresh', 'signed_fresh') else None
    rng = np.random.default_rng(self.seed('kept_init', level))
    return {layer: kept_init.initial_weights(name, theta0[layer], masks[layer],
                                             None if fresh is None else fresh[layer], rng)
            for layer in masks}

  def frozen_weights(self, action: str, masks: Arrays, theta0: Arrays,
                     w_final: Arrays) -> Optional[Arrays]:
    """The pruned weights' constants by a --pruned_weights action; None for 'zero'.

    w_final: the trained weights the masks were computed from, pruned entries included (a
    level's final.npz plus its frozen.npz).
    """
    if action == 'zero':
      return None
    return {layer: pruned_weights.frozen_values(action, masks[layer], theta0[layer],
                                                w_final[layer]) for layer in masks}

  def effective_final(self, role: str, level: int) -> Arrays:
    """A finished level's trained weights as its net computed with: final.npz + frozen.npz."""
    _, _, final = self.load(role, level)
    frozen = self.stores[role].load_frozen(level, self.shapes)
    return final if frozen is None else {n: final[n] + frozen[n] for n in final}

  def fresh_kernels(self, seed: int) -> Arrays:
    """A freshly built network's seeded Glorot kernels (theta_0 for seed = model_seed)."""
    from foundations import masked_layers  # pylint: disable=g-import-not-at-top  (TensorFlow)
    return masked_layers.get_kernels(self.network.build(seed, self.desc.model.dropout))

  def theta0(self) -> Arrays:
    """Level 0's kernels: the --initial_weights file if given, else the seeded Glorot draw."""
    if self.desc.model.initial_weights:
      from lottery import reference_format  # pylint: disable=g-import-not-at-top
      return reference_format.load_weights(self.desc.model.initial_weights, self.shapes)
    return self.fresh_kernels(self.model_seed)

  def ones(self) -> Arrays:
    return {name: np.ones(shape, np.float32) for name, shape in self.shapes.items()}


def unchanged_desc(desc: Desc) -> Desc:
  return desc


def no_rewind_point(desc: Desc, level: int) -> Optional[int]:
  del desc, level
  return None


def no_extra_flags(fv) -> None:
  del fv


def same_desc(desc: Desc, fv, source_dir: str) -> Desc:
  del fv, source_dir
  return desc


@dataclasses.dataclass(frozen=True)
class Procedure:
  """One way of producing a level.

  name: registry name.
  start: (context, level) -> Start.
  requires: level -> [(role, level)] it reads ('self' or 'source').
  default_levels: (desc, finished source levels) -> levels run when none are given.
  doc: one line, printed when it runs.
  named_by_desc: its runs go under the description's experiment_name (the lottery run, which
    others read as their source, or a name its adapt_desc chose); otherwise under its own name.
  rewind_point: (desc, level) -> the iteration at which that level saves its weights and biases
    (rewind.npz, rewind_biases.npz) for later levels to reset to, or None.
  training: (level_models.Models, start) -> LevelModel: how a level's model is made and read;
    the default keeps the start's masks fixed.
  report: 'module:function' of its section of the report (see lottery.report.sections), or
    '' for none; a string, so that this package does not import the report.
  extra_flags: (absl FlagValues) -> None: defines the procedure's own command-line flags (names
    unique among procedures).
  adapt_desc: (the source run's recorded Desc, parsed FlagValues, the source's output dir) ->
    the Desc this procedure's run is made with (the default: the source's); raises
    HparamsError (one line) before anything is written.
  describe: the lottery run's description -> this procedure's (recorded in its hparams.json and
    trained with), e.g. its own training hyperparameters; the default keeps the lottery run's.
  """
  name: str
  start: Callable[[Context, int], Start]
  requires: Callable[[int], List[Tuple[str, int]]]
  default_levels: Callable[[Desc, List[int]], List[int]]
  doc: str = ''
  named_by_desc: bool = False
  rewind_point: Callable[[Desc, int], Optional[int]] = no_rewind_point
  training: Callable[[level_models.Models, Start], level_models.LevelModel] = \
      level_models.fixed_masks
  report: str = ''
  extra_flags: Callable[[object], None] = no_extra_flags
  adapt_desc: Callable[[Desc, object, str], Desc] = same_desc
  variant: Tuple[Tuple[str, str], ...] = ()
  family: str = ''

  def variant_of(self, desc: Desc) -> Desc:
    """`desc` with this procedure's own hyperparameters (`variant`: (field, value) pairs) set.

    Raises hparams.HparamsError when `desc` gives one of them another non-default value.
    """
    if not self.variant:
      return desc
    flat, defaults = hparams.to_flat(desc), hparams.to_flat(Desc())
    for field, value in self.variant:
      if flat[field] not in (value, defaults[field]):
        raise hparams.HparamsError(f'--{field}={flat[field]}: the {self.name} procedure sets '
                                   f'{field}={value}; leave the flag out')
    return desc.replace(**dict(self.variant))
  describe: Callable[[Desc], Desc] = unchanged_desc

  def experiment_name(self, desc: Desc) -> str:
    """The experiment directory of this procedure's runs of `desc`."""
    return desc.experiment_name if self.named_by_desc else self.name


# --kept_init names (hparams.KEPT_INITS) that foundations.kept_init spells otherwise.
KEPT_ACTIONS = {'reinit': 'fresh', 'signed_reinit': 'signed_fresh'}

# family -> its one line in the command list (lottery.commands), for generated procedures.
FAMILIES: Dict[str, str] = {}

_REGISTRY = registry.Registry('procedure')
register, get, names = _REGISTRY.register, _REGISTRY.get, _REGISTRY.names


def every_level(desc: Desc, finished: List[int]) -> List[int]:
  del finished
  return list(range(desc.pruning.rounds + 1))


def pruned_levels(desc: Desc, finished: List[int]) -> List[int]:
  del finished
  return list(range(1, desc.pruning.rounds + 1))


def finished_levels(desc: Desc, finished: List[int]) -> List[int]:
  del desc
  return sorted(finished)


# Registration: one line per procedure module.
from lottery.procedures import lottery_ticket  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import reinit  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import random_prune  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import one_shot  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import continued_training  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import gmp  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import transfer  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import deconstruct  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import
from lottery.procedures import supermask  # pylint: disable=g-import-not-at-top,wrong-import-position,unused-import

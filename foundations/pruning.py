"""Pruning ops on dicts of masks and weights keyed by layer name.

A mask is a 0/1 float array shaped like its layer's kernel; 1 marks a
surviving weight. Pruning never revives a weight: new masks only lose ones.
"""

from typing import Dict, Mapping

import numpy as np

from foundations import mask_criteria

# 'exact' is the paper's count: prune round(p * remaining) weights.
# 'reference' mimics the Google TF1 code: drop every surviving weight whose
# magnitude is <= the value at sorted index round(p * remaining), which removes
# one weight more than p% (plus ties).
RULES = ('exact', 'reference')


# Number of weights a layer loses when `percent` of its `remaining` survivors are pruned
# (defined beside the mask criteria, which this module's strategies call).
count_to_prune = mask_criteria.count_to_prune


def prune_layer(percent: float, mask: np.ndarray, weights: np.ndarray,
                rule: str = 'exact') -> np.ndarray:
  """Prunes `percent` of the surviving entries of one layer by smallest |weights|.

  Args:
    percent: percentage in [0, 100) of the survivors to remove.
    mask: 0/1 array, 1 = surviving weight.
    weights: array of the same shape (typically the trained kernel).
    rule: 'exact' or 'reference' (see RULES).

  Returns:
    The new 0/1 mask (same dtype and shape as `mask`).
  """
  if rule not in RULES:
    raise ValueError(f'unknown pruning rule {rule!r}; expected one of {RULES}')
  flat_mask = mask.reshape(-1)
  survivors = np.flatnonzero(flat_mask)
  magnitudes = np.abs(weights.reshape(-1)[survivors])
  k = count_to_prune(percent, survivors.size)
  new_mask = flat_mask.copy()
  if rule == 'exact':
    if k > 0:
      # A stable sort breaks ties by position, so the result is deterministic.
      order = np.argsort(magnitudes, kind='stable')
      new_mask[survivors[order[:k]]] = 0
  else:
    if survivors.size:
      cutoff = np.sort(magnitudes)[min(k, survivors.size - 1)]
      new_mask[survivors[magnitudes <= cutoff]] = 0
  return new_mask.reshape(mask.shape)


def prune_by_percent(percents: Mapping[str, float], masks: Mapping[str, np.ndarray],
                     final_weights: Mapping[str, np.ndarray],
                     rule: str = 'exact') -> Dict[str, np.ndarray]:
  """Layer-wise magnitude pruning: each layer loses its own percent of its survivors.

  Args:
    percents: layer name -> percent of surviving weights to prune this round.
    masks: layer name -> current 0/1 mask.
    final_weights: layer name -> trained kernel.
    rule: 'exact' or 'reference'.

  Returns:
    Dict layer name -> new mask.
  """
  return {name: prune_layer(percents[name], masks[name], final_weights[name], rule)
          for name in masks}


def prune_global(percent: float, masks: Mapping[str, np.ndarray],
                 final_weights: Mapping[str, np.ndarray]) -> Dict[str, np.ndarray]:
  """Global magnitude pruning: removes round(percent * all survivors) smallest weights across layers."""
  names = list(masks)
  flat = [(masks[n].reshape(-1), np.abs(final_weights[n]).reshape(-1)) for n in names]
  all_survivors = np.concatenate([w[m > 0] for m, w in flat])
  k = count_to_prune(percent, all_survivors.size)
  owners = np.concatenate([np.full(int((m > 0).sum()), i) for i, (m, _) in enumerate(flat)])
  positions = np.concatenate([np.flatnonzero(m) for m, _ in flat])
  drop = np.argsort(all_survivors, kind='stable')[:k]
  new = {n: masks[n].reshape(-1).copy() for n in names}
  for i, n in enumerate(names):
    new[n][positions[drop[owners[drop] == i]]] = 0
  return {n: new[n].reshape(masks[n].shape) for n in names}


def remaining_counts(masks: Mapping[str, np.ndarray]) -> Dict[str, int]:
  """Layer name -> number of surviving weights."""
  return {name: int(np.count_nonzero(m)) for name, m in masks.items()}


def percent_remaining(masks: Mapping[str, np.ndarray]) -> float:
  """Pm: percentage of all prunable weights (all masked layers together) that survive."""
  total = sum(m.size for m in masks.values())
  return 100.0 * sum(remaining_counts(masks).values()) / total


def expected_remaining(size: int, percent: float, rounds: int) -> int:
  """Survivors of a layer of `size` weights after `rounds` rounds of exact pruning at `percent`."""
  remaining = size
  for _ in range(rounds):
    remaining -= count_to_prune(percent, remaining)
  return remaining


def rounds_to_reach(target_percent: float, shapes: Mapping[str, tuple],
                    percents: Mapping[str, float], max_rounds: int = 1000) -> int:
  """Fewest rounds of exact layer-wise pruning after which Pm (rounded to 0.1) <= target_percent."""
  sizes = {n: int(np.prod(s)) for n, s in shapes.items()}
  total = sum(sizes.values())
  remaining = dict(sizes)
  for rounds in range(max_rounds + 1):
    if round(100.0 * sum(remaining.values()) / total, 1) <= target_percent:
      return rounds
    remaining = {n: r - count_to_prune(percents[n], r) for n, r in remaining.items()}
  raise ValueError(f'Pm {target_percent}% is not reached within {max_rounds} rounds')


def _by_criterion(criterion: str, initial) -> bool:
  """Whether a round scores by another criterion than |final| (foundations.mask_criteria)."""
  if criterion == 'large_final':
    return False
  if initial is None:
    raise ValueError(f'mask criterion {criterion!r} needs the initial weights (initial=)')
  return True


def _layerwise(rule: str, percents: Mapping[str, float], masks, final_weights,
               criterion: str = 'large_final', initial=None, rng=None):
  if not _by_criterion(criterion, initial):
    return prune_by_percent(percents, masks, final_weights, rule)
  return {name: mask_criteria.prune_layer_by(criterion, percents[name], masks[name],
                                             initial[name], final_weights[name], rng)
          for name in masks}


def _global(rule: str, percents: Mapping[str, float], masks, final_weights,
            criterion: str = 'large_final', initial=None, rng=None):
  """One rate for all layers together: every layer's percent must be that rate."""
  del rule  # global pruning always prunes exactly round(p * all survivors)
  rates = sorted(set(percents[name] for name in masks))
  if len(rates) != 1:
    raise ValueError(f'global pruning takes one rate for every layer; got {rates}')
  if not _by_criterion(criterion, initial):
    return prune_global(rates[0], masks, final_weights)
  return mask_criteria.prune_global_by(criterion, rates[0], masks, initial, final_weights, rng)


# The pruning-strategy registry, keyed by hparams.PruningHparams.pruning_scope:
# (pruning rule, layer name -> percent pruned this round, masks, trained kernels[, criterion,
# initial kernels, numpy Generator]) -> new masks. The criterion (a name in
# foundations.mask_criteria.CRITERIA, default large_final: |trained weight|, the only one the
# 'reference' rule applies to) scores survivors from (initial, trained); 'random' needs `rng`.
STRATEGIES = {'layerwise': _layerwise, 'global': _global}

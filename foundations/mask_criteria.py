"""Mask criteria: which surviving weights to keep, scored from (w_init, w_final).

Each criterion is a score over the survivors of a layer (higher = kept), as in
Zhou, Lan, Liu & Yosinski (NeurIPS 2019, arXiv 1905.01067), Section 3 and the
authors' mask-criteria script. With
w_i = theta_0 and w_f = the trained weights:

  large_final              |w_f|
  small_final              -|w_f|
  large_init               |w_i|
  small_init               -|w_i|
  large_init_large_final   kept iff in the top m of BOTH |w_i| and |w_f|, with m
                           chosen so that exactly the wanted number survive (not
                           a product of the two: the reference code searches a
                           common percentile for both rankings). As a score:
                           -max(rank of |w_i|, rank of |w_f|), ranks from the
                           largest (0) over the layer's survivors.
  small_init_small_final   the same with the smallest magnitudes.
  magnitude_increase       |w_f| - |w_i|
  movement                 |w_f - w_i|
  random                   a random permutation (needs a numpy Generator).
  large_final_same_sign    |w_f| where sign(w_f) == sign(w_i), else 0: the
                           weights whose sign flipped score 0 and go first.
  large_final_diff_sign    |w_f| where the sign flipped, else 0.
  magnitude_increase_same_sign  |w_f| - |w_i| where the sign stayed, else 0. As
                           in the reference code the flipped weights score 0,
                           so they go AFTER the same-sign weights that shrank
                           (negative score), not first.
  magnitude_increase_diff_sign  |w_f| - |w_i| where the sign flipped, else 0.

Counts: a round removes exactly round(p * survivors) of a layer's survivors
(`count_to_prune`), the lowest scores first, ties broken by position
(stable sort), and never revives a pruned weight. The reference code removes
floor(p * survivors) and breaks ties at random.

The paper prunes layer-wise (each layer by its own rate), not globally: for the
FC network on MNIST (784-300-100-10) 20% of each hidden layer's survivors and
10% of the output layer's per round (their prune_base 0.8 for the two hidden
layers and 0.9 for the output layer; one-shot level k keeps 0.8^k and 0.9^k).
`prune_global_by` (one rate over all layers' survivors together) is here for
completeness.
"""

import dataclasses
from typing import Callable, Dict, Mapping, Optional

import numpy as np

from foundations import registry

# (w_init, w_final, rng) of a layer's survivors, 1-D -> score per survivor.
ScoreFn = Callable[[np.ndarray, np.ndarray, Optional[np.random.Generator]], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Criterion:
  name: str
  score: ScoreFn
  needs_rng: bool = False


CRITERIA = registry.Registry('mask_criterion')


def _register(name, needs_rng=False):
  def wrap(fn):
    CRITERIA.register(Criterion(name, fn, needs_rng))
    return fn
  return wrap


def count_to_prune(percent: float, remaining: int) -> int:
  """Number of weights a layer loses when `percent` of its `remaining` survivors are pruned."""
  return int(np.round(percent / 100.0 * remaining))


def _rank_from_largest(values: np.ndarray) -> np.ndarray:
  """Position of each value in descending order (0 = largest; ties by position)."""
  order = np.argsort(-values, kind='stable')
  ranks = np.empty(values.size, np.int64)
  ranks[order] = np.arange(values.size)
  return ranks


def _both_top(a: np.ndarray, b: np.ndarray) -> np.ndarray:
  # Keeping the n best of -max(rank_a, rank_b) keeps the weights in the top m of
  # both rankings for the smallest m that leaves n of them.
  return -np.maximum(_rank_from_largest(a), _rank_from_largest(b)).astype(np.float64)


def _same_sign(w_init, w_final):
  return np.sign(w_init) == np.sign(w_final)


@_register('large_final')
def _large_final(w_init, w_final, rng):
  del w_init, rng
  return np.abs(w_final)


@_register('small_final')
def _small_final(w_init, w_final, rng):
  del w_init, rng
  return -np.abs(w_final)


@_register('large_init')
def _large_init(w_init, w_final, rng):
  del w_final, rng
  return np.abs(w_init)


@_register('small_init')
def _small_init(w_init, w_final, rng):
  del w_final, rng
  return -np.abs(w_init)


@_register('large_init_large_final')
def _large_init_large_final(w_init, w_final, rng):
  del rng
  return _both_top(np.abs(w_init), np.abs(w_final))


@_register('small_init_small_final')
def _small_init_small_final(w_init, w_final, rng):
  del rng
  return _both_top(-np.abs(w_init), -np.abs(w_final))


@_register('magnitude_increase')
def _magnitude_increase(w_init, w_final, rng):
  del rng
  return np.abs(w_final) - np.abs(w_init)


@_register('movement')
def _movement(w_init, w_final, rng):
  del rng
  return np.abs(w_final - w_init)


@_register('random', needs_rng=True)
def _random(w_init, w_final, rng):
  del w_final
  return rng.permutation(w_init.size).astype(np.float64)


@_register('large_final_same_sign')
def _large_final_same_sign(w_init, w_final, rng):
  del rng
  return np.where(_same_sign(w_init, w_final), np.abs(w_final), 0)


@_register('large_final_diff_sign')
def _large_final_diff_sign(w_init, w_final, rng):
  del rng
  return np.where(_same_sign(w_init, w_final), 0, np.abs(w_final))


@_register('magnitude_increase_same_sign')
def _magnitude_increase_same_sign(w_init, w_final, rng):
  del rng
  return np.where(_same_sign(w_init, w_final), np.abs(w_final) - np.abs(w_init), 0)


@_register('magnitude_increase_diff_sign')
def _magnitude_increase_diff_sign(w_init, w_final, rng):
  del rng
  return np.where(_same_sign(w_init, w_final), 0, np.abs(w_final) - np.abs(w_init))


def survivor_order(criterion: str, mask: np.ndarray, w_init: np.ndarray, w_final: np.ndarray,
                   rng: Optional[np.random.Generator] = None) -> np.ndarray:
  """Flat indices of the layer's survivors, the first to be pruned first.

  Args:
    criterion: a name in CRITERIA.
    mask: 0/1 array, 1 = surviving weight.
    w_init, w_final: arrays shaped like `mask` (theta_0 and the trained weights).
    rng: a numpy Generator; required by criteria with needs_rng ('random').
  """
  entry = CRITERIA.get(criterion)
  if entry.needs_rng and rng is None:
    raise ValueError(f'mask criterion {criterion!r} needs a numpy Generator (rng)')
  survivors = np.flatnonzero(mask.reshape(-1))
  scores = entry.score(w_init.reshape(-1)[survivors], w_final.reshape(-1)[survivors], rng)
  return survivors[np.argsort(scores, kind='stable')]


def prune_count_by(criterion: str, count: int, mask: np.ndarray, w_init: np.ndarray,
                   w_final: np.ndarray, rng: Optional[np.random.Generator] = None) -> np.ndarray:
  """The mask with the `count` lowest-scoring survivors removed (same dtype and shape)."""
  order = survivor_order(criterion, mask, w_init, w_final, rng)
  if not 0 <= count <= order.size:
    raise ValueError(f'cannot prune {count} of {order.size} surviving weights')
  new_mask = mask.reshape(-1).copy()
  new_mask[order[:count]] = 0
  return new_mask.reshape(mask.shape)


def prune_layer_by(criterion: str, percent: float, mask: np.ndarray, w_init: np.ndarray,
                   w_final: np.ndarray, rng: Optional[np.random.Generator] = None) -> np.ndarray:
  """Removes exactly round(percent/100 * survivors) of one layer's survivors by `criterion`.

  Args:
    criterion: a name in CRITERIA.
    percent: percentage in [0, 100] of the survivors to remove.
    mask: 0/1 array, 1 = surviving weight; pruned weights stay pruned.
    w_init, w_final: theta_0 and the trained kernel, shaped like `mask`.
    rng: numpy Generator for 'random'.

  Returns:
    The new 0/1 mask; for 'large_final' bit-identical to pruning.prune_layer(rule='exact').
  """
  count = count_to_prune(percent, int(np.count_nonzero(mask)))
  return prune_count_by(criterion, count, mask, w_init, w_final, rng)


def prune_global_by(criterion: str, percent: float, masks: Mapping[str, np.ndarray],
                    w_init: Mapping[str, np.ndarray], w_final: Mapping[str, np.ndarray],
                    rng: Optional[np.random.Generator] = None) -> Dict[str, np.ndarray]:
  """Removes round(percent/100 * all survivors) by `criterion` scored over all layers together.

  Layers are concatenated in the order of `masks`; ranks (large_init_large_final)
  and the random permutation span all layers. For 'large_final' the result equals
  pruning.prune_global.

  Returns:
    Dict layer name -> new 0/1 mask.
  """
  names = list(masks)
  flat = {n: masks[n].reshape(-1) for n in names}
  sizes = [flat[n].size for n in names]
  offsets = np.concatenate([[0], np.cumsum(sizes)])
  whole = np.concatenate([flat[n] for n in names])
  count = count_to_prune(percent, int(np.count_nonzero(whole)))
  pruned = prune_count_by(criterion, count, whole,
                          np.concatenate([w_init[n].reshape(-1) for n in names]),
                          np.concatenate([w_final[n].reshape(-1) for n in names]), rng)
  return {n: pruned[offsets[i]:offsets[i + 1]].reshape(masks[n].shape)
          for i, n in enumerate(names)}

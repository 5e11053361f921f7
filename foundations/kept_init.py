"""What the kept weights of a pruned layer start from (the paper's "mask-1 actions").

Zhou et al. 2019 (arXiv 1905.01067), Section 4. For one layer, with theta0 the
original initialisation, mask the 0/1 mask (1 = kept) and `fresh` a new draw of
the layer's initialiser, the kept weights start from:

  rewind                theta0 (the original initial values).
  fresh                 `fresh` (a new, independent draw). The authors' code
                        makes it by permuting ALL of the layer's theta0 values
                        (same distribution, new positions): `layer_permutation`.
  reshuffle             the kept theta0 values, permuted among the kept positions.
  signed_fresh          |fresh| with the sign of theta0.
  signed_reshuffle      the kept |theta0| values permuted among the kept
                        positions, each position keeping its own theta0 sign.
  signed_constant       sign(theta0) * sigma.
  rand_signed_constant  a random sign * sigma: the authors permute the signs of
                        all of the layer's theta0 (so the layer keeps its share
                        of + and -), which is what this does.

sigma: the authors use the standard deviation of the layer's actual theta0
(np.std over all of its entries, kept or not); for Glorot normal that is about
sqrt(2 / (fan_in + fan_out)). `sigma=` overrides it (their --signed_constant).

Pruned positions are 0 in every result. Results have theta0's dtype and shape
and are a deterministic function of the numpy Generator passed in.
"""

from typing import Optional

import numpy as np

ACTIONS = ('rewind', 'fresh', 'reshuffle', 'signed_fresh', 'signed_reshuffle',
           'signed_constant', 'rand_signed_constant')
_NEEDS_FRESH = ('fresh', 'signed_fresh')
_NEEDS_RNG = ('reshuffle', 'signed_reshuffle', 'rand_signed_constant')


def layer_permutation(theta0: np.ndarray, rng: np.random.Generator) -> np.ndarray:
  """All of theta0's values at permuted positions: the authors' 'fresh' draw."""
  return rng.permutation(theta0.reshape(-1)).reshape(theta0.shape)


def signed_constant_sigma(theta0: np.ndarray) -> float:
  """The constant magnitude of the signed-constant actions: the std of the layer's theta0."""
  return float(np.std(theta0))


def initial_weights(action: str, theta0: np.ndarray, mask: np.ndarray,
                    fresh: Optional[np.ndarray] = None,
                    rng: Optional[np.random.Generator] = None,
                    sigma: Optional[float] = None) -> np.ndarray:
  """The starting values of one layer's kept weights; 0 at pruned positions.

  Args:
    action: one of ACTIONS.
    theta0: the layer's original initial kernel.
    mask: 0/1 array shaped like theta0, 1 = kept.
    fresh: a new draw shaped like theta0 (needed by 'fresh' and 'signed_fresh').
    rng: numpy Generator (needed by the reshuffles and 'rand_signed_constant').
    sigma: magnitude of the signed constants; None: signed_constant_sigma(theta0).

  Returns:
    Array of theta0's dtype and shape.
  """
  if action not in ACTIONS:
    raise ValueError(f'unknown kept-weight action {action!r}; expected one of {", ".join(ACTIONS)}')
  if action in _NEEDS_FRESH and fresh is None:
    raise ValueError(f'kept-weight action {action!r} needs a fresh draw (fresh=)')
  if action in _NEEDS_RNG and rng is None:
    raise ValueError(f'kept-weight action {action!r} needs a numpy Generator (rng=)')
  if mask.shape != theta0.shape or (fresh is not None and fresh.shape != theta0.shape):
    raise ValueError(f'shapes differ: theta0 {theta0.shape}, mask {mask.shape}'
                     + (f', fresh {fresh.shape}' if fresh is not None else ''))
  kept = mask.reshape(-1) != 0
  flat = theta0.reshape(-1)
  if sigma is None and action.endswith('signed_constant'):
    sigma = signed_constant_sigma(theta0)

  if action == 'rewind':
    values = flat
  elif action == 'fresh':
    values = fresh.reshape(-1)
  elif action == 'signed_fresh':
    values = np.abs(fresh.reshape(-1)) * np.sign(flat)
  elif action == 'signed_constant':
    values = np.sign(flat) * sigma
  elif action == 'rand_signed_constant':
    values = rng.permutation(np.sign(flat)) * sigma
  else:  # the reshuffles move values among the kept positions only
    values = flat.copy()
    moved = rng.permutation(flat[kept])
    values[kept] = np.abs(moved) * np.sign(flat[kept]) if action == 'signed_reshuffle' else moved

  out = np.zeros(flat.shape, theta0.dtype)
  out[kept] = values[kept]
  return out.reshape(theta0.shape)

"""Random pruning control: a uniformly random mask with the ticket's per-layer counts, theta_0.

`random_prune2` is a second draw with its own seed, so a trial gives two samples.
"""

import numpy as np

from lottery import procedures


def random_masks_like(masks: procedures.Arrays, seed: int) -> procedures.Arrays:
  """Uniformly random 0/1 masks with exactly the per-layer survivor counts of `masks`."""
  rng = np.random.RandomState(seed)
  out = {}
  for name, mask in masks.items():
    flat = np.zeros(mask.size, mask.dtype)
    flat[rng.choice(mask.size, int(np.count_nonzero(mask)), replace=False)] = 1
    out[name] = flat.reshape(mask.shape)
  return out


def _register(name: str, purpose: str, which: str) -> None:
  """One independent draw: `purpose` seeds its masks (with seed, trial and level)."""

  def start(ctx: procedures.Context, level: int) -> procedures.Start:
    theta0, _, _ = ctx.load('source', 0)
    _, ticket, _ = ctx.load('source', level)
    return procedures.Start(theta0, random_masks_like(ticket, ctx.seed(purpose, level)))

  procedures.register(procedures.Procedure(
      name=name, start=start, requires=lambda level: [('source', 0), ('source', level)],
      default_levels=procedures.finished_levels,
      doc=f'{which} random mask with the ticket\'s per-layer counts, theta_0'))


# The paper averages 10 random draws per point over 5 trials: two draws per trial.
_register('random_prune', 'random', 'a')
_register('random_prune2', 'random2', 'a second, independent')

"""One-shot pruning: the unpruned net's trained weights pruned once, survivors reset to theta_0.

Level k keeps, per layer, as many of level 0's largest-magnitude trained
weights as k iterative rounds would leave.
"""

import numpy as np

from foundations import pruning
from lottery import procedures


def one_shot_masks(final_weights: procedures.Arrays, percents, level: int) -> procedures.Arrays:
  """Keeps, per layer, the largest-|w| weights, as many as `level` rounds at `percents` leave."""
  out = {}
  for name, w in final_weights.items():
    keep = pruning.expected_remaining(w.size, percents[name], level)
    flat = np.zeros(w.size, np.float32)
    flat[np.argsort(-np.abs(w.reshape(-1)), kind='stable')[:keep]] = 1
    out[name] = flat.reshape(w.shape)
  return out


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  theta0, _, final0 = ctx.load('source', 0)
  return procedures.Start(theta0, one_shot_masks(final0, ctx.percents, level))


procedures.register(procedures.Procedure(
    name='one_shot', start=start, requires=lambda level: [('source', 0)],
    default_levels=procedures.pruned_levels,
    doc='level 0\'s trained weights pruned in one step, reset to theta_0'))

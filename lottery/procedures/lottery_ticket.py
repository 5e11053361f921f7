"""The lottery ticket: prune the previous level's trained weights, reset survivors to theta_0.

Level 0 is the freshly initialized, unpruned net (or, with --initial_weights, one
started from given kernels, e.g. the reference code's theta_0). Level k prunes level k-1's
trained kernels by magnitude (layer-wise or global) and resets the survivors to
theta_0, or with late resetting (--rewind_iteration=j) to level 0's weights and
biases at iteration j (rewind.npz, rewind_biases.npz).
"""

from foundations import paths
from foundations import save_restore
from lottery import procedures


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  if level == 0:
    return procedures.Start(ctx.theta0(), ctx.ones())
  initial, masks, final = ctx.load('self', level - 1)
  masks = ctx.prune(masks, final)
  if ctx.desc.pruning.rewind_iteration > 0:
    level0 = ctx.require('self', 0).run_dir(0)
    kernels = save_restore.load_npz(paths.rewind(level0), ctx.shapes)
    biases = save_restore.load_npz(paths.rewind_biases(level0))
    return procedures.Start(kernels, masks, biases)
  return procedures.Start(initial, masks)


def requires(level: int):
  return [] if level == 0 else [('self', level - 1)]


def rewind_point(desc, level: int):
  """Late resetting: level 0 saves its weights at --rewind_iteration for the later levels."""
  iteration = desc.pruning.rewind_iteration
  return iteration if level == 0 and iteration > 0 else None


procedures.register(procedures.Procedure(
    name='lottery', start=start, requires=requires, default_levels=procedures.every_level,
    doc='iterative magnitude pruning, survivors reset to theta_0 (or to iteration k)',
    named_by_desc=True, rewind_point=rewind_point))

"""The lottery ticket: prune the previous level's trained weights, reset survivors to theta_0.

Level 0 is the freshly initialized, unpruned net (or, with --initial_weights, one
started from given kernels, e.g. the reference code's theta_0). Level k prunes level k-1's
trained kernels by magnitude (layer-wise or global) and resets the survivors to
theta_0, or with late resetting (--rewind_iteration=j) to level 0's weights and
biases at iteration j (rewind.npz, rewind_biases.npz).

The choices of Zhou et al. 2019 ("Deconstructing lottery tickets"), at levels >= 1:
  --mask_criterion: level k's mask keeps the survivors of level k-1 that score highest by the
    criterion on (theta_0, level k-1's trained weights) (foundations.mask_criteria);
    large_final (|trained weight|) is the lottery ticket.
  --kept_init: the kept weights start from the action applied to theta_0 (Context.kept_weights);
    rewind is the lottery ticket, reinit the reinit control's fresh seeded Glorot draw of the
    level (not the authors' permutation of theta_0 over the layer).
  --pruned_weights: the pruned weights hold constants and never train: 0 (zero), theta_0
    (freeze_init), or 0 where they moved toward zero in level k-1's training, |theta_0| >
    |w_final|, else theta_0 (freeze_init_zero_mask); w_final is level k-1's net as it computed
    (final.npz + frozen.npz), so a weight frozen or zeroed once stays so. Saved as frozen.npz.
theta_0 is the source run's level-0 initial.npz (or its rewind.npz with late resetting).
"""

from foundations import paths
from foundations import save_restore
from lottery import procedures


def _is_ticket(desc) -> bool:
  """The lottery ticket's own choices: the code path whose results must never change."""
  p = desc.pruning
  return (p.mask_criterion, p.kept_init, p.pruned_weights) == ('large_final', 'rewind', 'zero')


def pruned_start(ctx: procedures.Context, level: int, role: str = 'self') -> procedures.Start:
  """Level `level` >= 1 made from level - 1 of `role`'s run ('self' or 'source')."""
  initial, masks, final = ctx.load(role, level - 1)
  p = ctx.desc.pruning
  if _is_ticket(ctx.desc):
    masks = ctx.prune(masks, final)
    if p.rewind_iteration > 0:
      level0 = ctx.require('source', 0).run_dir(0)
      kernels = save_restore.load_npz(paths.rewind(level0), ctx.shapes)
      biases = save_restore.load_npz(paths.rewind_biases(level0))
      return procedures.Start(kernels, masks, biases)
    return procedures.Start(initial, masks)
  theta0 = ctx.reset_point()
  masks = ctx.prune(masks, final, theta0, level)
  kept = theta0 if p.kept_init == 'rewind' else ctx.kept_weights(p.kept_init, theta0, masks,
                                                                 level)
  frozen = None
  if p.pruned_weights != 'zero':
    frozen = ctx.frozen_weights(p.pruned_weights, masks, theta0,
                                ctx.effective_final(role, level - 1))
  return procedures.Start(kept, masks, ctx.reset_biases(), frozen=frozen)


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  if level == 0:
    return procedures.Start(ctx.theta0(), ctx.ones())
  return pruned_start(ctx, level)


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

"""Random reinitialization control: the ticket's mask with a fresh random initialization.

The reference code's `reinitialize` runner. The draw is seeded by (seed,
trial, level) and independent of theta_0.
"""

from lottery import procedures


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  _, masks, _ = ctx.load('source', level)
  return procedures.Start(ctx.fresh_kernels(ctx.seed('reinit', level)), masks)


procedures.register(procedures.Procedure(
    name='reinit', start=start, requires=lambda level: [('source', level)],
    default_levels=procedures.finished_levels,
    doc='the winning-ticket mask, a fresh random initialization'))

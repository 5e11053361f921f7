"""Continued training (Appendix B, "strategy 2"): prune, then keep training, without a reset.

Level 1 prunes the unpruned net's trained weights (the lottery run's level 0)
and trains the survivors further from their trained values and biases; level
k prunes level k-1 of this procedure the same way. The contrast with the
lottery ticket is the reset: here survivors are never sent back to theta_0.
"""

from lottery import procedures


def _previous(level: int):
  return ('source', 0) if level == 1 else ('self', level - 1)


def start(ctx: procedures.Context, level: int) -> procedures.Start:
  if level < 1:
    raise procedures.MissingSourceError(
        f'continued_training level {level}: levels start at 1 (level 0 is the lottery run\'s)')
  role, previous = _previous(level)
  initial, masks, final = ctx.load(role, previous)
  # A --mask_criterion other than large_final scores from (the weights that level started
  # from, its trained weights).
  return procedures.Start(final, ctx.prune(masks, final, initial, level),
                          ctx.load_final_biases(role, previous))


procedures.register(procedures.Procedure(
    name='continued_training', start=start, requires=lambda level: [_previous(level)],
    default_levels=procedures.pruned_levels,
    doc='prune the trained weights and keep training them, without resetting'))

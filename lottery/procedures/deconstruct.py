"""The variant procedures of Zhou et al. 2019 ("Deconstructing lottery tickets"), generated.

Three families, one procedure per registry entry, each recording its variant in its
hparams.json (Procedure.variant) and writing experiment `<family>_<name>`:

  criterion_<c>  for every mask criterion c but large_final (foundations.mask_criteria):
                 iterative pruning like `lottery`, masks by c from (theta_0, the previous
                 level's trained weights). Level 0 is the lottery run's (its training does not
                 depend on the criterion): level 1 prunes the lottery run's level 0, level k > 1
                 this procedure's level k-1. Levels 1..rounds by default.
  kept_<a>       for a in reshuffle, signed_reinit, signed_reshuffle, signed_constant,
                 rand_signed_constant: a control like `reinit`: the lottery run's level-k mask,
                 the kept weights started from the action on theta_0 (Context.kept_weights).
  pruned_<a>     for a in freeze_init, freeze_init_zero_mask: the lottery run's level-k mask,
                 kept weights at theta_0, pruned weights frozen (never trained) per the action
                 with w_final = the lottery run's level k-1 trained weights (frozen.npz).

The kept and pruned controls run the lottery run's finished levels but 0 by default. theta_0
is the lottery run's level-0 initial.npz (its rewind.npz with --rewind_iteration).
"""

from foundations import mask_criteria
from foundations import pruned_weights
from lottery import procedures
from lottery.procedures import lottery_ticket

KEPT = ('reshuffle', 'signed_reinit', 'signed_reshuffle', 'signed_constant',
        'rand_signed_constant')
PRUNED = tuple(a for a in pruned_weights.ACTIONS if a != 'zero')
CRITERIA = tuple(c for c in mask_criteria.CRITERIA.names() if c != 'large_final')


def _controlled_levels(desc, finished):
  del desc
  return [level for level in sorted(finished) if level > 0]


def _level_at_least(name: str, level: int, lowest: int) -> None:
  if level < lowest:
    raise procedures.MissingSourceError(
        f'{name} level {level}: levels start at {lowest} (level 0 is the lottery run\'s)')


def _unique(pairs):
  return list(dict.fromkeys(pairs))


def _register_criterion(criterion: str) -> None:
  name = f'criterion_{criterion}'

  def previous(level: int):
    return ('source', 0) if level == 1 else ('self', level - 1)

  def start(ctx: procedures.Context, level: int) -> procedures.Start:
    _level_at_least(name, level, 1)
    return lottery_ticket.pruned_start(ctx, level, previous(level)[0])

  procedures.register(procedures.Procedure(
      name=name, start=start,
      requires=lambda level: _unique([previous(level), ('source', 0)]) if level > 0 else [],
      default_levels=procedures.pruned_levels,
      doc=f'iterative pruning keeping the survivors by {criterion} (Zhou et al. 2019)',
      variant=(('mask_criterion', criterion),), family='criterion'))


def _register_kept(action: str) -> None:
  name = f'kept_{action}'

  def start(ctx: procedures.Context, level: int) -> procedures.Start:
    _, masks, _ = ctx.load('source', level)
    kept = ctx.kept_weights(action, ctx.reset_point(), masks, level)
    return procedures.Start(kept, masks, ctx.reset_biases())

  procedures.register(procedures.Procedure(
      name=name, start=start, requires=lambda level: _unique([('source', level), ('source', 0)]),
      default_levels=_controlled_levels,
      doc=f'the winning-ticket mask, kept weights started by {action} (Zhou et al. 2019)',
      variant=(('kept_init', action),), family='kept'))


def _register_pruned(action: str) -> None:
  name = f'pruned_{action}'

  def start(ctx: procedures.Context, level: int) -> procedures.Start:
    _level_at_least(name, level, 1)
    _, masks, _ = ctx.load('source', level)
    theta0 = ctx.reset_point()
    frozen = ctx.frozen_weights(action, masks, theta0, ctx.effective_final('source', level - 1))
    return procedures.Start(theta0, masks, ctx.reset_biases(), frozen=frozen)

  procedures.register(procedures.Procedure(
      name=name, start=start,
      requires=lambda level: _unique([('source', level), ('source', max(level - 1, 0)),
                                      ('source', 0)]),
      default_levels=_controlled_levels,
      doc=f'the winning-ticket mask, theta_0, pruned weights frozen by {action} (Zhou et al. '
          '2019)', variant=(('pruned_weights', action),), family='pruned'))


for _criterion in CRITERIA:
  _register_criterion(_criterion)
for _action in KEPT:
  _register_kept(_action)
for _action in PRUNED:
  _register_pruned(_action)

procedures.FAMILIES.update({
    'criterion': 'iterative pruning by another mask criterion (Zhou et al. 2019); level 1 '
                 'prunes the lottery run\'s level 0',
    'kept': 'the ticket\'s mask, kept weights started otherwise than theta_0 (Zhou et al. 2019)',
    'pruned': 'the ticket\'s mask and theta_0, pruned weights frozen instead of 0 (Zhou et al. '
              '2019)',
})

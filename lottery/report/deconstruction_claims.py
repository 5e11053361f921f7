"""Zhou et al. 2019's statements about LeNet-300-100 on MNIST, measured per trial.

Each claim is a lenet_claims.Claim judged by the Section-2 verdict rule (lenet_claims.RULE,
lenet_claims.verdict). Only the paper's abstract could be read (its body, figures and tables
could not; DECONSTRUCTION.md's sources section says where we looked), so one claim is numeric:
the abstract's 86% on MNIST for supermasks. Every other claim is a direction ("A beats B",
"A is about B") labelled "(direction; section not verified)", citing the abstract's sentence
where the abstract says it in general words. A direction is measured as the difference of test
accuracies at early stop (percentage points), averaged over a block's levels within one trial,
then shown as mean [min, max] over the trials that have every level it needs.

The summaries are lenet_claims.Summaries (procedure -> trial -> level -> summary.json); the
supermask-at-initialisation CSV enters them as procedures `init:<criterion>:<weights>` whose
level summaries hold percent_remaining and test_accuracy.
"""

import dataclasses
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from lottery.report import lenet_claims

# The abstract's words, verbatim as on the NeurIPS 2019 proceedings page (arXiv v4 writes
# "reinitialized").
VARIED = ('abstract: the three components "may be varied significantly without impacting the '
          'overall results"')
SIGNS = 'abstract: "signs are all you need to make the re-initialized network train"'
ZEROS = 'abstract: "setting weights to zero is important"'
MASKING = 'abstract: "masking behaves like training"'
EIGHTY_SIX = ('abstract: Supermasks give "performance far better than chance (86% on MNIST, 41% '
              'on CIFAR-10)"')
# The body could not be read: where a direction is in the paper is not verified, so it is named
# by the part of the study it belongs to, never by a section number.
UNVERIFIED = '(direction; section not verified)'
CRITERIA, KEPT, PRUNED, SUPERMASK, LEARNED_PART = (
    f'{part} {UNVERIFIED}' for part in ('mask criteria', 'mask-1 actions', 'mask-0 actions',
                                        'Supermasks', 'learned Supermasks'))
CHANCE = 10.0  # percent: ten classes
ABOUT = 0.2  # pp: the tolerance of the Section-2 claims "about 0 pp"
LEARNED = ('supermask_learned', 'supermask_learned_signed', 'supermask_learned_signed_rescaled')
LEARNED_WEIGHTS = {'supermask_learned': 'init', 'supermask_learned_signed': 'signed_constant',
                   'supermask_learned_signed_rescaled': 'signed_constant'}


@dataclasses.dataclass(frozen=True)
class Design:
  """What the evidence scripts run (tools/deconstruction_evidence.sh, followup_evidence.sh)."""
  criteria: Tuple[str, ...] = ('magnitude_increase', 'movement', 'large_init_large_final',
                               'large_init', 'random', 'large_final_same_sign')
  criteria_levels: Tuple[int, ...] = tuple(range(1, 13))
  criteria_trials: Tuple[int, ...] = (1, 2, 3)
  kept: Tuple[str, ...] = ('reinit', 'kept_reshuffle', 'kept_signed_reinit',
                           'kept_signed_reshuffle', 'kept_signed_constant',
                           'kept_rand_signed_constant')
  pruned: Tuple[str, ...] = ('pruned_freeze_init', 'pruned_freeze_init_zero_mask')
  control_levels: Tuple[int, ...] = (3, 7, 12, 15)
  control_trials: Tuple[int, ...] = (1, 2, 3)
  gmp_trials: Tuple[int, ...] = (1, 2, 3, 4, 5)
  learned_trials: Tuple[int, ...] = (1, 2, 3)
  lottery_trials: Tuple[int, ...] = (1, 2, 3, 4, 5)
  lottery_levels: Tuple[int, ...] = tuple(range(16))


@dataclasses.dataclass(frozen=True)
class Entry:
  """A claim with the block it belongs to, where the paper says it, and how it is measured."""
  block: str
  source: str
  measured_as: str
  claim: lenet_claims.Claim


Trial = Dict[str, Dict[int, dict]]  # procedure -> level -> summary, of one trial
Cell = Tuple[str, str, int]  # (criterion, weights, level) of a supermask at initialisation


def _mean_accuracy(trial: Trial, procedure: str, levels: Sequence[int]) -> Optional[float]:
  """Mean test accuracy at early stop (%) over `levels`; None unless every level finished."""
  found = trial.get(procedure, {})
  if not levels or any(level not in found for level in levels):
    return None
  return float(np.mean([100 * found[level]['test_accuracy_at_early_stop'] for level in levels]))


def _difference(a: str, b: str, levels: Sequence[int]):
  """trial -> mean accuracy of a minus b's over `levels` (pp), None unless both have them."""
  def measure(trial: Trial) -> Optional[float]:
    x, y = _mean_accuracy(trial, a, levels), _mean_accuracy(trial, b, levels)
    return None if x is None or y is None else x - y
  return measure


def _worst_minus(variants: Sequence[str], base: str, levels: Sequence[int]):
  """trial -> the lowest of the variants' mean accuracies minus base's (pp)."""
  def measure(trial: Trial) -> Optional[float]:
    values = [_mean_accuracy(trial, p, levels) for p in (base, *variants)]
    return None if None in values else min(values[1:]) - values[0]
  return measure


def _best_two(criteria: Sequence[str], levels: Sequence[int]):
  """trial -> the lower of large_final's and magnitude_increase's mean accuracies minus the
  highest of the other criteria's (pp): > 0 when those two are the best."""
  others = [f'criterion_{c}' for c in criteria if c != 'magnitude_increase']

  def measure(trial: Trial) -> Optional[float]:
    best = [_mean_accuracy(trial, p, levels)
            for p in ('lottery', 'criterion_magnitude_increase')]
    rest = [_mean_accuracy(trial, p, levels) for p in others]
    if None in best + rest or 'magnitude_increase' not in criteria or not rest:
      return None
    return min(best) - max(rest)
  return measure


def init_procedure(criterion: str, weights: str) -> str:
  return f'init:{criterion}:{weights}'


def _init_accuracy(trial: Trial, cell: Optional[Cell]) -> Optional[float]:
  """The untrained masked net's test accuracy (%) in `cell` for this trial."""
  if cell is None:
    return None
  got = trial.get(init_procedure(cell[0], cell[1]), {}).get(cell[2])
  return None if got is None else 100 * got['test_accuracy']


def _above_chance(cell: Optional[Cell]):
  def measure(trial: Trial) -> Optional[float]:
    got = _init_accuracy(trial, cell)
    return None if got is None else got - CHANCE
  return measure


def _init_versus(a: Optional[Cell], b: Optional[Cell]):
  def measure(trial: Trial) -> Optional[float]:
    x, y = _init_accuracy(trial, a), _init_accuracy(trial, b)
    return None if x is None or y is None else x - y
  return measure


def _learned_versus_init(procedure: str, cell: Optional[Cell]):
  """trial -> the learned supermask's accuracy (mean of its sampled masks, %) minus the same
  trial's supermask at initialisation in `cell`."""
  def measure(trial: Trial) -> Optional[float]:
    learned = trial.get(procedure, {}).get(0)
    base = _init_accuracy(trial, cell)
    if learned is None or base is None:
      return None
    return 100 * learned['sampled_mask_test_accuracy_mean'] - base
  return measure


def _cell_text(cell: Optional[Cell]) -> str:
  return f'{cell[0]}, {cell[1]}, level {cell[2]}' if cell else 'not run'


def _above(text, paper_text, measure, **kw):
  return lenet_claims.Claim(text, paper_text, measure, 'pp', **kw)


def entries(design: Design, best: Dict[Tuple[str, str], int],
            best_by_weights: Dict[str, Cell], top: Optional[Cell]) -> List[Entry]:
  """The claims. Supermasks at initialisation, by mean accuracy over trials: best:
  (criterion, weights) -> its best level; best_by_weights: weights -> the best cell of that
  weight kind; top: the best cell of all (None without the CSV)."""
  crit, ctrl = design.criteria_levels, design.control_levels
  crit_text = f'levels {crit[0]}-{crit[-1]}' if crit else 'no levels'
  ctrl_text = 'levels ' + ', '.join(map(str, ctrl))
  mean_of = lambda a, b, levels: f'{a} − {b}, test acc @ early stop, mean over {levels}'
  cell = lambda c, w: (c, w, best[(c, w)]) if (c, w) in best else None
  out = [
      Entry('criteria', CRITERIA, 'min(large_final, magnitude_increase) − the best other '
            f'criterion, mean over {crit_text}', _above(
                'magnitude_increase and large_final are the best mask criteria',
                'best (above the others)', _best_two(design.criteria, crit))),
      Entry('criteria', f'{VARIED}; {CRITERIA}', mean_of(
          'magnitude_increase', 'large_final', crit_text), _above(
          'magnitude_increase is about as good as large_final', 'about equal',
          _difference('criterion_magnitude_increase', 'lottery', crit), paper=0.0,
          tolerance=ABOUT)),
      Entry('criteria', f'{VARIED}; {CRITERIA}', mean_of(
          'large_init_large_final', 'large_final', crit_text), _above(
          'large_init_large_final is about as good as large_final', 'about equal',
          _difference('criterion_large_init_large_final', 'lottery', crit), paper=0.0,
          tolerance=ABOUT)),
      Entry('criteria', CRITERIA, mean_of('large_final', 'random', crit_text), _above(
          'random masks are far worse than large_final', 'below',
          _difference('lottery', 'criterion_random', crit))),
      Entry('kept', KEPT, mean_of('rewind (ticket)', 'reinit', ctrl_text), _above(
          'kept weights reinitialised lose accuracy against rewinding to θ0', 'below',
          _difference('lottery', 'reinit', ctrl))),
      Entry('kept', KEPT, mean_of('rewind (ticket)', 'reshuffle', ctrl_text), _above(
          'kept θ0 values reshuffled lose accuracy against rewinding', 'below',
          _difference('lottery', 'kept_reshuffle', ctrl))),
      Entry('kept', KEPT, mean_of('rewind (ticket)', 'rand_signed_constant', ctrl_text), _above(
          'signed constants with random signs lose accuracy against rewinding', 'below',
          _difference('lottery', 'kept_rand_signed_constant', ctrl))),
  ]
  for signed, unsigned in (('signed_reinit', 'reinit'), ('signed_reshuffle', 'kept_reshuffle'),
                           ('signed_constant', 'kept_rand_signed_constant')):
    out.append(Entry('kept', f'{SIGNS}; {KEPT}',
                     mean_of(signed, unsigned.replace('kept_', ''), ctrl_text), _above(
                         f'keeping θ0\'s sign helps: {signed} beats '
                         f'{unsigned.replace("kept_", "")}', 'above',
                         _difference(f'kept_{signed}', unsigned, ctrl))))
  signed = ('kept_signed_reinit', 'kept_signed_reshuffle', 'kept_signed_constant')
  out += [
      Entry('kept', f'{SIGNS}; {KEPT}', 'min over signed_reinit, signed_reshuffle, '
            f'signed_constant of (variant − rewind), mean over {ctrl_text}', _above(
                'the sign-keeping variants do as well as rewinding', 'about equal (or above)',
                _worst_minus(signed, 'lottery', ctrl), paper=0.0, tolerance=ABOUT)),
      Entry('pruned', f'{ZEROS}; {PRUNED}',
            mean_of('zero (ticket)', 'freeze_init', ctrl_text), _above(
                'pruned weights frozen at θ0 lose accuracy against zeroing them', 'below',
                _difference('lottery', 'pruned_freeze_init', ctrl))),
      Entry('pruned', f'{MASKING}; {PRUNED}',
            mean_of('freeze_init_zero_mask', 'freeze_init', ctrl_text), _above(
                'freeze_init_zero_mask beats freeze_init', 'above',
                _difference('pruned_freeze_init_zero_mask', 'pruned_freeze_init', ctrl))),
      Entry('pruned', f'{MASKING}; {PRUNED}',
            mean_of('freeze_init_zero_mask', 'zero (ticket)', ctrl_text), _above(
                'freeze_init_zero_mask beats zeroing the pruned weights', 'above',
                _difference('pruned_freeze_init_zero_mask', 'lottery', ctrl))),
      Entry('supermask_init', EIGHTY_SIX, f'accuracy − {CHANCE:g}% (chance), best cell by mean '
            f'({_cell_text(top)})', _above(
                'a supermask on the untrained network reaches 86% on MNIST',
                f'86% (abstract) = +{86 - CHANCE:g} pp over chance', _above_chance(top),
                paper=86.0 - CHANCE, tolerance=1.0)),
      Entry('supermask_init', SUPERMASK, 'large_final_same_sign − large_final, θ0, each at its '
            'best level by mean', _above(
                'large_final_same_sign masks beat large_final masks at initialisation', 'above',
                _init_versus(cell('large_final_same_sign', 'init'), cell('large_final', 'init')))),
  ]
  for procedure in LEARNED:
    base = best_by_weights.get(LEARNED_WEIGHTS[procedure])
    out.append(Entry('learned', LEARNED_PART, f'{procedure} (mean of 10 sampled masks) − the '
                     f'best supermask at initialisation ({_cell_text(base)})', _above(
                         f'{procedure} beats the best supermask at initialisation of the same '
                         'weights', 'above', _learned_versus_init(procedure, base))))
  return out


def evaluate(items: List[Entry], summaries: lenet_claims.Summaries):
  """[(entry, per-trial values, verdict)]."""
  rows = lenet_claims.evaluate([e.claim for e in items], summaries)
  return [(entry, values, result) for entry, (_, values, result) in zip(items, rows)]


def measured(values: Sequence[float]) -> str:
  if not values:
    return '-'
  return (f'{np.mean(values):+.2f} [{np.min(values):+.2f}, {np.max(values):+.2f}] pp '
          f'({len(values)})')


def markdown(results) -> str:
  """The claims table, the verdict rule above it."""
  lines = [lenet_claims.RULE + ' Here a trial\'s value compares two runs of that trial (the '
           'same θ0 and data order); "about equal" claims have the paper\'s value 0.', '',
           '| block | claim | source | paper | measured as (per trial) | ours: mean [min, max] '
           '(trials) | tolerance | verdict |', '|---|---|---|---|---|---|---|---|']
  for entry, values, result in results:
    c = entry.claim
    tol = f'±{c.tolerance:g} pp' if c.tolerance else '-'
    lines.append(f'| {entry.block} | {c.text} | {entry.source} | {c.paper_text} | '
                 f'{entry.measured_as} | {measured(values)} | {tol} | {result} |')
  return '\n'.join(lines) + '\n'


def not_reproduced(results) -> str:
  """The claims whose verdict is not 'reproduced', with our numbers; those not run yet in a
  closing line."""
  lines = [f'- **{entry.claim.text}** ({entry.block}; {entry.source}): paper '
           f'"{entry.claim.paper_text}", ours {measured(values)}: **{result}**'
           for entry, values, result in results if result not in ('reproduced', 'not run')]
  waiting = [entry.claim.text for entry, _, result in results if result == 'not run']
  if waiting:
    lines.append(f'- **Not run yet** ({len(waiting)}): ' + '; '.join(waiting))
  return '\n'.join(lines) + '\n' if lines else 'Every claim reproduced.\n'

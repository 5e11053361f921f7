"""The paper's LeNet claims, measured per trial, with a stated verdict rule.

Verdict rule (printed above every claims table):
  reproduced      the paper's value lies within our [min, max] over trials, or our mean is
                  within the claim's tolerance of it (for "more than x" claims: our mean >= x);
  direction only  the sign (the side of the comparison) agrees, the magnitude does not;
  not reproduced  otherwise;
  not run         a level or control the claim needs is missing.
Each claim is computed per trial (ticket and unpruned net of the same trial), then summarized
as mean [min, max] over the trials that have every level it needs.
"""

import dataclasses
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

PAPER_ITERATIONS = 50000
PAPER_TRIALS = 5

Summaries = Dict[str, Dict[int, Dict[int, dict]]]  # procedure -> trial -> level -> summary


@dataclasses.dataclass(frozen=True)
class Claim:
  """One claim: what the paper says, how to measure it per trial, how to judge it.

  measure: (summaries of one trial: procedure -> level -> summary) -> value or None.
  paper: the paper's value (None: a claim about a sign only).
  tolerance: |mean - paper| within this counts as reproduced.
  at_least: the paper says "more than `paper`".
  sign: +1 / -1, the direction the paper reports (value > 0 or < 0; for ratios, of value - 1).
  """
  text: str
  paper_text: str
  measure: Callable[[Dict[str, Dict[int, dict]]], Optional[float]]
  unit: str
  paper: Optional[float] = None
  tolerance: float = 0.0
  at_least: bool = False
  sign: int = 1
  ratio: bool = False


def verdict(claim: Claim, values: Sequence[float]) -> str:
  """The verdict for per-trial `values` (see the module doc)."""
  if not values:
    return 'not run'
  mean, lo, hi = float(np.mean(values)), float(np.min(values)), float(np.max(values))
  if claim.paper is not None:
    if lo <= claim.paper <= hi or abs(mean - claim.paper) <= claim.tolerance:
      return 'reproduced'
    if claim.at_least and mean >= claim.paper:
      return 'reproduced'
  centre = 1.0 if claim.ratio else 0.0
  agrees = (mean - centre) * claim.sign > 0
  if claim.paper is None:
    all_agree = all((v - centre) * claim.sign > 0 for v in values)
    return 'reproduced' if all_agree else 'direction only' if agrees else 'not reproduced'
  return 'direction only' if agrees else 'not reproduced'


def _at(trial: Dict[str, Dict[int, dict]], procedure: str, pm: float,
        tolerance: float = 0.2) -> Optional[dict]:
  """The summary of `procedure`'s level whose Pm is within `tolerance` points of `pm`."""
  levels = trial.get(procedure, {})
  near = [s for s in levels.values() if abs(s['percent_remaining'] - pm) <= tolerance]
  return min(near, key=lambda s: abs(s['percent_remaining'] - pm), default=None)


def _pp(a: dict, b: dict, key: str = 'test_accuracy_at_early_stop') -> float:
  return 100 * (a[key] - b[key])


def _stop_ratio(a: dict, b: dict) -> float:
  """Early-stop iteration of a over b's."""
  return a['early_stop_iteration'] / b['early_stop_iteration']


def _pair(procedure_a, pm_a, procedure_b, pm_b, fn):
  def measure(trial):
    a, b = _at(trial, procedure_a, pm_a), _at(trial, procedure_b, pm_b)
    return None if a is None or b is None else fn(a, b)
  return measure


def _best_final_gain(trial):
  dense, levels = _at(trial, 'lottery', 100.0), trial.get('lottery', {})
  pruned = [s for level, s in levels.items() if level > 0]
  if dense is None or not pruned:
    return None
  return max(_pp(s, dense, 'final_test_accuracy') for s in pruned)


def _one_shot_share(high, low, better):
  def measure(trial):
    dense = _at(trial, 'lottery', 100.0)
    shots = [s for s in trial.get('one_shot', {}).values() if low <= s['percent_remaining'] <= high]
    if dense is None or not shots:
      return None
    return 100.0 * np.mean([better(s, dense) for s in shots])
  return measure


LENET_CLAIMS = [
    Claim('Early stop at Pm 21.1% vs unpruned', '38% earlier',
          _pair('lottery', 21.1, 'lottery', 100.0,
                lambda t, d: 100 * (1 - _stop_ratio(t, d))),
          '% earlier', paper=38.0, tolerance=10.0),
    Claim('Test accuracy at Pm 13.5% vs unpruned (at early stop)', 'more than +0.3 pp',
          _pair('lottery', 13.5, 'lottery', 100.0, _pp), 'pp', paper=0.3, tolerance=0.1,
          at_least=True),
    Claim('Test accuracy at Pm 3.6% vs unpruned', 'about 0 pp (back to unpruned)',
          _pair('lottery', 3.6, 'lottery', 100.0, _pp), 'pp', paper=0.0, tolerance=0.2),
    Claim('Early stop at Pm 3.6% / unpruned', 'about 1 (back to unpruned)',
          _pair('lottery', 3.6, 'lottery', 100.0, _stop_ratio),
          'x', paper=1.0, tolerance=0.15, ratio=True),
    Claim('Best test-accuracy gain at the end of training (any Pm)', 'up to +0.35 pp',
          _best_final_gain, 'pp', paper=0.35, tolerance=0.1),
    Claim('Reinit at Pm 21.1% vs unpruned (accuracy at early stop)', 'below (drops from 21.1%)',
          _pair('reinit', 21.1, 'lottery', 100.0, _pp), 'pp', sign=-1),
    Claim('Ticket at Pm 2.9% vs unpruned (tickets hold until Pm 2.9%)', 'about 0 pp',
          _pair('lottery', 2.9, 'lottery', 100.0, _pp), 'pp', paper=0.0, tolerance=0.2),
    Claim('Early stop of reinit / ticket at Pm 21.1%', '2.51x (ticket earlier)',
          _pair('reinit', 21.1, 'lottery', 21.1, _stop_ratio),
          'x', paper=2.51, tolerance=0.5, ratio=True),
    Claim('Ticket vs reinit accuracy at Pm 21.1%', 'about +0.5 pp',
          _pair('lottery', 21.1, 'reinit', 21.1, _pp), 'pp', paper=0.5, tolerance=0.2),
    Claim('Ticket vs random pruning accuracy at Pm 21.1%', 'above (Figure 1)',
          _pair('lottery', 21.1, 'random_prune', 21.1, _pp), 'pp'),
    Claim('One-shot levels with 67.5% >= Pm >= 17.6% that stop earlier than unpruned',
          '100% of them', _one_shot_share(
              67.5, 17.6, lambda s, d: s['early_stop_iteration'] < d['early_stop_iteration']),
          '%', paper=100.0),
    Claim('One-shot levels with 95% >= Pm >= 5.17% more accurate than unpruned', '100% of them',
          _one_shot_share(95.0, 5.17, lambda s, d: s['test_accuracy_at_early_stop'] >
                          d['test_accuracy_at_early_stop']), '%', paper=100.0),
]

RULE = ('Verdicts: **reproduced** = the paper\'s value lies within our [min, max] over trials, or '
        'our mean is within the stated tolerance (for "more than" claims: our mean is at least '
        'the paper\'s value); **direction only** = the sign of the effect agrees, its size does '
        'not; **not reproduced** = otherwise; **not run** = a level or control it needs is '
        'missing. A claim with no number (above, below) is **reproduced** when every trial has '
        'the paper\'s sign, and **direction only** when the mean has it but some trial does not. '
        'Values are computed per trial (ticket and unpruned net of the same trial) and '
        'shown as mean [min, max] over trials.')


def protocol_differs(iterations: Optional[int], trials: int, test_size: int) -> bool:
  return iterations != PAPER_ITERATIONS or trials < PAPER_TRIALS or test_size > 0


def protocol_line(iterations: Optional[int], trials: int, test_size: int = 0) -> str:
  """States the protocol; says plainly when it differs from the paper's (test_size: the
  --test_size the runs evaluated, 0 for the whole test split)."""
  text = f'Protocol: {iterations if iterations else "?"} training iterations per level, ' \
         f'{trials} trial(s)'
  text += f', the first {test_size:,} test examples.' if test_size else '.'
  if protocol_differs(iterations, trials, test_size):
    text += (f' **This differs from the paper\'s ({PAPER_ITERATIONS:,} iterations, '
             f'{PAPER_TRIALS} trials, the whole test set): the verdicts below are only '
             'indicative.**')
  return text


def by_trial(summaries: Summaries) -> Dict[int, Dict[str, Dict[int, dict]]]:
  """procedure -> trial -> level  =>  trial -> procedure -> level."""
  out: Dict[int, Dict[str, Dict[int, dict]]] = {}
  for procedure, trials in summaries.items():
    for trial, levels in trials.items():
      out.setdefault(trial, {})[procedure] = levels
  return out


def evaluate(claims: List[Claim], summaries: Summaries):
  """[(claim, per-trial values, verdict)]."""
  trials = by_trial(summaries)
  rows = []
  for claim in claims:
    values = [v for t in sorted(trials) for v in [claim.measure(trials[t])] if v is not None]
    rows.append((claim, values, verdict(claim, values)))
  return rows


def markdown(claims: List[Claim], summaries: Summaries, iterations: Optional[int],
             test_size: int = 0) -> str:
  trials = len(by_trial(summaries))
  differs = protocol_differs(iterations, trials, test_size)
  lines = [protocol_line(iterations, trials, test_size), '', RULE, '',
           '| claim | paper | measured: mean [min, max] (trials) | tolerance | verdict |',
           '|---|---|---|---|---|']
  for claim, values, result in evaluate(claims, summaries):
    if values:
      measured = (f'{np.mean(values):+.2f} [{np.min(values):+.2f}, {np.max(values):+.2f}] '
                  f'{claim.unit} ({len(values)})')
    else:
      measured = '-'
    tol = f'±{claim.tolerance:g} {claim.unit}' if claim.tolerance else '-'
    note = ' (protocol differs)' if differs and result != 'not run' else ''
    lines.append(f'| {claim.text} | {claim.paper_text} | {measured} | {tol} | {result}{note} |')
  return '\n'.join(lines) + '\n'

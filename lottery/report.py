"""The reproduction report: each of the paper's claims beside the measured value.

A claim whose levels or controls were not run is listed as "not run", never guessed.
Accuracies are test accuracy at the early-stop iteration unless a claim says "at the end".
"""

from typing import Callable, List, Optional, Tuple

from lottery import analysis
from lottery import networks
from lottery.analysis import Row

Claim = Tuple[str, str, Callable[[List[Row]], Optional[Tuple[str, bool]]]]


def _pair(rows, pm_a, pm_b, exp_a='lottery', exp_b='lottery'):
  a, b = analysis.find(rows, exp_a, pm_a), analysis.find(rows, exp_b, pm_b)
  return (a, b) if a is not None and b is not None else None


def _earlier(pm):
  def measure(rows):
    pair = _pair(rows, pm, 100.0)
    if pair is None:
      return None
    ticket, dense = pair
    change = 1 - ticket.early_stop.mean / dense.early_stop.mean
    return f'{100 * change:.0f}% earlier ({ticket.early_stop.mean:.0f} vs ' \
           f'{dense.early_stop.mean:.0f})', change > 0
  return measure


def _accuracy_gain(pm, threshold_pp, attr='accuracy_at_early_stop'):
  def measure(rows):
    pair = _pair(rows, pm, 100.0)
    if pair is None:
      return None
    gain = 100 * (getattr(pair[0], attr).mean - getattr(pair[1], attr).mean)
    return f'{gain:+.2f} pp', gain > threshold_pp
  return measure


def _back_to_unpruned(pm):
  def measure(rows):
    pair = _pair(rows, pm, 100.0)
    if pair is None:
      return None
    gain = 100 * (pair[0].accuracy_at_early_stop.mean - pair[1].accuracy_at_early_stop.mean)
    return f'{gain:+.2f} pp, early stop {pair[0].early_stop.mean:.0f} vs ' \
           f'{pair[1].early_stop.mean:.0f}', abs(gain) <= 0.3
  return measure


def _best_final_gain(rows):
  dense = analysis.find(rows, 'lottery', 100.0)
  tickets = [r for r in rows if r.experiment == 'lottery' and r.level > 0]
  if dense is None or not tickets:
    return None
  best = max(tickets, key=lambda r: r.final_accuracy.mean)
  gain = 100 * (best.final_accuracy.mean - dense.final_accuracy.mean)
  return f'{gain:+.2f} pp at Pm {best.percent_remaining:.1f}%', gain > 0


def _reinit_drop(rows):
  dense, ticket = analysis.find(rows, 'lottery', 100.0), analysis.find(rows, 'lottery', 21.1)
  reinit = analysis.find(rows, 'reinit', 21.1)
  if None in (dense, ticket, reinit):
    return None
  d, t, r = (100 * x.accuracy_at_early_stop.mean for x in (dense, ticket, reinit))
  return f'reinit {r - d:+.2f} pp vs ticket {t - d:+.2f} pp (vs unpruned)', r < d <= t


def _reinit_vs_ticket(rows):
  pair = _pair(rows, 21.1, 21.1, 'lottery', 'reinit')
  if pair is None:
    return None
  ticket, reinit = pair
  ratio = reinit.early_stop.mean / ticket.early_stop.mean
  gain = 100 * (ticket.accuracy_at_early_stop.mean - reinit.accuracy_at_early_stop.mean)
  return f'{ratio:.2f}x earlier, {gain:+.2f} pp', ratio > 1 and gain > 0


def _one_shot_range(high, low, attr):
  def measure(rows):
    dense = analysis.find(rows, 'lottery', 100.0)
    shots = [r for r in rows if r.experiment == 'one_shot' and low <= r.percent_remaining <= high]
    if dense is None or not shots:
      return None
    if attr == 'early_stop':
      ok = [r.early_stop.mean < dense.early_stop.mean for r in shots]
    else:
      ok = [r.accuracy_at_early_stop.mean > dense.accuracy_at_early_stop.mean for r in shots]
    return f'{sum(ok)} of {len(ok)} one-shot levels in range', all(ok)
  return measure


LENET_CLAIMS: List[Claim] = [
    ('Early stop earlier at Pm 21.1% than unpruned', '38% earlier', _earlier(21.1)),
    ('Test accuracy gain at Pm 13.5%', '> +0.3 pp', _accuracy_gain(13.5, 0.3)),
    ('Back to unpruned accuracy at Pm 3.6%', 'about 0 pp', _back_to_unpruned(3.6)),
    ('Best gain in test accuracy at the end of training', 'up to +0.35 pp', _best_final_gain),
    ('Reinit drops at Pm 21.1% while tickets hold', 'reinit below, ticket at/above unpruned',
     _reinit_drop),
    ('Ticket vs reinit at Pm 21.1%', '2.51x earlier, about +0.5 pp', _reinit_vs_ticket),
    ('One-shot: earlier early stop for 67.5% >= Pm >= 17.6%', 'all levels',
     _one_shot_range(67.5, 17.6, 'early_stop')),
    ('One-shot: higher accuracy for 95.0% >= Pm >= 5.17%', 'all levels',
     _one_shot_range(95.0, 5.17, 'accuracy')),
]


def _conv_claims(network: networks.Network) -> List[Claim]:
  paper = network.paper

  def unpruned(rows):
    dense = analysis.find(rows, 'lottery', 100.0)
    if dense is None:
      return None
    # Validation accuracy is not in the aggregated rows; test accuracy stands in for it.
    acc = 100 * dense.accuracy_at_early_stop.mean
    return f'{acc:.1f}% (test)', abs(acc - paper['unpruned_val_accuracy']) <= 2.0

  def above_unpruned(rows):
    dense = analysis.find(rows, 'lottery', 100.0)
    tickets = [r for r in rows if r.experiment == 'lottery' and r.percent_remaining > 2.0]
    if dense is None or len(tickets) < 2:
      return None
    ok = [r.accuracy_at_early_stop.mean >= dense.accuracy_at_early_stop.mean for r in tickets]
    return f'{sum(ok)} of {len(ok)} levels', all(ok)

  name = network.name
  return [(f'{name}: unpruned accuracy', f'{paper["unpruned_val_accuracy"]}% (validation)',
           unpruned),
          (f'{name}: tickets above unpruned while Pm > 2%', 'all levels', above_unpruned),
          (f'{name}: best test-accuracy gain',
           f'+{paper["best_gain_pp"]} pp at Pm {paper["best_gain_pm"]}%',
           _best_final_gain)]


def markdown(rows: List[Row], network: str = 'lenet300_100') -> str:
  """The claims table of a registered network: claim | paper | measured | holds."""
  entry = networks.get(network)
  claims = LENET_CLAIMS if entry.claims == 'lenet' else _conv_claims(entry)
  lines = ['| claim | paper | measured | holds |', '|---|---|---|---|']
  for claim, paper, measure in claims:
    result = measure(rows)
    measured, holds = ('not run', 'n/a') if result is None else (result[0],
                                                                 'yes' if result[1] else 'no')
    lines.append(f'| {claim} | {paper} | {measured} | {holds} |')
  return '\n'.join(lines) + '\n'

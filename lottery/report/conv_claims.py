"""The conv nets' reproduction report: each of the paper's claims beside the measured value (LeNet: lottery/claims.py).

A claim whose levels or controls were not run is listed as "not run", never guessed.
Accuracies are test accuracy at the early-stop iteration unless a claim says "at the end".
"""

from typing import Callable, List, Optional, Tuple

from lottery.report import aggregate
from lottery import networks
from lottery.report.aggregate import Row

Claim = Tuple[str, str, Callable[[List[Row]], Optional[Tuple[str, bool]]]]


def _best_final_gain(rows):
  dense = aggregate.find(rows, 'lottery', 100.0)
  tickets = [r for r in rows if r.experiment == 'lottery' and r.level > 0]
  if dense is None or not tickets:
    return None
  best = max(tickets, key=lambda r: r.final_accuracy.mean)
  gain = 100 * (best.final_accuracy.mean - dense.final_accuracy.mean)
  return f'{gain:+.2f} pp at Pm {best.percent_remaining:.1f}%', gain > 0


def _conv_claims(network: networks.Network) -> List[Claim]:
  paper = network.paper

  def unpruned(rows):
    dense = aggregate.find(rows, 'lottery', 100.0)
    if dense is None:
      return None
    # Validation accuracy is not in the aggregated rows; test accuracy stands in for it.
    acc = 100 * dense.accuracy_at_early_stop.mean
    return f'{acc:.1f}% (test)', abs(acc - paper['unpruned_val_accuracy']) <= 2.0

  def above_unpruned(rows):
    dense = aggregate.find(rows, 'lottery', 100.0)
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


def markdown(rows: List[Row], network: str) -> str:
  """The conv nets' claims table: claim | paper | measured | holds (LeNet's: lottery.claims)."""
  claims = _conv_claims(networks.get(network))
  lines = ['| claim | paper | measured | holds |', '|---|---|---|---|']
  for claim, paper, measure in claims:
    result = measure(rows)
    measured, holds = ('not run', 'n/a') if result is None else (result[0],
                                                                 'yes' if result[1] else 'no')
    lines.append(f'| {claim} | {paper} | {measured} | {holds} |')
  return '\n'.join(lines) + '\n'

"""The parts of report.md that belong to one network or one procedure.

Registry entries name these functions as 'module:function' strings, resolved by
lottery.report.analyze when it writes a report, so that the registries never
import the report:
  a network's `claims`: (output_dir, aggregated rows, network, report_dir) ->
    (Markdown of the paper's claims checked against the runs, figure files it wrote);
  a procedure's `report`: (aggregated rows) -> a Markdown section ('' when its runs
    are not there).
"""

import glob
import json
import os
from typing import List, Optional, Tuple

from lottery.report import aggregate
from lottery.report import conv_claims
from lottery.report import figures
from lottery.report import lenet_claims


def _protocol(output_dir: str) -> Tuple[Optional[int], int]:
  """(training iterations per level, test_size) recorded by the lottery runs ((None, 0) if none
  are recorded; files older than --test_size evaluated the whole test split)."""
  for path in sorted(glob.glob(os.path.join(output_dir, 'trial*', 'lottery.hparams.json'))):
    with open(path) as f:
      recorded = json.load(f)
    return recorded.get('training_iterations'), recorded.get('test_size', 0)
  return None, 0


def lenet_claims_and_figures(output_dir: str, rows: List[aggregate.Row], network,
                             report_dir: str) -> Tuple[str, List[str]]:
  """LeNet: the claims table measured per trial, and Figures 1 and 4."""
  del rows, network  # the claims are measured per trial, from the summaries
  summaries = {p: aggregate.load_summaries(output_dir, p) for p in aggregate.EXPERIMENTS}
  text = lenet_claims.markdown(lenet_claims.LENET_CLAIMS, summaries, *_protocol(output_dir))
  written = [os.path.join(report_dir, 'figure1.png')]
  figures.figure1(output_dir, written[0])
  return text, written + figures.figure4(output_dir, report_dir)


def conv_claims_table(output_dir: str, rows: List[aggregate.Row], network,
                      report_dir: str) -> Tuple[str, List[str]]:
  """Conv-2/4/6: Appendix H's claims against the aggregated rows; no further figures."""
  del output_dir, report_dir
  return conv_claims.markdown(rows, network.name), []


def gmp_versus_tickets(rows: List[aggregate.Row]) -> str:
  """Winning tickets against gradual magnitude pruning at equal Pm ('' when gmp did not run)."""
  table = aggregate.versus_table(rows, 'lottery', 'gmp')
  if not table:
    return ''
  return ('\n## Winning tickets against gradual magnitude pruning (tfmot)\n\n'
          'Test accuracy (%), mean [min, max] over trials, at the same Pm. GMP prunes during '
          'one training run from theta_0 (see README); its early stop is chosen only after '
          'it reaches the level\'s sparsity. diff = ticket minus GMP.\n\n' + table)

"""The shared command line of the evidence reports (report_section2, report_transfer,
report_deconstruction): --evidence_root, --results_dir, [--report], help, one error line.
"""

import os
import sys
from typing import Callable, List, Optional, Sequence

from absl import flags

from foundations import cli


def flag_values(script: str, results_dir: str, report: Optional[str] = None) -> flags.FlagValues:
  """Private flags (importing a report defines no global flag): --help, --evidence_root
  (default ~/lth_evidence, what `script` writes), --results_dir and, if given, --report."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('evidence_root', os.path.join(os.path.expanduser('~'), 'lth_evidence'),
                      f'Output root of {script}.', flag_values=fv)
  flags.DEFINE_string('results_dir', results_dir, 'Where the tables, figures and CSV go.',
                      flag_values=fv)
  if report is not None:
    flags.DEFINE_string('report', report, 'Where the report (markdown) goes.', flag_values=fv)
  return fv


def run(fv: flags.FlagValues, argv: Sequence[str], doc: str,
        assemble: Callable[[flags.FlagValues], List[str]]) -> int:
  """Parses argv, then assemble(fv) -> the files written: 'Wrote ...' and 0, or one error line
  (bad flags, missing or unreadable runs: UsageError, ValueError, OSError) and 1."""
  try:
    cli.parse(fv, argv)
    if fv['help'].value:
      print(cli.help_text(fv, doc))
      return 0
    written = assemble(fv)
  except (cli.UsageError, ValueError, OSError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  print('Wrote ' + ', '.join(written))
  return 0

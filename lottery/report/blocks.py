"""What made an evidence block: level-runs, task time, dates, code version, CPU and command.

A block is some experiments of one sweep output folder. Its level-runs and their seconds come
from the folder's sweep_tasks.csv (one line per finished task, lottery/sweep/driver.py), its code
version, CPU and command from sweep_log.csv (one line per sweep invocation's start and end,
lottery/sweep/provenance.py): a task is attributed to the last invocation that started before
it finished. Tasks that finished before the folder had a sweep_log.csv say "not recorded".
"""

import csv
import dataclasses
import os
from typing import Dict, List, Optional, Sequence

from lottery.sweep import driver
from lottery.sweep import provenance

UNRECORDED = 'not recorded'


@dataclasses.dataclass
class Block:
  """One block's facts; `versions`/`cpus`/`commands` map each value to its level-runs."""
  name: str
  level_runs: int
  task_seconds: float
  first: str  # time the first of its tasks finished, '' if none
  last: str
  versions: Dict[str, int]
  cpus: Dict[str, int]
  commands: Dict[str, int]

  def markdown(self) -> str:
    """A few lines: counts and time, then code version, CPU and command with their counts."""
    if not self.level_runs:
      return f'- **{self.name}:** no finished level-runs.\n'

    def counted(values: Dict[str, int], code: bool) -> str:
      quote = (lambda v: f'`{v}`') if code else (lambda v: v)
      return '; '.join(f'{quote(v) if v != UNRECORDED else v} ({n})'
                       for v, n in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))

    lines = [f'- **{self.name}:** {self.level_runs} level-runs, {self.task_seconds / 3600:.2f} '
             f'task-hours (mean {self.task_seconds / self.level_runs:.0f} s), finished between '
             f'{self.first[:16]} and {self.last[:16]}',
             f'  - code version: {counted(self.versions, True)}',
             f'  - CPU: {counted(self.cpus, False)}']
    lines += [f'  - command ({n} level-runs): `{c}`' if c != UNRECORDED
              else f'  - command: not recorded ({n} level-runs)'
              for c, n in sorted(self.commands.items(), key=lambda kv: (-kv[1], kv[0]))]
    return '\n'.join(lines) + '\n'


def _tasks(output_dir: str) -> List[Dict[str, str]]:
  path = os.path.join(output_dir, driver.RECORD)
  if not os.path.exists(path):
    return []
  with open(path, newline='') as f:
    return [row for row in csv.DictReader(f) if row.get('status') == 'done']


def read(output_dir: str, experiments: Sequence[str], name: str,
         trials: Optional[Sequence[int]] = None,
         levels: Optional[Sequence[int]] = None) -> Block:
  """The block of `experiments` (and `trials`, `levels` if given) in `output_dir`.

  A task is 'experiment/trialT/levelL' in sweep_tasks.csv; a task run twice (a rerun after a
  lost result) counts once, its last line."""
  starts = [line for line in provenance.read(output_dir) if line['event'] == 'started']
  latest: Dict[str, Dict[str, str]] = {}
  for row in _tasks(output_dir):
    experiment, trial, level = row['task'].split('/')
    if (experiment in experiments and (trials is None or int(trial[5:]) in trials)
        and (levels is None or int(level[5:]) in levels)):
      latest[row['task']] = row
  block = Block(name, len(latest), 0.0, '', '', {}, {}, {})
  for row in sorted(latest.values(), key=lambda r: r['time']):
    block.task_seconds += float(row['seconds'])
    block.first = block.first or row['time']
    block.last = row['time']
    made_by = [s for s in starts if s['time'] <= row['time']]
    run = made_by[-1] if made_by else dict(code_version=UNRECORDED, cpu=UNRECORDED,
                                            command=UNRECORDED)
    for key, values in (('code_version', block.versions), ('cpu', block.cpus),
                        ('command', block.commands)):
      values[run[key]] = values.get(run[key], 0) + 1
  return block

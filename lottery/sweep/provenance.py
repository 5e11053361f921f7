"""Which code, on which CPU, made a sweep's level-runs: one line per sweep invocation.

Every `python -m lottery sweep` that runs tasks appends to <output_dir>/sweep_log.csv a line
when it starts and one when it ends (finished, failed or interrupted), with the code version
(`git describe --always --dirty` of this checkout) and the CPU. Reports read it to state the
code version and machine of each evidence block; results are bit-identical only on one kind of
CPU (AVX2 and AVX-512 machines differ), so the CPU is part of the record.
"""

import csv
import io
import os
import subprocess
import time
from typing import Dict, List, Sequence

LOG = 'sweep_log.csv'
TASKS = 'sweep_tasks.csv'  # the driver's one line per finished or failed task
FIELDS = ('time', 'event', 'code_version', 'cpu', 'workers', 'tasks', 'command')
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def code_version(repo: str = _REPO) -> str:
  """The checkout's `git describe --always --dirty` (a commit, '-dirty' if tracked files
  changed), or 'unknown (no git checkout)'."""
  try:
    out = subprocess.run(['git', '-C', repo, 'describe', '--always', '--dirty', '--abbrev=12'],
                         capture_output=True, text=True, timeout=30, check=False)
  except (OSError, subprocess.SubprocessError):
    return 'unknown (no git)'
  version = out.stdout.strip()
  return version if out.returncode == 0 and version else 'unknown (no git checkout)'


def cpu(cpuinfo: str = '/proc/cpuinfo') -> str:
  """'<model name> (<n> cores, AVX-512|AVX2|no AVX2)' of this machine, or 'unknown'."""
  try:
    with open(cpuinfo) as f:
      text = f.read()
  except OSError:
    return 'unknown'
  fields = {}
  for line in text.splitlines():
    key, _, value = line.partition(':')
    fields.setdefault(key.strip(), value.strip())
  flags_ = set(fields.get('flags', '').split())
  simd = 'AVX-512' if 'avx512f' in flags_ else 'AVX2' if 'avx2' in flags_ else 'no AVX2'
  cores = text.count('\nprocessor') + text.startswith('processor')
  return f'{fields.get("model name", "unknown")} ({cores} cores, {simd})'


def append(output_dir: str, event: str, workers: int, tasks: int, argv: Sequence[str]) -> None:
  """Appends one line (header first if the file is new)."""
  path = os.path.join(output_dir, LOG)
  line = io.StringIO()
  writer = csv.DictWriter(line, FIELDS)
  if not os.path.exists(path):
    writer.writeheader()
  writer.writerow(dict(time=time.strftime('%Y-%m-%d %H:%M:%S'), event=event,
                       code_version=code_version(), cpu=cpu(), workers=workers, tasks=tasks,
                       command=' '.join(['python -m lottery sweep'] + list(argv))))
  os.makedirs(output_dir, exist_ok=True)
  with open(path, 'a') as f:
    f.write(line.getvalue())


def read(output_dir: str) -> List[Dict[str, str]]:
  """The log's lines, oldest first; [] when the sweep predates the log."""
  path = os.path.join(output_dir, LOG)
  if not os.path.exists(path):
    return []
  with open(path, newline='') as f:
    return list(csv.DictReader(f))

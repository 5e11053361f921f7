"""What the report tests compare against, computed here and not by the report code: a table
cell 'mean [min, max]', and a folder's files as bytes (to check byte-identical regeneration)."""

import os
from typing import Dict, Sequence


def cell(values: Sequence[float], scale: float = 100.0, digits: int = 2) -> str:
  """'mean [min, max]' of values x scale with `digits` decimals (accuracies in percent)."""
  values = [v * scale for v in values]
  return (f'{sum(values) / len(values):.{digits}f} [{min(values):.{digits}f}, '
          f'{max(values):.{digits}f}]')


def files(directory: str) -> Dict[str, bytes]:
  """Path relative to `directory` -> bytes of every file under it (sub-folders included)."""
  out = {}
  for base, _, names in os.walk(directory):
    for name in names:
      with open(os.path.join(base, name), 'rb') as f:
        out[os.path.relpath(os.path.join(base, name), directory)] = f.read()
  return out

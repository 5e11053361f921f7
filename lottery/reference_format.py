"""The TF1 reference code's files (google-research/lottery-ticket-hypothesis), read and written.

One run of the reference code is a directory `<dir>/<level>/<experiment_name>/` holding
  initial/<layer>.npy  kernels at the start of training; from level 1 on already x mask
  final/<layer>.npy    trained kernels x mask
  masks/<layer>.npy    float64 0/1 masks; empty at level 0 (no pruning yet)
  train.log            one CSV line per optimizer step
  test.log             one CSV line per evaluation (iterations 100, 200, ..., no 0)
  validate.log         never has lines: the reference has no validation split
A log line is `iteration,<i>,<tag>,<loss>,<tag>,<accuracy>`: its trainer writes the
summary tags (`test_loss`, `test_accuracy`), its `save_restore.write_log` writes `loss`
and `accuracy`; like its `read_log`, the reader here takes fields 1, 3 and 5 whatever
the tags. Layer names are `layer0`, `layer1`, ... as ours. Only numpy: nothing here
loads TensorFlow.
"""

import io
import os
from typing import Dict, List, Mapping, Optional, Tuple

import numpy as np

from foundations import save_restore

Arrays = Dict[str, np.ndarray]
LogRows = List[Tuple[int, float, float]]  # (iteration, loss, accuracy) per line
WEIGHT_DIRS = ('initial', 'masks', 'final')
LOGS = ('train', 'test', 'validate')


class FormatError(ValueError):
  """A file or directory is missing or does not hold what the layout says; one line."""


def read_array_dir(path: str) -> Arrays:
  """`<path>/<name>.npy` files -> {name: array}, in name order; {} for an empty directory."""
  if not os.path.isdir(path):
    raise FormatError(f'{path}: no such directory')
  arrays = {}
  for name in sorted(os.listdir(path)):
    if not name.endswith('.npy'):
      continue
    try:
      arrays[name[:-len('.npy')]] = np.load(os.path.join(path, name), allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
      text = (str(e).strip().splitlines() or [type(e).__name__])[0]
      raise FormatError(f'{os.path.join(path, name)}: unreadable npy ({text})') from e
  return arrays


def write_array_dir(path: str, arrays: Mapping[str, np.ndarray]) -> None:
  """Writes one `<name>.npy` per array into `path` (created; an existing directory is replaced
  file by file, atomically, as np.save would write them)."""
  os.makedirs(path, exist_ok=True)
  for name, array in arrays.items():
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    save_restore.save_bytes(os.path.join(path, f'{name}.npy'), buffer.getvalue())


def read_log(path: str) -> LogRows:
  """(iteration, loss, accuracy) of every line of a log; [] when the file is absent or empty."""
  if not os.path.exists(path):
    return []
  with open(path, 'rb') as f:
    data = f.read()
  expected = 'expected lines iteration,<i>,<tag>,<loss>,<tag>,<accuracy>'
  try:
    text = data.decode('utf-8')
    if '\0' in text:
      raise UnicodeDecodeError('utf-8', data, data.index(b'\0'), data.index(b'\0') + 1, 'NUL')
  except UnicodeDecodeError as e:
    line = data[:e.start].count(b'\n') + 1
    raise FormatError(f'{path}:{line}: binary data, not a text log; {expected}') from None
  rows = []
  for number, line in enumerate(text.replace('\r\n', '\n').split('\n'), 1):
    if not line.strip():
      continue
    fields = line.strip().split(',')
    try:
      if len(fields) < 6 or fields[0] != 'iteration':
        raise ValueError('expected iteration,<i>,<tag>,<loss>,<tag>,<accuracy>')
      rows.append((int(float(fields[1])), float(fields[3]), float(fields[5])))
    except ValueError as e:
      raise FormatError(f'{path}:{number}: {e}') from None
  return rows


def write_log(path: str, rows: LogRows, split: str) -> None:
  """Writes `rows` as the reference trainer does: `iteration,<i>,<split>_loss,<l>,...`.

  Values are written with repr, so reading them back gives the same floats.
  """
  lines = [f'iteration,{it},{split}_loss,{loss!r},{split}_accuracy,{acc!r}\n'
           for it, loss, acc in rows]
  save_restore.save_text(path, ''.join(lines))


def levels(directory: str, experiment_name: str) -> List[int]:
  """The levels `<directory>/<level>/<experiment_name>/` that hold a final/ directory."""
  if not os.path.isdir(directory):
    raise FormatError(f'{directory}: no such directory')
  return sorted(int(n) for n in os.listdir(directory) if n.isdigit() and
                os.path.isdir(os.path.join(directory, n, experiment_name, 'final')))


def experiment_names(directory: str) -> List[str]:
  """The experiment names found under `<directory>/0/` (the reference writes level 0 first)."""
  level0 = os.path.join(directory, '0')
  if not os.path.isdir(level0):
    return []
  return sorted(n for n in os.listdir(level0) if os.path.isdir(os.path.join(level0, n, 'final')))


def load_weights(path: str, shapes: Mapping[str, Tuple[int, ...]]) -> Arrays:
  """Kernels from our npz file or a reference `initial/`-style directory, as float32.

  Args:
    path: an npz of ours (e.g. a level's initial.npz) or a directory of <layer>.npy.
    shapes: layer name -> expected kernel shape; the file must hold exactly these layers.

  Raises:
    FormatError: one line naming `path` when it is unreadable or the layers or shapes differ.
  """
  if os.path.isdir(path):
    arrays = read_array_dir(path)
  else:
    try:
      arrays = save_restore.load_npz(path)
    except save_restore.NpzError as e:
      raise FormatError(str(e)) from None
  save_restore.check_shapes(path, arrays, shapes, FormatError, 'layer', 'layers')
  return {name: np.asarray(arrays[name], dtype=np.float32) for name in shapes}


def run_files(run_dir: str) -> Tuple[Arrays, Arrays, Arrays, Optional[Arrays]]:
  """(initial, masks, final, final_biases or None) of one reference run directory.

  final_biases/ is not part of the reference's layout (it saves no biases); our
  export adds it so that a round trip keeps them, and the reference ignores it.
  """
  initial, masks, final = (read_array_dir(os.path.join(run_dir, d)) for d in WEIGHT_DIRS)
  biases_dir = os.path.join(run_dir, 'final_biases')
  biases = read_array_dir(biases_dir) if os.path.isdir(biases_dir) else None
  if not final or set(initial) != set(final):
    raise FormatError(f'{run_dir}: initial/ holds {sorted(initial)} and final/ holds '
                      f'{sorted(final)}; expected the same layers in both')
  if masks and set(masks) != set(final):
    raise FormatError(f'{run_dir}: masks/ holds {sorted(masks)}, expected {sorted(final)}')
  return initial, masks, final, biases

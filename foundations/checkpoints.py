"""Resumable checkpoints inside a level, written at evaluation boundaries.

A level is the unit of resume (foundations.experiment); a long level (440,000 learned-supermask
steps, a Conv-6 level on CPU) would otherwise restart from iteration 0 when killed. The trainer
(foundations.trainer.train) saves, right after recording an evaluation row and at most once per
`seconds` of wall time, one npz holding:

  v0000, v0001, ...  every state variable of the compiled training (CompiledTraining or
                     SupermaskTraining.state_variables(): model variables, trainable or not,
                     optimizer variables, extra counters), in that order
  __meta__           uint8 JSON: format, key, training_iterations, iteration, the metrics rows
                     so far, best_val, and each variable's dtype and shape

Nothing else is needed at a boundary: the train-loss accumulators are zero there and the data
order is recreated from its seed and advanced by the consumed steps. A checkpoint is trusted
only when its key (a digest of everything that decides what the level computes), its
training_iterations and every variable's dtype and shape match; otherwise it is ignored and
overwritten by the next save. Resuming never changes what a level computes: the files of a
resumed level are bit-identical to an uninterrupted one's.
"""

import dataclasses
import hashlib
import json
import math
import os
from typing import List, Optional, Sequence

import numpy as np

from foundations import hparams
from foundations import save_restore

ENV = 'LTH_CHECKPOINT_SECONDS'
DEFAULT_SECONDS = 300.0
FORMAT = 1
_META = '__meta__'


@dataclasses.dataclass(frozen=True)
class Checkpoint:
  """Where and how often a level's training saves its state.

  path: the npz file (e.g. <run_dir>/checkpoint.npz).
  key: digest of what the level computes (see digest); a file with another key is ignored.
  seconds: least wall time between two saves (0: at every evaluation boundary but the last).
  name: how the resume line names what resumes, e.g. 'level 3'.
  """
  path: str
  key: str
  seconds: float = DEFAULT_SECONDS
  name: str = 'training'


@dataclasses.dataclass
class State:
  """What train() keeps besides the variables, at an evaluation boundary.

  iteration: steps taken; rows: the metrics rows recorded so far (dicts of METRIC_NAMES);
  best_val: the lowest validation loss seen where an early stop may be chosen (math.inf: none).
  """
  iteration: int
  rows: List[dict]
  best_val: float


def interval_seconds(environ=os.environ) -> Optional[float]:
  """Seconds between saves from $LTH_CHECKPOINT_SECONDS (default 300; 0: every evaluation);
  None when it is 'off'. HparamsError (one line naming the variable) for anything else."""
  raw = environ.get(ENV, '').strip()
  if not raw:
    return DEFAULT_SECONDS
  if raw.lower() == 'off':
    return None
  try:
    seconds = float(raw)
  except ValueError:
    seconds = math.nan
  if not seconds >= 0 or math.isinf(seconds):
    raise hparams.HparamsError(f'{ENV}={raw!r}: expected seconds >= 0 between level checkpoints, or off')
  return seconds


def digest(*parts) -> str:
  """sha256 hex of `parts`: JSON-able values (as sorted JSON), dicts of arrays and None, in
  order; arrays count by name, dtype, shape and bytes."""
  h = hashlib.sha256()
  for part in parts:
    if isinstance(part, dict) and part and all(isinstance(v, np.ndarray)
                                                for v in part.values()):
      for name in sorted(part):
        a = np.ascontiguousarray(part[name])
        h.update(json.dumps([name, a.dtype.str, list(a.shape)]).encode())
        h.update(a.tobytes())
    else:
      h.update(json.dumps(part, sort_keys=True, default=str).encode())
    h.update(b'\0')
  return h.hexdigest()


def _layout(variables: Sequence) -> List[list]:
  return [[v.dtype.name, list(v.shape)] for v in variables]


def save(checkpoint: Checkpoint, variables: Sequence, state: State,
         training_iterations: int) -> None:
  """Writes the variables' values and `state` to checkpoint.path atomically."""
  arrays = {f'v{i:04d}': v.numpy() for i, v in enumerate(variables)}
  meta = dict(format=FORMAT, key=checkpoint.key, training_iterations=training_iterations,
              iteration=state.iteration, rows=state.rows, best_val=state.best_val,
              variables=_layout(variables))
  arrays[_META] = np.frombuffer(json.dumps(meta).encode('utf-8'), np.uint8)
  save_restore.save_npz(checkpoint.path, arrays)


def _read(checkpoint: Checkpoint, variables: Sequence, training_iterations: int):
  """(meta, arrays) of a trustworthy checkpoint, or (None, why it is not)."""
  try:
    arrays = save_restore.load_npz(checkpoint.path)
    meta = json.loads(arrays.pop(_META).tobytes().decode('utf-8'))
  except (save_restore.NpzError, KeyError, ValueError, UnicodeDecodeError) as e:
    return None, f'unreadable ({str(e).splitlines()[0] if str(e) else type(e).__name__})'
  if not isinstance(meta, dict) or meta.get('format') != FORMAT:
    return None, 'another format'
  if meta.get('key') != checkpoint.key or meta.get('training_iterations') != training_iterations:
    return None, 'made by another run or level'
  iteration, rows = meta.get('iteration'), meta.get('rows')
  if (not isinstance(iteration, int) or not 0 < iteration < training_iterations or
      not rows or rows[-1].get('iteration') != iteration):
    return None, 'inconsistent iteration'
  if meta.get('variables') != _layout(variables) or len(arrays) != len(variables):
    return None, 'other variables'
  for i, (dtype, shape) in enumerate(meta['variables']):
    a = arrays.get(f'v{i:04d}')
    if a is None or a.dtype.name != dtype or list(a.shape) != shape:
      return None, 'other variables'
  return meta, arrays


def restore(checkpoint: Checkpoint, variables: Sequence,
            training_iterations: int) -> Optional[State]:
  """Sets `variables` from a trustworthy checkpoint and returns its State; None (variables
  untouched, one line printed when a file was there) when there is none to trust."""
  if not os.path.exists(checkpoint.path):
    return None
  meta, arrays = _read(checkpoint, variables, training_iterations)
  if meta is None:
    print(f'{checkpoint.name}: ignoring {checkpoint.path}: {arrays}', flush=True)
    return None
  for i, v in enumerate(variables):
    v.assign(arrays[f'v{i:04d}'])
  print(f'{checkpoint.name}: resuming at iteration {meta["iteration"]} from checkpoint',
        flush=True)
  return State(meta['iteration'], meta['rows'], float(meta['best_val']))


def remove(path: str) -> None:
  """Deletes a checkpoint file if there is one (its level finished or cannot resume)."""
  try:
    os.remove(path)
  except FileNotFoundError:
    pass

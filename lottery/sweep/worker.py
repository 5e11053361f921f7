"""One sweep task on a worker: inputs arrive as bytes, outputs leave as bytes.

A worker writes no result to the sweep's --output_dir (there may be no shared
filesystem); its only file there is a level's checkpoint (see run_task). It lays the input files it was sent into a private scratch
directory in the usual layout, runs the level with exactly the code the
runners use (`lottery.levels.run`), and returns every file the level wrote.
Datasets are loaded from the worker's own data cache (filled and
checksum-verified from the usual sources if missing), never sent.
"""

import collections
import contextlib
import io
import os
import shutil
import socket
import tempfile
import time
from typing import Dict, Optional

from foundations import hparams

Files = Dict[str, bytes]  # path relative to the output dir -> contents

_SPLITS = collections.OrderedDict()  # (dataset settings) -> DataSplits, a few per worker
_KEEP_SPLITS = 2
_CONFIGURED = []


def _configure_tensorflow() -> None:
  """One thread, deterministic ops: set once per worker process, before TF starts its pools."""
  if not _CONFIGURED:
    from lottery import train_command  # pylint: disable=g-import-not-at-top
    train_command.configure_tensorflow(1)
    _CONFIGURED.append(True)


def warm_up() -> None:
  """Starts TensorFlow as tasks need it and imports what they run (see lottery.sweep_preload)."""
  _configure_tensorflow()
  from lottery import levels, networks, procedures  # pylint: disable=g-import-not-at-top,unused-import
  from foundations import trainer  # pylint: disable=g-import-not-at-top,unused-import


def _data(desc: hparams.Desc, network, data_dir: Optional[str]):
  from lottery import seeds  # pylint: disable=g-import-not-at-top
  from lottery import train_command  # pylint: disable=g-import-not-at-top
  key = (desc.dataset, seeds.derive(desc.seed, desc.trial, 'validation_split'), network.flatten,
         data_dir)
  if key not in _SPLITS:
    _SPLITS[key] = train_command.load_data(desc, network, data_dir)
    while len(_SPLITS) > _KEEP_SPLITS:
      _SPLITS.popitem(last=False)
  _SPLITS.move_to_end(key)
  return _SPLITS[key]


def read_tree(root: str, relative_to: str) -> Files:
  """Every file under `root` (recursively), keyed by its path relative to `relative_to`."""
  files = {}
  for directory, _, names in os.walk(root):
    for name in names:
      path = os.path.join(directory, name)
      with open(path, 'rb') as f:
        files[os.path.relpath(path, relative_to)] = f.read()
  return files


def run_task(flat_desc: dict, procedure: str, level: int, inputs: Files,
             data_dir: Optional[str] = None, output_dir_label: str = '<output_dir>',
             checkpoint_root: Optional[str] = None) -> dict:
  """Runs one level of `procedure` for the described trial; returns its files or its error.

  Returns:
    dict(files=Files of the level's run dir, summary, notes=the lines the level printed,
    seconds, node, host, pid) on success, or dict(error=one line, ...) when the level cannot
    run (a bad input file, a missing dataset). Paths in the error and notes name
    `output_dir_label`, the driver's output dir, not the scratch dir. checkpoint_root: the
    driver's output dir as an absolute path, where the level's checkpoint goes if this node
    sees it (None: nowhere).
  """
  begin = time.time()
  record = dict(host=socket.gethostname(), pid=os.getpid(), node=_node_id())
  scratch = tempfile.mkdtemp(prefix='lth-task-')
  try:
    from datasets.base import DatasetError  # pylint: disable=g-import-not-at-top
    from foundations.save_restore import NpzError  # pylint: disable=g-import-not-at-top
    from lottery import levels, networks, procedures, reference_format  # pylint: disable=g-import-not-at-top
    for rel, data in inputs.items():
      os.makedirs(os.path.dirname(os.path.join(scratch, rel)), exist_ok=True)
      with open(os.path.join(scratch, rel), 'wb') as f:
        f.write(data)
    desc = hparams.from_flat(flat_desc).validate()
    _configure_tensorflow()
    network = networks.get(desc.model.network)
    proc = procedures.get(procedure)
    # The one file a worker writes under the driver's output dir: the level's checkpoint, so a
    # task killed and retried (Ray's max_retries, a rerun sweep) resumes inside its level.
    # It is scratch, not a result: the driver never reads it, a finished level deletes it, and
    # one of another run is ignored. Where that dir is not on this node (a cluster without a
    # shared filesystem) no checkpoint is kept: interrupted levels restart, as before.
    keep = checkpoint_root is not None and os.path.isdir(checkpoint_root)
    # What the level prints (a checkpoint it resumes from or ignores) goes back with the
    # result: the driver shows it under the task's line (Ray does not forward worker output).
    printed = io.StringIO()
    try:
      with contextlib.redirect_stdout(printed):
        summaries = levels.run(proc, desc, _data(desc, network, data_dir), network, scratch,
                               [level], source_name='lottery', show_progress=False,
                               checkpoint_root=checkpoint_root, checkpoints_on=keep)
    except (NpzError, DatasetError, procedures.MissingSourceError, hparams.HparamsError,
            reference_format.FormatError) as e:  # FormatError: an --initial_weights file
      return dict(record, error=str(e).replace(scratch, output_dir_label),
                  seconds=time.time() - begin)
    run_dir = os.path.join(scratch, f'trial{desc.trial}', str(level),
                           proc.experiment_name(desc))
    notes = [line.replace(scratch, output_dir_label)
             for line in printed.getvalue().splitlines() if line.strip()]
    return dict(record, files=read_tree(run_dir, scratch), summary=summaries[0],
                notes=notes, seconds=time.time() - begin)
  finally:
    shutil.rmtree(scratch, ignore_errors=True)


def _node_id() -> str:
  try:
    import ray  # pylint: disable=g-import-not-at-top
    return ray.get_runtime_context().get_node_id()
  except Exception:  # pylint: disable=broad-except  (outside Ray: no node)
    return 'local'

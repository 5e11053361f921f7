"""Exports a trained winning ticket as a Keras SavedModel and TFLite flatbuffers.

  python -m lottery export --output_dir=runs --trial=1 --level=12 --format=saved_model,tflite

Rebuilds the level's trained network from final.npz (kernels), masks.npz and
final_biases.npz, strips it to stock tf_keras layers holding kernel * mask
(foundations.deploy), and writes into --export_dir (default <run dir>/export):
  saved_model/          the Keras SavedModel
  model_dense.tflite    TFLite, default conversion
  model_sparse.tflite   TFLite with sparse weight encoding (Optimize.EXPERIMENTAL_SPARSITY)
  export.json           file sizes, TFLite test accuracy against the stored one, latency
The TFLite test accuracy must equal the run's stored final test accuracy within
0.05 points; otherwise the export fails.
"""

import os
import shutil
import sys
import tempfile

from absl import flags
from absl import logging
import numpy as np

from foundations import cli
from foundations import paths
from foundations import save_restore
from lottery import environment
from lottery import networks
from lottery import procedure_command
from lottery import seeds

FORMATS = ('saved_model', 'tflite')
TOLERANCE_PP = 0.05



def make_flags() -> flags.FlagValues:
  """The command's flags (a private FlagValues: importing this module defines nothing global)."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('output_dir', 'runs', 'Root directory of the experiments.', flag_values=fv)
  flags.DEFINE_integer('trial', 1, 'Trial number.', flag_values=fv)
  flags.DEFINE_integer('level', None, 'Pruning level to export (its run must be finished).',
                       flag_values=fv)
  flags.DEFINE_string('experiment', 'lottery', 'Experiment (procedure) directory of the level.',
                      flag_values=fv)
  flags.DEFINE_list('format', list(FORMATS), f'What to write: some of {", ".join(FORMATS)}.',
                    flag_values=fv)
  flags.DEFINE_string('export_dir', None, 'Where to write (default: <run dir>/export).',
                      flag_values=fv)
  flags.DEFINE_string('data_dir', None, 'Verified dataset cache (default: $LTH_DATA_DIR or '
                      '~/.cache/lottery_ticket/data).', flag_values=fv)
  flags.DEFINE_integer('latency_examples', 1000, 'Test examples timed one at a time per model.',
                       flag_values=fv)
  cli.define_verbosity(fv)
  return fv


def _dir_bytes(path: str) -> int:
  return sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(path) for n in names)


def check_inputs(output_dir: str, trial: int, level: int, experiment: str, formats) -> str:
  """The level's run dir, or InputError (one line) if it cannot be exported."""
  unknown = [f for f in formats if f not in FORMATS]
  if unknown or not formats:
    raise procedure_command.InputError(f'--format={",".join(formats)}: expected some of {", ".join(FORMATS)}')
  if level is None:
    raise procedure_command.InputError('--level is required')
  run_dir = paths.run(output_dir, trial, level, experiment)
  if not os.path.exists(paths.summary(run_dir)):
    raise procedure_command.InputError(f'{run_dir}: level {level} is not finished; nothing to export')
  if not os.path.exists(paths.final_biases(run_dir)):
    raise procedure_command.InputError(
        f'{paths.final_biases(run_dir)}: missing; this run predates saving trained biases, so its '
        'trained network cannot be rebuilt (retrain the level to export it)')
  return run_dir


def _level_store(run_dir: str):
  """The store holding the level whose directory is `run_dir` (<trial dir>/<level>/<name>)."""
  from foundations import experiment  # pylint: disable=g-import-not-at-top
  level_dir, name = os.path.split(os.path.normpath(run_dir))
  return experiment.LevelStore(os.path.dirname(level_dir), None, name), int(
      os.path.basename(level_dir))


def rebuild(desc, network, run_dir: str):
  """The masked tf_keras model holding the level's trained kernels, masks and biases."""
  from foundations import masked_layers  # pylint: disable=g-import-not-at-top
  shapes = dict(network.shapes)
  store, level = _level_store(run_dir)  # a damaged file's error names the level to delete
  final = store.load_arrays(level, 'final', shapes)
  masks = store.load_arrays(level, 'masks', shapes)
  biases = store.load_arrays(level, 'final_biases')
  model = network.build(seeds.derive(desc.seed, desc.trial, 'model'), desc.model.dropout)
  masked_layers.set_weights_and_masks(model, final, masks, biases)
  return model


# What an export writes into --export_dir, export.json last: an export replaces all of them, so
# the folder never holds a file its export.json does not describe.
WRITTEN = ('saved_model', 'model_dense.tflite', 'model_sparse.tflite', 'export.json')


def _remove(path: str) -> None:
  if os.path.isdir(path) and not os.path.islink(path):
    shutil.rmtree(path)
  elif os.path.lexists(path):
    os.remove(path)


def _replace(staging: str, export_dir: str) -> None:
  """Moves the staged files into export_dir in place of the previous export's."""
  os.makedirs(export_dir, exist_ok=True)
  _remove(os.path.join(export_dir, 'export.json'))  # first out, last in
  for name in WRITTEN:
    target = os.path.join(export_dir, name)
    _remove(target)
    if os.path.lexists(os.path.join(staging, name)):
      os.replace(os.path.join(staging, name), target)


def export(output_dir: str, trial: int, level: int, experiment: str = 'lottery',
           formats=FORMATS, export_dir=None, data_dir=None, latency_examples: int = 1000,
           network=None, data=None) -> dict:
  """Writes the exports; returns export.json's contents. `network`/`data`: for tests.

  Everything is written into a staging folder beside export_dir and moved in only when all of
  it succeeded: a failed export leaves export_dir as it was (or absent).
  """
  run_dir = check_inputs(output_dir, trial, level, experiment, formats)
  desc = procedure_command.load_source_desc(output_dir, trial, experiment)
  network = network or networks.get(desc.model.network)
  from foundations import deploy  # pylint: disable=g-import-not-at-top
  export_dir = export_dir or os.path.join(run_dir, 'export')
  store, _ = _level_store(run_dir)
  summary = store.load_summary(level)
  plain = deploy.plain_model(rebuild(desc, network, run_dir))
  parent = os.path.dirname(os.path.abspath(export_dir))
  os.makedirs(parent, exist_ok=True)
  staging = tempfile.mkdtemp(prefix='.export-', dir=parent)
  try:
    info = _write(plain, desc, network, summary, run_dir, level, formats, staging, data,
                  data_dir, latency_examples)
    _replace(staging, export_dir)
  finally:
    shutil.rmtree(staging, ignore_errors=True)
  return info


def _write(plain, desc, network, summary, run_dir, level, formats, export_dir, data, data_dir,
           latency_examples) -> dict:
  """Writes the formats into export_dir; returns export.json's contents."""
  from foundations import deploy  # pylint: disable=g-import-not-at-top
  info = dict(run_dir=os.path.abspath(run_dir), level=level,
              percent_remaining=summary['percent_remaining'],
              stored_final_test_accuracy=summary['final_test_accuracy'])
  if 'saved_model' in formats:
    path = os.path.join(export_dir, 'saved_model')
    plain.save(path, save_format='tf')
    info['saved_model_bytes'] = _dir_bytes(path)
  if 'tflite' in formats:
    data = data or environment.load_data(desc, network, data_dir)
    x, y = data.x_test.astype(np.float32), data.y_test
    timed = x[:latency_examples]
    for kind in ('dense', 'sparse'):
      flatbuffer = deploy.tflite_bytes(plain, sparse=kind == 'sparse')
      save_restore.save_bytes(os.path.join(export_dir, f'model_{kind}.tflite'), flatbuffer)
      interpreter = deploy.Interpreter(flatbuffer)
      accuracy = float(np.mean(interpreter.predict(x).argmax(-1) == y))
      median, best = interpreter.latency(timed)
      info[f'tflite_{kind}'] = dict(bytes=len(flatbuffer), test_accuracy=accuracy,
                                    latency_us_median=median * 1e6, latency_us_min=best * 1e6)
      gap = abs(accuracy - summary['final_test_accuracy']) * 100
      if gap > TOLERANCE_PP:
        raise ValueError(f'{kind} TFLite test accuracy {accuracy:.4%} differs from the stored '
                         f'{summary["final_test_accuracy"]:.4%} by {gap:.3f} pp')
  save_restore.save_json(os.path.join(export_dir, 'export.json'), info)
  return info


def describe(info: dict) -> str:
  """Human-readable lines of export.json's contents."""
  lines = [f'level {info["level"]} (Pm {info["percent_remaining"]:.1f}%): stored final test '
           f'accuracy {info["stored_final_test_accuracy"]:.2%}']
  if 'saved_model_bytes' in info:
    lines.append(f'  SavedModel            {info["saved_model_bytes"]:>10,d} bytes')
  for kind in ('dense', 'sparse'):
    t = info.get(f'tflite_{kind}')
    if t:
      lines.append(f'  TFLite {kind:<6}         {t["bytes"]:>10,d} bytes   test accuracy '
                   f'{t["test_accuracy"]:.2%}   {t["latency_us_median"]:.1f} us/example')
  return '\n'.join(lines)


def main(argv) -> int:
  fv = make_flags()
  code = cli.parse_command(fv, argv, __doc__)
  if code is not None:  # --help shown (0), or a bad command line (1)
    return code
  logging.set_verbosity(logging.ERROR)  # SavedModel writing logs every shard at INFO
  a = {name: fv[name].value for name in fv}
  try:
    check_inputs(a['output_dir'], a['trial'], a['level'], a['experiment'], a['format'])
    # One thread, as the latency figures are per core.
    environment.configure_tensorflow(1, a['verbosity'])
    info = export(a['output_dir'], a['trial'], a['level'], a['experiment'], a['format'],
                  a['export_dir'], a['data_dir'], a['latency_examples'])
  except (procedure_command.InputError, ValueError, OSError) as e:  # NpzError is a ValueError
    print(f'error: {e}', file=sys.stderr)
    return 1
  print(describe(info))
  print(f'Wrote {a["export_dir"] or os.path.join(info["run_dir"], "export")}')
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

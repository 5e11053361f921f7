"""Conversion between our run layout and the TF1 reference code's (see lottery.reference_format).

Ours:   <output_dir>/trial<T>/<level>/<experiment>/{initial,masks,final,final_biases}.npz,
        metrics.csv, summary.json; <output_dir>/trial<T>/<experiment>.hparams.json
Theirs: <reference_dir>/<level>/<experiment>/{initial,masks,final}/<layer>.npy, *.log

`export_run` writes ours in their layout, plus what their layout has no place for and
their code ignores: final_biases/, summary.json and <experiment>.hparams.json.
`import_run` reads either back: with those extras a round trip gives every array and
metric exactly; without them (a run of the reference code itself) the description is
inferred, biases and wall time are unknown, and since the reference has no validation
split the early stop is the minimum test loss, flagged as `early_stop_fallback`.
"""

import os
import shutil
from typing import List, Optional

import numpy as np

from foundations import experiment as experiment_lib
from foundations import hparams
from foundations import paths
from foundations import pruning
from foundations import save_restore
from foundations.metrics import Metrics
from lottery import networks
from lottery import reference_format as ref

NAN = float('nan')


def _nan(value):
  """A metric, nan where it was not evaluated (None)."""
  return NAN if value is None else value


def _read_json(path: str) -> dict:
  """The JSON object in `path`; {} when there is no such file."""
  if not os.path.exists(path):
    return {}
  try:
    return save_restore.load_json(path, 'fix or delete it and import again')
  except save_restore.JsonError as e:
    raise ref.FormatError(str(e)) from None


def _hparams_path(reference_dir: str, name: str) -> str:
  return os.path.join(reference_dir, f'{name}.hparams.json')


def _refuse_existing(directory: str, what: str) -> None:
  if os.path.exists(directory):
    raise ref.FormatError(f'{directory}: already exists; {what} never writes over a run '
                          '(choose another directory)')


def export_run(output_dir: str, trial: int, experiment: str, reference_dir: str,
               reference_experiment: str) -> List[int]:
  """Writes every finished level of our run in the reference layout; returns the levels."""
  desc_path = paths.hparams(output_dir, trial, experiment)
  if not os.path.exists(desc_path):
    raise ref.FormatError(f'{desc_path}: no run found (expected our layout, '
                          'trial<T>/<experiment>.hparams.json)')
  flat = _read_json(desc_path)
  store = experiment_lib.LevelStore(output_dir, trial, experiment)
  levels = store.finished_levels()
  if not levels:
    raise ref.FormatError(f'{paths.trial(output_dir, trial)}: no finished level of {experiment!r}')
  for level in levels:
    _refuse_existing(os.path.join(reference_dir, str(level), reference_experiment), 'export')
  for level in levels:
    run_dir, out = store.run_dir(level), os.path.join(reference_dir, str(level),
                                                      reference_experiment)
    initial, masks, final = (save_restore.load_npz(f(run_dir))
                             for f in (paths.initial, paths.masks, paths.final))
    # Their initial/ holds theta_0 x mask from level 1 on; their masks are float64, none at 0.
    ref.write_array_dir(os.path.join(out, 'initial'),
                        initial if level == 0 else {k: initial[k] * masks[k] for k in initial})
    ref.write_array_dir(os.path.join(out, 'masks'), {} if level == 0 else
                        {k: v.astype(np.float64) for k, v in masks.items()})
    ref.write_array_dir(os.path.join(out, 'final'), final)
    ref.write_array_dir(os.path.join(out, 'final_biases'), store.load_final_biases(level))
    with open(paths.metrics(run_dir)) as f:
      rows = Metrics.from_csv(f.read()).rows
    ref.write_log(os.path.join(out, 'train.log'),
                  [(int(r['iteration']), r['train_loss'], r['train_accuracy']) for r in rows
                   if r['train_loss'] is not None], 'train')
    ref.write_log(os.path.join(out, 'test.log'),  # nan where the test set was not evaluated
                  [(int(r['iteration']), _nan(r['test_loss']), _nan(r['test_accuracy']))
                   for r in rows], 'test')
    ref.write_log(os.path.join(out, 'validate.log'),
                  [(int(r['iteration']), r['val_loss'], r['val_accuracy']) for r in rows
                   if r['val_loss'] is not None], 'validate')
    save_restore.save_json(os.path.join(out, 'summary.json'), store.load_summary(level))
  save_restore.save_json(_hparams_path(reference_dir, reference_experiment), flat)
  return levels


def metrics_from_logs(run_dir: str) -> Metrics:
  """Our per-evaluation rows from the reference logs.

  One row per iteration in test.log or validate.log; train_* are the means of the
  train.log lines since the previous row (nan when there are none, as at iteration 0).
  """
  logs = {name: {it: (loss, acc) for it, loss, acc in
                 ref.read_log(os.path.join(run_dir, f'{name}.log'))} for name in ref.LOGS}
  evals = sorted(set(logs['test']) | set(logs['validate']))
  if not evals:
    raise ref.FormatError(f'{os.path.join(run_dir, "test.log")}: no evaluations logged')
  train_its = np.array(sorted(logs['train']), dtype=np.int64)
  rows, previous = [], -1
  for it in evals:
    since = train_its[(train_its > previous) & (train_its <= it)]
    pairs = [logs['train'][int(i)] for i in since]
    row = dict(iteration=it,
               train_loss=sum(p[0] for p in pairs) / len(pairs) if pairs else None,
               train_accuracy=sum(p[1] for p in pairs) / len(pairs) if pairs else None)
    for split, key in (('validate', 'val'), ('test', 'test')):
      row[f'{key}_loss'], row[f'{key}_accuracy'] = logs[split].get(it, (None, None))
    # export_run logs nan where our trainer evaluated nothing: not evaluated again.
    rows.append({k: None if isinstance(v, float) and np.isnan(v) else v for k, v in row.items()})
    previous = it
  # Through the CSV form: the values our own files would hold (6 significant digits).
  return Metrics.from_csv(Metrics(rows).to_csv())


def _network_by_shapes(shapes) -> networks.Network:
  for name in networks.names():
    if dict(networks.get(name).shapes) == shapes:
      return networks.get(name)
  raise ref.FormatError(f'kernel shapes {shapes} match no registered network')


def infer_desc(reference_dir: str, name: str, shapes, levels: List[int], metrics: Metrics,
               dataset: Optional[str]) -> hparams.Desc:
  """Our description of a reference run: its network's `reference` preset, its length."""
  exported = _read_json(_hparams_path(reference_dir, name))  # written by export_run
  if exported:
    return hparams.from_flat(exported)
  network = _network_by_shapes(shapes)
  if dataset:
    networks.check_dataset(network, dataset)  # HparamsError
  desc = network.presets(0.0)['reference']
  iterations = metrics.column('iteration')
  every = int(iterations[1] - iterations[0]) if len(iterations) > 1 else int(iterations[-1])
  return desc.replace(training_iterations=int(iterations[-1]), eval_every=max(every, 1),
                      rounds=max(levels), dataset=dataset or network.dataset)


def import_run(reference_dir: str, output_dir: str, trial: int, experiment: str,
               reference_experiment: Optional[str] = None,
               dataset: Optional[str] = None) -> List[dict]:
  """Writes every level of a reference-layout run as our files; returns the summaries."""
  names = ref.experiment_names(reference_dir)
  name = reference_experiment or (names[0] if len(names) == 1 else None)
  if name is None:
    raise ref.FormatError(f'{reference_dir}: expected <level>/<experiment>/final/ with one '
                          f'experiment name, found {names or "none"}; give --reference_experiment')
  levels = ref.levels(reference_dir, name)
  if not levels or levels[0] != 0:
    raise ref.FormatError(f'{reference_dir}/0/{name}: level 0 not found')
  for level in levels:
    _refuse_existing(paths.run(output_dir, trial, level, experiment), 'import')
  runs = {lv: ref.run_files(os.path.join(reference_dir, str(lv), name)) for lv in levels}
  theta0 = {k: v.astype(np.float32) for k, v in runs[0][0].items()}
  shapes = {k: tuple(v.shape) for k, v in theta0.items()}
  desc = infer_desc(reference_dir, name, shapes, levels,
                    metrics_from_logs(os.path.join(reference_dir, '0', name)), dataset)
  desc = desc.replace(trial=trial, experiment_name=experiment)
  # Everything is read and checked first: a bad file refuses the import with nothing written.
  prepared = [_prepare_level(os.path.join(reference_dir, str(level), name), level, runs[level],
                             theta0, shapes) for level in levels]
  from lottery import levels as levels_lib  # pylint: disable=g-import-not-at-top
  hparams_path = paths.hparams(output_dir, trial, experiment)
  recorded_here = not os.path.exists(hparams_path)
  levels_lib.check_or_record_hparams(desc, output_dir)  # refuses a different run's directory
  written = []
  try:
    for level, (initial, masks, final, biases, metrics, summary) in zip(levels, prepared):
      out = paths.run(output_dir, trial, level, experiment)
      written.append(out)
      save_restore.save_npz(paths.initial(out), initial)
      save_restore.save_npz(paths.masks(out), masks)
      save_restore.save_npz(paths.final(out), final)
      if biases is not None:
        save_restore.save_npz(paths.final_biases(out), biases)
      save_restore.save_text(paths.metrics(out), metrics.to_csv())
      save_restore.save_json(paths.summary(out), summary)  # last: marks the level finished
  except BaseException:  # disk full, Ctrl-C: leave the folder as it was, so a retry is accepted
    for out in written:
      shutil.rmtree(out, ignore_errors=True)
    if recorded_here and os.path.exists(hparams_path):
      os.remove(hparams_path)
    raise
  return [p[-1] for p in prepared]


def _prepare_level(run_dir: str, level: int, files, theta0, shapes):
  """(initial, masks, final, biases, metrics, summary) of one reference level, checked."""
  initial, masks, final, biases = files
  masks = {k: np.asarray(masks[k] if masks else np.ones(shapes[k]), np.float32) for k in shapes}
  if any(not np.isin(m, (0, 1)).all() for m in masks.values()):
    raise ref.FormatError(f'{run_dir}/masks: values other than 0 and 1')
  initial = {k: np.asarray(v, np.float32) for k, v in initial.items()}
  # Their initial/ is theta_0 x mask from level 1 on: where it is, keep the whole theta_0.
  if all(np.array_equal(initial[k], theta0[k] * masks[k]) for k in shapes):
    initial = theta0
  metrics = metrics_from_logs(run_dir)
  wall = _read_json(os.path.join(run_dir, 'summary.json')).get('wall_seconds')
  summary = dict(metrics.summary(), level=level,
                 percent_remaining=pruning.percent_remaining(masks),
                 remaining=pruning.remaining_counts(masks), wall_seconds=wall,
                 imported_from=os.path.abspath(run_dir))
  if np.all(np.isnan(metrics.column('val_loss'))):
    summary['early_stop_fallback'] = 'no validation split: early stop at minimum test loss'
  final = {k: np.asarray(final[k], np.float32) for k in shapes}
  return initial, masks, final, biases, metrics, summary

"""Supermasks at initialisation: rows, parity with a plain forward pass, determinism, the command."""

import contextlib
import io
import os
import shutil

import numpy as np
from absl.testing import absltest

from foundations import hparams
from foundations import mask_criteria
from foundations import paths
from foundations import save_restore
from foundations import supermask
from lottery import supermask_init
from lottery.testing import tiny_run

LEVELS = [0, 1, 3]


def _tiny_two_trials():
  """The shared tiny run as trial 1 and, with the same weights, trial 2."""
  out = tiny_run.copy_of_shared_run()
  shutil.copytree(paths.trial(out, 1), paths.trial(out, 2))
  return out


def _evaluate(out, criteria, levels=LEVELS):
  x, y = (t.numpy() for t in tiny_run.tiny_splits().eval_sets()[1])
  return supermask_init.evaluate(out, 'lottery', [1, 2], criteria, levels, x, y,
                                 show_progress=False, get_network=lambda name: tiny_run.tiny_network())


def _main(*args):
  out, err = io.StringIO(), io.StringIO()
  with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = supermask_init.main(['lottery supermask', *args])
  return code, out.getvalue(), err.getvalue()


class EvaluateTest(absltest.TestCase):

  def test_one_row_per_trial_criterion_kind_level(self):
    out = _tiny_two_trials()
    criteria = mask_criteria.CRITERIA.names()
    rows = _evaluate(out, criteria)
    self.assertLen(rows, 2 * len(criteria) * 2 * len(LEVELS))
    self.assertEqual(len(set(r[:4] for r in rows)), len(rows))
    pm = {r[3]: r[4] for r in rows}
    self.assertEqual(pm[0], 100.0)
    self.assertAlmostEqual(pm[1], 100 * (346 + 77 + 29) / (36 * 12 + 12 * 8 + 8 * 4))
    # Level 0 keeps everything: the same network whatever the criterion.
    for kind in supermask.WEIGHT_KINDS:
      self.assertLen({r[5] for r in rows if r[3] == 0 and r[1] == kind and r[2] == 1}, 1)

  def test_accuracy_equals_a_keras_forward_pass(self):
    out = _tiny_two_trials()
    rows = _evaluate(out, ['large_final_same_sign'], [2])
    from foundations import masked_layers  # pylint: disable=g-import-not-at-top
    theta0 = tiny_run.load(out, 0, 'lottery', 'initial')
    final = tiny_run.load(out, 0, 'lottery', 'final')
    masks = supermask.one_shot_masks('large_final_same_sign', theta0, final, [2],
                                     tiny_run.PERCENTS)[0]
    x, y = (t.numpy() for t in tiny_run.tiny_splits().eval_sets()[1])
    model = tiny_run.tiny_network().build(0, 0.0)
    for kind in supermask.WEIGHT_KINDS:
      kernels = supermask.masked_kernels(kind, theta0, masks)
      masked_layers.set_weights_and_masks(model, dict(zip(theta0, kernels)), masks)
      expected = float(np.mean(np.argmax(model(x).numpy(), axis=1) == y))
      got = [r[5] for r in rows if r[1] == kind and r[2] == 1]
      self.assertEqual(got, [expected])

  def test_csv_and_figure_are_deterministic(self):
    out = _tiny_two_trials()
    criteria = ['large_final', 'random', 'movement']
    files = []
    for _ in range(2):
      rows = _evaluate(out, criteria)
      report = self.create_tempdir().full_path
      png = os.path.join(report, 'f.png')
      supermask_init.figure(rows, png)
      with open(png, 'rb') as f:
        files.append((supermask_init.to_csv(rows), f.read()))
    self.assertEqual(files[0], files[1])
    lines = files[0][0].splitlines()
    self.assertEqual(lines[0], 'criterion,weights,trial,level,percent_remaining,test_accuracy')
    self.assertLen(lines, 1 + 3 * 2 * 2 * len(LEVELS))


class CommandTest(absltest.TestCase):

  def _lenet_level0(self, out, trial=1):
    """A finished level 0 of LeNet-300-100 shapes (Glorot theta_0, perturbed 'final')."""
    rng = np.random.default_rng(trial)
    theta0 = supermask.glorot_fc(rng)
    final = {n: w + rng.normal(0, 0.05, w.shape).astype(np.float32) for n, w in theta0.items()}
    run_dir = paths.run(out, trial, 0, 'lottery')
    os.makedirs(run_dir)
    save_restore.save_npz(paths.initial(run_dir), theta0)
    save_restore.save_npz(paths.masks(run_dir), {n: np.ones_like(w) for n, w in theta0.items()})
    save_restore.save_npz(paths.final(run_dir), final)
    save_restore.save_json(paths.summary(run_dir), {'level': 0})
    save_restore.save_json(paths.hparams(out, trial, 'lottery'),
                           hparams.Desc(trial=trial, seed=trial).to_dict())

  def test_real_mnist_rows_and_files(self):
    out = self.create_tempdir().full_path
    for trial in (1, 2):
      self._lenet_level0(out, trial)
    report = os.path.join(out, 'report')
    code, stdout, stderr = _main(f'--output_dir={out}', '--levels=1-2,5',
                                 '--criteria=large_final,random', f'--report_dir={report}')
    self.assertEqual(code, 0, stderr)
    self.assertIn('24 evaluations on 10,000 test examples', stdout)
    with open(os.path.join(report, 'supermask_init.csv')) as f:
      lines = f.read().splitlines()
    self.assertLen(lines, 1 + 2 * 2 * 2 * 3)
    self.assertTrue(os.path.getsize(os.path.join(report, 'supermask_init.png')) > 0)
    record = save_restore.load_json(os.path.join(report, supermask_init.RUN_RECORD), '')
    self.assertEqual(record['command'], f'python -m lottery supermask --output_dir={out} '
                     f'--levels=1-2,5 --criteria=large_final,random --report_dir={report}')
    self.assertEqual((record['evaluations'], record['test_examples']), (24, 10000))
    self.assertGreater(record['wall_seconds'], 0)
    self.assertEqual(sorted(record), ['code_version', 'command', 'cpu', 'cpu_seconds',
                                      'evaluations', 'finished', 'test_examples', 'wall_seconds'])

  def test_bad_input_is_one_error_line(self):
    out = self.create_tempdir().full_path
    self._lenet_level0(out)
    missing = paths.run(out, 3, 0, 'lottery')
    cases = {
        ('--trials=1,3',): f'error: {missing}: level 0 of the \'lottery\' run is not finished; '
                           'train it first (python -m lottery train --rounds=0)',
        ('--levels=2-x',): 'error: --levels=2-x: expected numbers and ranges such as 1-24 or '
                           '0,4,8-12',
        ('--criteria=large_final,bogus',): 'error: --criteria: unknown criterion \'bogus\'',
    }
    for args, message in cases.items():
      code, _, stderr = _main(f'--output_dir={out}', *args)
      self.assertEqual(code, 1, stderr)
      self.assertLen(stderr.splitlines(), 1, stderr)
      self.assertTrue(stderr.startswith(message), stderr)
    empty = self.create_tempdir().full_path
    code, _, stderr = _main(f'--output_dir={empty}')
    self.assertEqual((code, stderr), (1, f'error: {empty}: no trial has a finished level 0 of the '
                                         '\'lottery\' run; train it first (python -m lottery '
                                         'train --rounds=0)\n'))
    self.assertFalse(os.path.exists(os.path.join(out, 'supermask_init')))


if __name__ == '__main__':
  absltest.main()

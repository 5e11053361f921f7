"""Learned supermasks on the tiny problem: files, summary, variants, and SIGKILL resume."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
from absl.testing import absltest

from foundations import paths
from foundations import save_restore
from lottery import levels
from lottery import procedures
from lottery.procedures import supermask
from lottery.testing import subprocess_run
from lottery.testing import tiny_run

ITERATIONS, EVAL_EVERY = 400, 100
FILES = ('initial', 'masks', 'final', 'final_biases')

# One run of a tiny learned-supermask procedure in a process of its own (argv: out, iterations).
SCRIPT = """
import sys
from lottery import environment
environment.configure_tensorflow(1)
from lottery import levels
from lottery.procedures import supermask
from lottery.testing import tiny_run
iterations = int(sys.argv[2])
proc = supermask.make('supermask_learned', False, False, iterations, iterations // 10)
levels.run(proc, tiny_run.DESC, tiny_run.tiny_splits(), tiny_run.tiny_network(), sys.argv[1],
           [0], show_progress=False)
"""


def _run(variant, out, iterations=ITERATIONS):
  signed, rescaled = supermask.VARIANTS[variant]
  proc = supermask.make(variant, signed, rescaled, iterations, EVAL_EVERY)
  return levels.run(proc, tiny_run.DESC, tiny_run.tiny_splits(), tiny_run.tiny_network(), out,
                    None, show_progress=False)


def _files(out, variant):
  run_dir = paths.run(out, 1, 0, variant)
  arrays = {what: save_restore.load_npz(getattr(paths, what)(run_dir)) for what in FILES}
  with open(paths.metrics(run_dir)) as f:
    metrics = f.read()
  with open(paths.summary(run_dir)) as f:
    summary = json.load(f)
  summary.pop('wall_seconds')
  return arrays, metrics, summary


def _forward_accuracy(kernels, x, y):
  h = x.astype(np.float64)
  for kernel in kernels[:-1]:
    h = np.maximum(h @ kernel.astype(np.float64), 0)
  return float(np.mean(np.argmax(h @ kernels[-1].astype(np.float64), axis=1) == y))


class SupermaskProcedureTest(absltest.TestCase):

  def test_registered_variants_use_the_authors_training(self):
    for name in supermask.VARIANTS:
      desc = procedures.get(name).describe(tiny_run.DESC)
      self.assertEqual((desc.training.training_iterations, desc.training.batch_size,
                        desc.training.optimizer, desc.training.learning_rate,
                        desc.training.eval_every), (440000, 250, 'momentum', 100.0, 2200))
      self.assertEqual(procedures.get(name).default_levels(desc, []), [0])

  def test_theta0_run_files_and_summary(self):
    out = self.create_tempdir().full_path
    summaries = _run('supermask_learned', out)
    self.assertLen(summaries, 1)
    arrays, metrics, summary = _files(out, 'supermask_learned')
    theta0 = tiny_run.load(tiny_run.shared_run(), 0, 'lottery', 'initial')
    for name, kernel in theta0.items():
      np.testing.assert_array_equal(arrays['initial'][name], kernel)
      mask = arrays['masks'][name]
      self.assertEqual(set(np.unique(mask).tolist()) <= {0.0, 1.0}, True)
      np.testing.assert_array_equal(arrays['final'][name], kernel * mask)
      np.testing.assert_array_equal(arrays['final_biases'][name], 0)
    self.assertLen(metrics.strip().splitlines(), 1 + ITERATIONS // EVAL_EVERY + 1)
    self.assertLen(summary['sampled_mask_test_accuracies'], supermask.TEST_SAMPLES)
    self.assertAlmostEqual(summary['sampled_mask_test_accuracy_mean'],
                           np.mean(summary['sampled_mask_test_accuracies']))
    x, y = (t.numpy() for t in tiny_run.tiny_splits().eval_sets()[1])
    self.assertEqual(summary['expected_mask_test_accuracy'],
                     _forward_accuracy(list(arrays['final'].values()), x, y))
    kept = sum(int(m.sum()) for m in arrays['masks'].values())
    total = sum(m.size for m in arrays['masks'].values())
    self.assertAlmostEqual(summary['expected_mask_percent_remaining'], 100 * kept / total)
    self.assertEqual(summary['percent_remaining'], summary['expected_mask_percent_remaining'])
    self.assertEqual(summary['final_iteration'], ITERATIONS)
    self.assertNotEqual(summary['keep_probability_percent'], 50.0)  # the scores moved
    # A learned mask over untrained weights beats chance (4 classes) on this problem.
    self.assertGreater(summary['sampled_mask_test_accuracy_mean'], 0.4)
    with open(paths.hparams(out, 1, 'supermask_learned')) as f:
      recorded = json.load(f)
    self.assertEqual((recorded['optimizer'], recorded['learning_rate'], recorded['batch_size']),
                     ('momentum', 100.0, 250))
    # Deterministic: a second run in this process writes the same files.
    again = self.create_tempdir().full_path
    _run('supermask_learned', again)
    got = _files(again, 'supermask_learned')
    for what in FILES:
      for name in theta0:
        np.testing.assert_array_equal(got[0][what][name], arrays[what][name])
    self.assertEqual(got[1:], (metrics, summary))

  def test_signed_constants_with_and_without_rescaling(self):
    theta0 = tiny_run.load(tiny_run.shared_run(), 0, 'lottery', 'initial')
    for variant in ('supermask_learned_signed', 'supermask_learned_signed_rescaled'):
      out = self.create_tempdir().full_path
      _run(variant, out, iterations=200)
      arrays, _, summary = _files(out, variant)
      self.assertEqual(summary['dynamic_weight_rescaling'], variant.endswith('rescaled'))
      for name, w in theta0.items():
        sigma = np.float32(np.std(w))
        np.testing.assert_array_equal(np.abs(arrays['initial'][name]), sigma)
        np.testing.assert_array_equal(np.sign(arrays['initial'][name]), np.sign(w))
        mask = arrays['masks'][name]
        scale = mask.size / mask.sum() if variant.endswith('rescaled') else 1.0
        np.testing.assert_allclose(arrays['final'][name],
                                   arrays['initial'][name] * mask * np.float32(scale), rtol=1e-6)

  def test_only_level_zero(self):
    out = self.create_tempdir().full_path
    proc = supermask.make('supermask_learned', False, False, 100, 50)
    with self.assertRaisesRegex(procedures.MissingSourceError,
                                r'^supermask_learned: level 2: a learned supermask has one level'):
      levels.run(proc, tiny_run.DESC, tiny_run.tiny_splits(), tiny_run.tiny_network(), out, [2],
                 show_progress=False)


class SupermaskResumeTest(absltest.TestCase):

  def test_sigkill_mid_level_then_rerun_matches_uninterrupted_run(self):
    iterations = 20000
    reference, interrupted = (self.create_tempdir().full_path for _ in range(2))

    def start(out, **kwargs):
      return subprocess.Popen([sys.executable, '-c', SCRIPT, out, str(iterations)],
                              cwd=subprocess_run.REPO, env=subprocess_run.env(), **kwargs)

    complete = start(reference, stderr=subprocess.PIPE, text=True)
    self.addCleanup(complete.kill)
    proc = start(interrupted, stderr=subprocess.DEVNULL)
    self.addCleanup(proc.kill)
    run_dir = paths.run(interrupted, 1, 0, 'supermask_learned')
    deadline = time.time() + 300
    while not os.path.exists(paths.tensorboard(run_dir)) and proc.poll() is None:
      self.assertLess(time.time(), deadline)
      time.sleep(0.05)
    time.sleep(0.5)  # training has begun; the level takes several seconds
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    self.assertEqual(proc.returncode, -signal.SIGKILL)
    self.assertFalse(os.path.exists(paths.summary(run_dir)), 'the level finished before the kill')
    _, stderr = complete.communicate(timeout=600)
    self.assertEqual(complete.returncode, 0, stderr)
    resumed = start(interrupted, stderr=subprocess.PIPE, text=True)
    _, stderr = resumed.communicate(timeout=600)
    self.assertEqual(resumed.returncode, 0, stderr)
    expected, got = _files(reference, 'supermask_learned'), _files(interrupted, 'supermask_learned')
    for what in FILES:
      for name, array in expected[0][what].items():
        np.testing.assert_array_equal(got[0][what][name], array, err_msg=f'{what} {name}')
    self.assertEqual(got[1:], expected[1:])


if __name__ == '__main__':
  absltest.main()

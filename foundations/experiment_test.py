"""The one level loop with fake callables (no TensorFlow): order, files, resume, failures."""

import os
import subprocess
import sys

import numpy as np
from absl.testing import absltest

from foundations import experiment
from foundations import paths
from foundations import save_restore


def summary(level: int) -> dict:
  """A complete summary.json of `level` (the store refuses one lacking SUMMARY_KEYS)."""
  return dict(dict.fromkeys(experiment.SUMMARY_KEYS, 0.5), level=level)


class Interrupt(Exception):
  pass


def fake_start(level):
  return experiment.Start({'w': np.full((2, 3), level, np.float32)},
                          {'w': np.ones((2, 3), np.float32)})


class Recorder:
  """Fake start/train functions recording their calls; train fails at `fail_at`."""

  def __init__(self, fail_at=None):
    self.started, self.trained, self.fail_at = [], [], fail_at

  def start(self, level):
    self.started.append(level)
    return fake_start(level)

  def train(self, start, level, run_dir):
    self.trained.append((level, os.path.basename(os.path.dirname(run_dir))))
    if level == self.fail_at:
      raise Interrupt()
    final = {k: v * 2 for k, v in start.initial.items()}
    return experiment.Result(final, {'w': np.zeros(3, np.float32)}, 'iteration\n0\n',
                             summary(level))


class ExperimentLoopTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.out = self.create_tempdir().full_path
    self.store = experiment.LevelStore(self.out, 1, 'fake')

  def test_levels_in_order_with_every_file(self):
    rec = Recorder()
    calls = []
    summaries = experiment.experiment([0, 1, 2], self.store, rec.start, rec.train,
                                      on_level=lambda *a: calls.append(a))
    self.assertEqual(rec.started, [0, 1, 2])
    self.assertEqual(rec.trained, [(0, '0'), (1, '1'), (2, '2')])
    self.assertEqual(summaries, [summary(0), summary(1), summary(2)])
    self.assertEqual(calls, [(0, summary(0), False), (1, summary(1), False),
                             (2, summary(2), False)])
    d = self.store.run_dir(2)
    self.assertEqual(sorted(os.listdir(d)), ['final.npz', 'final_biases.npz', 'initial.npz',
                                             'masks.npz', 'metrics.csv', 'summary.json'])
    np.testing.assert_array_equal(save_restore.load_npz(paths.final(d))['w'], np.full((2, 3), 4))
    self.assertEqual(self.store.finished_levels(), [0, 1, 2])

  def test_masks_changed_by_training_are_the_ones_saved(self):
    # Gradual pruning decides the masks while training: the result's masks win over the start's.
    pruned = {'w': np.array([[1, 0, 1], [0, 0, 1]], np.float32)}

    def train(start, level, run_dir):
      del run_dir
      return experiment.Result(start.initial, {'w': np.zeros(3, np.float32)}, '', summary(level),
                               masks=pruned)

    experiment.experiment([0], self.store, fake_start, train)
    saved = save_restore.load_npz(paths.masks(self.store.run_dir(0)))['w']
    np.testing.assert_array_equal(saved, pruned['w'])

  def test_finished_levels_are_verified_and_kept_not_recomputed(self):
    experiment.experiment([0, 1], self.store, Recorder().start, Recorder().train)
    mtime = os.stat(paths.final(self.store.run_dir(1))).st_mtime_ns
    rec, verified, calls = Recorder(), [], []
    summaries = experiment.experiment([0, 1, 2], self.store, rec.start, rec.train,
                                      verify_level=verified.append,
                                      on_level=lambda *a: calls.append(a))
    self.assertEqual((rec.started, verified), ([2], [0, 1]))
    self.assertEqual([c[2] for c in calls], [True, True, False])
    self.assertEqual(summaries[1], summary(1))
    self.assertEqual(os.stat(paths.final(self.store.run_dir(1))).st_mtime_ns, mtime)

  def test_a_failed_level_leaves_no_summary_and_the_rerun_resumes_there(self):
    with self.assertRaises(Interrupt):
      experiment.experiment([0, 1, 2], self.store, Recorder().start, Recorder(fail_at=1).train)
    self.assertEqual(self.store.finished_levels(), [0])
    self.assertFalse(os.path.exists(paths.summary(self.store.run_dir(1))))
    os.makedirs(paths.tensorboard(self.store.run_dir(1)))  # leftovers of the failed attempt
    open(os.path.join(paths.tensorboard(self.store.run_dir(1)), 'events'), 'w').close()
    rec = Recorder()
    experiment.experiment([0, 1, 2], self.store, rec.start, rec.train)
    self.assertEqual(rec.started, [1, 2])
    self.assertFalse(os.path.exists(paths.tensorboard(self.store.run_dir(1))))

  def test_a_failing_verification_stops_before_any_training(self):
    experiment.experiment([0], self.store, Recorder().start, Recorder().train)

    def refuse(level):
      raise save_restore.NpzError(f'level {level} is corrupt')

    rec = Recorder()
    with self.assertRaisesRegex(save_restore.NpzError, 'level 0 is corrupt'):
      experiment.experiment([0, 1], self.store, rec.start, rec.train, verify_level=refuse)
    self.assertEqual(rec.started, [])

  def test_listing_trials_experiments_and_finished_levels(self):
    self.assertEqual(experiment.trials(self.out), [])
    experiment.experiment([0, 1], self.store, Recorder().start, Recorder().train)
    other = experiment.LevelStore(self.out, 3, 'other')
    experiment.experiment([0], other, Recorder().start, Recorder().train)
    os.makedirs(other.run_dir(1))  # started, not finished: listed as an experiment, not a level
    os.makedirs(os.path.join(self.out, 'trial_notes'))  # not a trial
    open(paths.hparams(self.out, 1, 'fake'), 'w').close()  # a file beside the levels
    self.assertEqual(experiment.trials(self.out), [1, 3])
    self.assertEqual(experiment.experiment_names(self.out, 1), ['fake'])
    self.assertEqual(experiment.experiment_names(self.out, 3), ['other'])
    self.assertEqual(experiment.experiment_names(self.out, 2), [])
    self.assertEqual(other.finished_levels(), [0])
    self.assertEqual((other.is_finished(0), other.is_finished(1)), (True, False))
    self.assertEqual(experiment.LevelStore(self.out, 2, 'fake').finished_levels(), [])
    # A trial directory of any name (trial=None) reads the same levels.
    renamed = os.path.join(self.out, 'imported')
    os.rename(paths.trial(self.out, 1), renamed)
    store = experiment.LevelStore(renamed, None, 'fake')
    self.assertEqual(store.finished_levels(), [0, 1])
    self.assertEqual(store.run_dir(1), os.path.join(renamed, '1', 'fake'))
    self.assertEqual(store.load_summary(1), summary(1))

  def test_the_loop_needs_no_tensorflow(self):
    code = 'import sys; from foundations import experiment; print("tensorflow" in sys.modules)'
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    self.assertEqual(result.stdout.strip(), 'False')


if __name__ == '__main__':
  absltest.main()

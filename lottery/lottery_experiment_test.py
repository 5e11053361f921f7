"""The iterative lottery loop on a tiny generated problem: files, counts, reset, resume."""

import os

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')

import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf

from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery import lottery_experiment
from lottery import testing_util

SHAPES, PERCENTS, HP = testing_util.SHAPES, testing_util.PERCENTS, testing_util.HP


class Interrupt(Exception):
  pass


class LotteryExperimentTest(tf.test.TestCase):

  def run_experiment(self, output_dir, hp=HP):
    return lottery_experiment.run(hp, testing_util.tiny_splits(), testing_util.tiny_network(),
                                  output_dir, show_progress=False)

  def load(self, output_dir, level, what):
    run_dir = paths.run(output_dir, 1, level, 'lottery')
    return save_restore.load_npz(getattr(paths, what)(run_dir), SHAPES)

  def test_levels_write_files_reset_to_theta0_and_prune_exact_counts(self):
    out = self.create_tempdir().full_path
    summaries = self.run_experiment(out)
    self.assertEqual([s['level'] for s in summaries], [0, 1, 2, 3])
    initial0 = self.load(out, 0, 'initial')
    previous = None
    for level in range(4):
      run_dir = paths.run(out, 1, level, 'lottery')
      for name in ('initial.npz', 'final.npz', 'masks.npz', 'metrics.csv', 'summary.json'):
        self.assertTrue(os.path.exists(os.path.join(run_dir, name)), (level, name))
      self.assertTrue(os.listdir(paths.tensorboard(run_dir)))
      initial, masks, final = (self.load(out, level, w) for w in ('initial', 'masks', 'final'))
      for name, shape in SHAPES.items():
        np.testing.assert_array_equal(initial[name], initial0[name])
        self.assertEqual(int(masks[name].sum()),
                         pruning.expected_remaining(int(np.prod(shape)), PERCENTS[name], level))
        self.assertTrue(np.all(final[name][masks[name] == 0] == 0))
        if previous is not None:
          self.assertTrue(np.all(masks[name] <= previous[name]))
      previous = masks
      self.assertAlmostEqual(summaries[level]['percent_remaining'],
                             pruning.percent_remaining(masks))
    metrics = open(paths.metrics(paths.run(out, 1, 3, 'lottery'))).read().splitlines()
    self.assertEqual(metrics[0], 'iteration,train_loss,train_accuracy,val_loss,val_accuracy,'
                                 'test_loss,test_accuracy')
    self.assertEqual([int(line.split(',')[0]) for line in metrics[1:]], [0, 20, 40, 60])
    self.assertTrue(os.path.exists(paths.results_table(out, 1, 'lottery')))

  def test_interrupted_run_resumes_and_matches_uninterrupted(self):
    reference_dir = self.create_tempdir().full_path
    self.run_experiment(reference_dir)

    out = self.create_tempdir().full_path
    original = lottery_experiment.make_level_trainer

    def crashing_trainer(*args, **kwargs):
      train_model = original(*args, **kwargs)

      def train(model, level, run_dir):
        if level == 2:
          raise Interrupt()
        return train_model(model, level, run_dir)
      return train

    lottery_experiment.make_level_trainer = crashing_trainer
    try:
      with self.assertRaises(Interrupt):
        self.run_experiment(out)
    finally:
      lottery_experiment.make_level_trainer = original
    finished = [paths.final(paths.run(out, 1, level, 'lottery')) for level in (0, 1)]
    mtimes = [os.stat(p).st_mtime_ns for p in finished]
    self.assertFalse(os.path.exists(paths.summary(paths.run(out, 1, 2, 'lottery'))))

    summaries = self.run_experiment(out)
    self.assertEqual(len(summaries), 4)
    self.assertEqual([os.stat(p).st_mtime_ns for p in finished], mtimes)
    for level in range(4):
      for what in ('masks', 'final'):
        expected = self.load(reference_dir, level, what)
        got = self.load(out, level, what)
        for name in SHAPES:
          np.testing.assert_array_equal(got[name], expected[name], err_msg=f'{level} {what}')

  def test_other_hyperparameters_are_refused_without_touching_results(self):
    out = self.create_tempdir().full_path
    self.run_experiment(out, HP.replace(rounds=0))
    final = paths.final(paths.run(out, 1, 0, 'lottery'))
    before = open(final, 'rb').read()
    with self.assertRaisesRegex(lottery_experiment.ResultsMismatchError, 'learning_rate'):
      self.run_experiment(out, HP.replace(rounds=0, learning_rate=0.5))
    self.assertEqual(open(final, 'rb').read(), before)
    # More rounds with the same settings extend the experiment.
    self.assertLen(self.run_experiment(out, HP.replace(rounds=1)), 2)
    self.assertEqual(open(final, 'rb').read(), before)

  def test_corrupt_finished_level_gives_error_naming_file(self):
    out = self.create_tempdir().full_path
    self.run_experiment(out, HP.replace(rounds=0))
    masks = paths.masks(paths.run(out, 1, 0, 'lottery'))
    with open(masks, 'wb') as f:
      f.write(b'not an npz')
    with self.assertRaisesRegex(save_restore.NpzError, 'masks.npz: unreadable npz'):
      self.run_experiment(out, HP.replace(rounds=1))
    self.assertEqual(open(masks, 'rb').read(), b'not an npz')


if __name__ == '__main__':
  tf.test.main()

"""Running a procedure's levels on a tiny generated problem: files, counts, reset, resume."""

import dataclasses
import json
import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery import level_models
from lottery import levels
from lottery import procedures
from lottery.testing import tiny_run

SHAPES, PERCENTS, DESC = tiny_run.SHAPES, tiny_run.PERCENTS, tiny_run.DESC


class Interrupt(Exception):
  pass


def load(output_dir, level, what, name='lottery'):
  return save_restore.load_npz(getattr(paths, what)(paths.run(output_dir, 1, level, name)),
                               None if what == 'final_biases' else SHAPES)


class LotteryLevelsTest(tf.test.TestCase):
  """Reads the shared tiny run (levels 0..3); tests that write use their own directories."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.shared = tiny_run.shared_run()

  def test_levels_write_files_reset_to_theta0_and_prune_exact_counts(self):
    out = self.shared
    initial0 = load(out, 0, 'initial')
    previous = None
    for level in range(4):
      run_dir = paths.run(out, 1, level, 'lottery')
      for name in ('initial.npz', 'final.npz', 'final_biases.npz', 'masks.npz', 'metrics.csv',
                   'summary.json'):
        self.assertTrue(os.path.exists(os.path.join(run_dir, name)), (level, name))
      self.assertTrue(os.listdir(paths.tensorboard(run_dir)))
      initial, masks, final = (load(out, level, w) for w in ('initial', 'masks', 'final'))
      for name, shape in SHAPES.items():
        np.testing.assert_array_equal(initial[name], initial0[name])
        self.assertEqual(int(masks[name].sum()),
                         pruning.expected_remaining(int(np.prod(shape)), PERCENTS[name], level))
        self.assertTrue(np.all(final[name][masks[name] == 0] == 0))
        if previous is not None:
          self.assertTrue(np.all(masks[name] <= previous[name]))
      self.assertEqual({k: v.shape for k, v in load(out, level, 'final_biases').items()},
                       {'layer0': (12,), 'layer1': (8,), 'layer2': (4,)})
      previous = masks
      with open(paths.summary(run_dir)) as f:
        self.assertIn(f'"percent_remaining": {pruning.percent_remaining(masks)}', f.read())
    metrics = open(paths.metrics(paths.run(out, 1, 3, 'lottery'))).read().splitlines()
    self.assertEqual(metrics[0], 'iteration,train_loss,train_accuracy,val_loss,val_accuracy,'
                                 'test_loss,test_accuracy')
    self.assertEqual([int(line.split(',')[0]) for line in metrics[1:]], [0, 20, 40, 60])
    self.assertTrue(os.path.exists(paths.results_table(out, 1, 'lottery')))

  def test_tensorboard_holds_every_metric_except_nans(self):
    run_dir = paths.run(self.shared, 1, 3, 'lottery')
    written = {}
    for name in os.listdir(paths.tensorboard(run_dir)):
      for event in tf.compat.v1.train.summary_iterator(
          os.path.join(paths.tensorboard(run_dir), name)):
        for value in event.summary.value:
          written[event.step, value.tag] = float(tf.make_ndarray(value.tensor))
    expected = {}
    with open(paths.metrics(run_dir)) as f:
      header, *rows = f.read().splitlines()
    for row in rows:
      row = dict(zip(header.split(','), row.split(',')))
      for key, value in row.items():
        if key != 'iteration' and value not in ('', 'nan'):
          split, what = key.split('_')
          expected[int(row['iteration']), f'{split}/{what}'] = float(value)
    self.assertLen(expected, 4 * 6 - 2)  # train loss and accuracy are NaN at iteration 0
    self.assertEqual(sorted(written), sorted(expected))
    keys = sorted(expected)  # metrics.csv holds 6 significant digits
    np.testing.assert_allclose([written[k] for k in keys], [expected[k] for k in keys], rtol=1e-5)

  def test_interrupted_run_resumes_and_matches_uninterrupted(self):
    out = self.create_tempdir().full_path
    original = levels.make_train_level

    def crashing(*args, **kwargs):
      train_level = original(*args, **kwargs)

      def train(start, level, run_dir):
        if level == 2:
          raise Interrupt()
        return train_level(start, level, run_dir)
      return train

    levels.make_train_level = crashing
    try:
      with self.assertRaises(Interrupt):
        tiny_run.run('lottery', out)
    finally:
      levels.make_train_level = original
    finished = [paths.final(paths.run(out, 1, level, 'lottery')) for level in (0, 1)]
    mtimes = [os.stat(p).st_mtime_ns for p in finished]
    self.assertFalse(os.path.exists(paths.summary(paths.run(out, 1, 2, 'lottery'))))
    summaries = tiny_run.run('lottery', out)
    self.assertLen(summaries, 4)
    self.assertEqual([os.stat(p).st_mtime_ns for p in finished], mtimes)
    for level in range(4):
      for what in ('masks', 'final', 'final_biases'):
        expected, got = load(self.shared, level, what), load(out, level, what)
        for name in SHAPES:
          np.testing.assert_array_equal(got[name], expected[name], err_msg=f'{level} {what}')

  def test_other_hyperparameters_are_refused_and_more_rounds_extend(self):
    out = tiny_run.copy_of_shared_run()
    final = paths.final(paths.run(out, 1, 0, 'lottery'))
    before = open(final, 'rb').read()
    with self.assertRaisesRegex(levels.ResultsMismatchError, r'\(learning_rate\)'):
      tiny_run.run('lottery', out, DESC.replace(learning_rate=0.5))
    self.assertEqual(open(final, 'rb').read(), before)
    self.assertLen(tiny_run.run('lottery', out, DESC.replace(rounds=4)), 5)
    self.assertEqual(open(final, 'rb').read(), before)
    self.assertEqual(pruning.remaining_counts(load(out, 4, 'masks'))['layer2'],
                     pruning.expected_remaining(32, 10.0, 4))

  def test_data_given_as_a_function_is_loaded_only_when_a_level_must_run(self):
    out = tiny_run.copy_of_shared_run()
    calls = []

    def data():  # what the runner passes: it starts TensorFlow and loads the dataset
      calls.append(1)
      return tiny_run.tiny_splits()

    run = lambda desc: levels.run(procedures.get('lottery'), desc, data,
                                  tiny_run.tiny_network(), out, show_progress=False)
    self.assertLen(run(DESC), 4)  # levels 0..3, all finished earlier
    self.assertEqual(calls, [])
    self.assertLen(run(DESC.replace(rounds=5)), 6)  # levels 4 and 5 train: one load
    self.assertEqual(calls, [1])
    np.testing.assert_array_equal(load(out, 4, 'masks')['layer2'],
                                  load(tiny_run.shared_run(), 3, 'masks')['layer2'] *
                                  load(out, 4, 'masks')['layer2'])  # pruned from level 3's mask

  def test_corrupt_finished_level_gives_error_naming_file(self):
    out = tiny_run.copy_of_shared_run()
    masks = paths.masks(paths.run(out, 1, 1, 'lottery'))
    with open(masks, 'wb') as f:
      f.write(b'not an npz')
    with self.assertRaisesRegex(save_restore.NpzError, 'masks.npz: unreadable npz'):
      tiny_run.run('lottery', out, DESC.replace(rounds=4))
    self.assertEqual(open(masks, 'rb').read(), b'not an npz')
    self.assertFalse(os.path.exists(paths.run(out, 1, 4, 'lottery')))

  def test_the_procedure_declares_directory_rewind_point_and_training(self):
    # levels.run reads these from the procedure, whatever its name.
    modes = []

    def training(models, start):
      modes.append(start.prune_to)
      return dataclasses.replace(level_models.fixed_masks(models, start),
                                 summary_extra={'mode': 'custom'})

    custom = dataclasses.replace(procedures.get('lottery'), name='custom', training=training,
                                 rewind_point=lambda desc, level: 20 if level == 1 else None)
    out = self.create_tempdir().full_path
    levels.run(custom, DESC.replace(rounds=1, experiment_name='mine'), tiny_run.tiny_splits(),
               tiny_run.tiny_network(), out, show_progress=False)
    self.assertEqual(os.listdir(os.path.join(out, 'trial1', '0')), ['mine'])
    self.assertEqual(modes, [None, None])
    for level in (0, 1):
      run_dir = paths.run(out, 1, level, 'mine')
      self.assertEqual(os.path.exists(paths.rewind(run_dir)), level == 1)
      with open(paths.summary(run_dir)) as f:
        self.assertEqual(json.load(f)['mode'], 'custom')
    unnamed = dataclasses.replace(custom, named_by_desc=False)
    self.assertEqual(unnamed.experiment_name(DESC.replace(experiment_name='mine')), 'custom')


class LazyTestEvaluationTest(tf.test.TestCase):
  """--test_eval=needed: the test set only where the summary or Figure 3 reads it."""

  def test_same_summaries_and_weights_as_evaluating_everything(self):
    from foundations import trainer  # pylint: disable=g-import-not-at-top
    from foundations.metrics import Metrics  # pylint: disable=g-import-not-at-top
    # The tiny run is short: shrink Figure 3's range so that lazy evaluation has points to skip.
    saved, trainer.CURVE_ITERATIONS = trainer.CURVE_ITERATIONS, 40
    try:
      desc = DESC.replace(training_iterations=400, eval_every=10, rounds=0)
      runs = {}
      for mode in ('all', 'needed'):
        out = self.create_tempdir().full_path
        summaries = tiny_run.run('lottery', out, desc.replace(test_eval=mode))
        runs[mode] = (out, summaries)
    finally:
      trainer.CURVE_ITERATIONS = saved
    (all_out, all_summaries), (lazy_out, lazy_summaries) = runs['all'], runs['needed']
    for a, b in zip(all_summaries, lazy_summaries):
      a.pop('wall_seconds'), b.pop('wall_seconds')
      self.assertEqual(a, b)
    for level in (0,):
      for what in ('final', 'masks'):
        for layer, array in load(all_out, level, what).items():
          np.testing.assert_array_equal(array, load(lazy_out, level, what)[layer])
      with open(paths.metrics(paths.run(lazy_out, 1, level, 'lottery'))) as f:
        lazy = Metrics.from_csv(f.read())
      with open(paths.metrics(paths.run(all_out, 1, level, 'lottery'))) as f:
        full = Metrics.from_csv(f.read())
      np.testing.assert_array_equal(lazy.column('val_loss'), full.column('val_loss'))
      test = lazy.column('test_accuracy')
      skipped = np.isnan(test)
      self.assertGreater(int(skipped.sum()), 5)  # it did skip
      self.assertFalse(skipped[lazy.column('iteration') <= 40].any())
      self.assertFalse(skipped[-1])
      np.testing.assert_array_equal(test[~skipped], full.column('test_accuracy')[~skipped])


if __name__ == '__main__':
  tf.test.main()

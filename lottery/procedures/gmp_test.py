"""gmp: one training run from theta_0, pruned by tfmot to each level's exact per-layer counts."""

import json

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import paths
from foundations import pruning
from foundations.metrics import Metrics
from lottery.testing import tiny_run

SHAPES, load = tiny_run.SHAPES, tiny_run.load
# 60 iterations: mask updates at steps 6, 16, 26, 36; the last 24 steps train the sparse net.
DESC = tiny_run.DESC.replace(gmp_frequency=10)

from lottery import procedures  # pylint: disable=g-import-not-at-top,g-bad-import-order


class GmpTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.out = tiny_run.copy_of_shared_run()
    cls.level0, *cls.summaries = tiny_run.run('gmp', cls.out, DESC, level_list=[0, 1, 3])

  def test_masks_hit_the_lottery_levels_counts_exactly(self):
    for level in (1, 3):
      masks = load(self.out, level, 'gmp', 'masks')
      final = load(self.out, level, 'gmp', 'final')
      lottery_masks = load(self.out, level, 'lottery', 'masks')
      for layer, shape in SHAPES.items():
        keep = pruning.expected_remaining(int(np.prod(shape)), tiny_run.PERCENTS[layer],
                                          level)
        self.assertEqual(int(masks[layer].sum()), keep, (level, layer))
        self.assertEqual(int(lottery_masks[layer].sum()), keep)
        self.assertEqual(int(np.count_nonzero(final[layer])), keep)
        self.assertTrue(np.all(final[layer][masks[layer] == 0] == 0))

  def test_starts_from_the_lottery_runs_theta0_unpruned(self):
    theta0 = load(self.out, 0, 'lottery', 'initial')
    for level in (1, 3):
      initial = load(self.out, level, 'gmp', 'initial')
      for layer in SHAPES:
        np.testing.assert_array_equal(initial[layer], theta0[layer])

  def test_early_stop_is_chosen_once_the_sparsity_is_reached(self):
    for level, summary in zip((1, 3), self.summaries):
      self.assertEqual(summary['gmp_schedule'], {'begin': 6, 'end': 36, 'frequency': 10})
      self.assertGreaterEqual(summary['early_stop_iteration'], 36)
      with open(paths.metrics(paths.run(self.out, 1, level, 'gmp'))) as f:
        rows = Metrics.from_csv(f.read()).rows
      self.assertEqual([r['iteration'] for r in rows], [0, 20, 40, 60])
      self.assertAlmostEqual(summary['percent_remaining'], pruning.percent_remaining(
          load(self.out, level, 'gmp', 'masks')))

  def test_level_0_prunes_nothing_and_may_stop_early_anywhere(self):
    self.assertEqual(self.level0['percent_remaining'], 100.0)
    with open(paths.metrics(paths.run(self.out, 1, 0, 'gmp'))) as f:
      unrestricted = Metrics.from_csv(f.read()).summary(first_stop=1)
    self.assertEqual(self.level0['early_stop_iteration'], unrestricted['early_stop_iteration'])

  def test_results_repeat_exactly(self):
    again = tiny_run.copy_of_shared_run()
    tiny_run.run('gmp', again, DESC, level_list=[3])
    for what in ('masks', 'final', 'final_biases'):
      a, b = load(self.out, 3, 'gmp', what), load(again, 3, 'gmp', what)
      for layer in a:
        np.testing.assert_array_equal(a[layer], b[layer])

  def test_records_its_schedule_hyperparameters(self):
    with open(paths.hparams(self.out, 1, 'gmp')) as f:
      stored = json.load(f)
    self.assertEqual((stored['gmp_begin'], stored['gmp_end'], stored['gmp_frequency']),
                     (0.1, 0.6, 10))

  def test_global_pruning_is_refused_with_one_line(self):
    out = tiny_run.copy_of_shared_run()
    with self.assertRaisesRegex(procedures.MissingSourceError,
                                'gmp level 2: gradual pruning follows the layer-wise, exact-rule '
                                'lottery run; got --pruning=global --pruning_rule=exact'):
      tiny_run.run('gmp', out, DESC.replace(pruning_scope='global', experiment_name='g'),
                       level_list=[2])

  def test_is_registered_without_dependencies(self):
    self.assertEqual(procedures.get('gmp').requires(5), [])


if __name__ == '__main__':
  tf.test.main()

"""lottery: late resetting to iteration k and global pruning (the shared run covers the rest)."""

import os

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')

import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf

from foundations import pruning
from lottery import testing_util

SHAPES, DESC = testing_util.SHAPES, testing_util.DESC

load = testing_util.load


class LotteryVariantsTest(tf.test.TestCase):

  def test_late_resetting_restores_exact_iteration_k_weights(self):
    out, only_k = self.create_tempdir().full_path, self.create_tempdir().full_path
    testing_util.run('lottery', out, DESC.replace(rounds=2, rewind_iteration=30,
                                                  experiment_name='rewind30'))
    # A level-0 run stopped at iteration 30 holds exactly the weights to rewind to.
    testing_util.run('lottery', only_k, DESC.replace(rounds=0, training_iterations=30))
    at_k = load(only_k, 0, 'lottery', 'final')
    rewind = load(out, 0, 'rewind30', 'rewind')
    theta0 = load(out, 0, 'rewind30', 'initial')
    for name in SHAPES:
      np.testing.assert_array_equal(rewind[name], at_k[name])
      self.assertFalse(np.array_equal(rewind[name], theta0[name]))
    for level in (1, 2):
      initial, masks = load(out, level, 'rewind30', 'initial'), load(out, level, 'rewind30', 'masks')
      for name in SHAPES:
        np.testing.assert_array_equal(initial[name], rewind[name])
        self.assertTrue(np.all(load(out, level, 'rewind30', 'final')[name][masks[name] == 0] == 0))

  def test_global_pruning_removes_exactly_p_percent_of_all_weights(self):
    out = self.create_tempdir().full_path
    testing_util.run('lottery', out, DESC.replace(rounds=2, pruning_scope='global'))
    remaining = sum(int(np.prod(s)) for s in SHAPES.values())
    for level in (1, 2):
      remaining -= round(0.2 * remaining)
      masks = load(out, level, 'lottery', 'masks')
      self.assertEqual(sum(pruning.remaining_counts(masks).values()), remaining)


if __name__ == '__main__':
  tf.test.main()

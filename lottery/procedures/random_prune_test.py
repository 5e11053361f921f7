"""random_prune: a random mask with exactly the ticket's per-layer counts, reset to theta_0."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import pruning
from lottery.testing import tiny_run

SHAPES, DESC = tiny_run.SHAPES, tiny_run.DESC

load = tiny_run.load


class RandomPruneTest(tf.test.TestCase):

  def test_keeps_per_layer_counts_and_theta0(self):
    out = tiny_run.copy_of_shared_run()
    tiny_run.run('random_prune', out, level_list=[2, 3])
    theta0 = load(out, 0, 'lottery', 'initial')
    for level in (2, 3):
      source = load(out, level, 'lottery', 'masks')
      masks = load(out, level, 'random_prune', 'masks')
      self.assertEqual(pruning.remaining_counts(masks), pruning.remaining_counts(source))
      self.assertFalse(all(np.array_equal(masks[n], source[n]) for n in SHAPES))
      initial = load(out, level, 'random_prune', 'initial')
      for name in SHAPES:
        np.testing.assert_array_equal(initial[name], theta0[name])

  def test_second_draw_is_independent_with_the_same_counts(self):
    out = tiny_run.copy_of_shared_run()
    tiny_run.run('random_prune', out, level_list=[3])
    tiny_run.run('random_prune2', out, level_list=[3])
    first, second = load(out, 3, 'random_prune', 'masks'), load(out, 3, 'random_prune2', 'masks')
    self.assertEqual(pruning.remaining_counts(first), pruning.remaining_counts(second))
    self.assertFalse(np.array_equal(first['layer0'], second['layer0']))


if __name__ == '__main__':
  tf.test.main()

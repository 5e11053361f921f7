"""one_shot: level 0's trained weights pruned once to the iterative counts, reset to theta_0."""

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import pruning
from lottery.testing import tiny_run

SHAPES, DESC = tiny_run.SHAPES, tiny_run.DESC

load = tiny_run.load


class OneShotTest(tf.test.TestCase):

  def test_prunes_level0_final_weights_to_iterative_counts(self):
    out = tiny_run.copy_of_shared_run()
    tiny_run.run('one_shot', out, level_list=[3])
    masks, final0 = load(out, 3, 'one_shot', 'masks'), load(out, 0, 'lottery', 'final')
    theta0, initial = load(out, 0, 'lottery', 'initial'), load(out, 3, 'one_shot', 'initial')
    for name, shape in SHAPES.items():
      keep = pruning.expected_remaining(int(np.prod(shape)), tiny_run.PERCENTS[name], 3)
      self.assertEqual(int(masks[name].sum()), keep)
      kept, dropped = np.abs(final0[name][masks[name] > 0]), np.abs(final0[name][masks[name] == 0])
      self.assertGreaterEqual(kept.min(), dropped.max())
      np.testing.assert_array_equal(initial[name], theta0[name])


if __name__ == '__main__':
  tf.test.main()

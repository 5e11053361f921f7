"""lottery: late resetting to iteration k and global pruning (the shared run covers the rest)."""

import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import pruning
from lottery.testing import tiny_run

SHAPES, DESC = tiny_run.SHAPES, tiny_run.DESC

load = tiny_run.load


class LotteryVariantsTest(tf.test.TestCase):

  def test_late_resetting_restores_exact_iteration_k_weights(self):
    out, only_k = self.create_tempdir().full_path, self.create_tempdir().full_path
    tiny_run.run('lottery', out, DESC.replace(rounds=2, rewind_iteration=30,
                                                  experiment_name='rewind30'))
    # A level-0 run stopped at iteration 30 holds exactly the weights to rewind to.
    tiny_run.run('lottery', only_k, DESC.replace(rounds=0, training_iterations=30))
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

  def test_initial_weights_from_our_npz_or_a_reference_initial_directory(self):
    theta0 = load(tiny_run.shared_run(), 0, 'lottery', 'initial')
    npz_path = os.path.join(tiny_run.shared_run(), 'trial1', '0', 'lottery', 'initial.npz')
    reference_initial = self.create_tempdir().full_path  # <layer>.npy files, float64 here
    for name, kernel in theta0.items():
      np.save(os.path.join(reference_initial, f'{name}.npy'), kernel.astype(np.float64))
    for path in (npz_path, reference_initial):
      out = self.create_tempdir().full_path
      # Another seed: only the data order differs from the shared run, never theta_0.
      tiny_run.run('lottery', out, DESC.replace(rounds=1, seed=7, initial_weights=path))
      for level in (0, 1):
        got = load(out, level, 'lottery', 'initial')
        for name in SHAPES:
          self.assertEqual(got[name].dtype, np.float32)
          np.testing.assert_array_equal(got[name], theta0[name])

  def test_global_pruning_removes_exactly_p_percent_of_all_weights(self):
    out = self.create_tempdir().full_path
    tiny_run.run('lottery', out, DESC.replace(rounds=2, pruning_scope='global'))
    remaining = sum(int(np.prod(s)) for s in SHAPES.values())
    for level in (1, 2):
      remaining -= round(0.2 * remaining)
      masks = load(out, level, 'lottery', 'masks')
      self.assertEqual(sum(pruning.remaining_counts(masks).values()), remaining)


if __name__ == '__main__':
  tf.test.main()

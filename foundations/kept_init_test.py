"""Starting values of kept weights: values, signs and permutation properties of each action."""

import numpy as np
from absl.testing import absltest

from foundations import kept_init

THETA0 = np.array([[0.5, -0.1, 0.3], [-0.4, 0.2, -0.7]], np.float32)
MASK = np.array([[1, 1, 0], [1, 0, 1]], np.float32)
FRESH = np.array([[-0.05, 0.6, 0.9], [0.25, -0.8, 0.15]], np.float32)
KEPT = MASK != 0


class KeptInitTest(absltest.TestCase):

  def _run(self, action, seed=0, **kwargs):
    return kept_init.initial_weights(action, THETA0, MASK, fresh=FRESH,
                                     rng=np.random.default_rng(seed), **kwargs)

  def test_every_action_zeroes_pruned_positions_and_keeps_dtype(self):
    for action in kept_init.ACTIONS:
      with self.subTest(action=action):
        out = self._run(action)
        self.assertEqual(out.dtype, np.float32)
        self.assertEqual(out.shape, THETA0.shape)
        np.testing.assert_array_equal(out[~KEPT], 0)

  def test_rewind_and_fresh_copy_their_source(self):
    np.testing.assert_array_equal(self._run('rewind'), THETA0 * MASK)
    np.testing.assert_array_equal(self._run('fresh'), FRESH * MASK)

  def test_signed_fresh_takes_fresh_magnitudes_and_original_signs(self):
    np.testing.assert_array_equal(self._run('signed_fresh'),
                                  np.float32([[0.05, -0.6, 0], [-0.25, 0, -0.15]]))

  def test_reshuffle_permutes_the_kept_values_among_kept_positions(self):
    outs = [self._run('reshuffle', seed) for seed in range(20)]
    for out in outs:
      self.assertEqual(sorted(out[KEPT].tolist()), sorted(THETA0[KEPT].tolist()))
    # Some seed moves values (4 kept values: 24 orders).
    self.assertTrue(any(not np.array_equal(o, THETA0 * MASK) for o in outs))

  def test_signed_reshuffle_keeps_each_sign_and_permutes_magnitudes(self):
    outs = [self._run('signed_reshuffle', seed) for seed in range(20)]
    for out in outs:
      np.testing.assert_array_equal(np.sign(out[KEPT]), np.sign(THETA0[KEPT]))
      self.assertEqual(sorted(np.abs(out[KEPT]).tolist()),
                       sorted(np.abs(THETA0[KEPT]).tolist()))
    self.assertTrue(any(not np.array_equal(o, THETA0 * MASK) for o in outs))

  def test_signed_constant_is_sign_times_layer_std(self):
    sigma = np.std(THETA0)
    np.testing.assert_allclose(self._run('signed_constant'),
                               np.sign(THETA0) * MASK * sigma, rtol=1e-6)
    np.testing.assert_array_equal(self._run('signed_constant', sigma=0.5),
                                  [[0.5, -0.5, 0], [-0.5, 0, -0.5]])

  def test_signed_constant_sigma_is_about_glorot_std(self):
    rng = np.random.default_rng(0)
    fan_in, fan_out = 300, 100
    theta0 = rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), (fan_in, fan_out))
    self.assertAlmostEqual(kept_init.signed_constant_sigma(theta0),
                           np.sqrt(2 / (fan_in + fan_out)), delta=0.001)

  def test_rand_signed_constant_permutes_the_layer_signs(self):
    rng = np.random.default_rng(1)
    theta0 = rng.standard_normal((30, 20)).astype(np.float32)
    mask = np.ones_like(theta0)
    out = kept_init.initial_weights('rand_signed_constant', theta0, mask,
                                    rng=np.random.default_rng(2), sigma=0.25)
    self.assertEqual(set(np.unique(out).tolist()), {-0.25, 0.25})
    self.assertEqual(int((out > 0).sum()), int((theta0 > 0).sum()))  # same share of +
    self.assertLess(np.mean(np.sign(out) == np.sign(theta0)), 0.7)   # signs are not theta0's

  def test_deterministic_given_the_generator(self):
    for action in kept_init.ACTIONS:
      np.testing.assert_array_equal(self._run(action, 7), self._run(action, 7))

  def test_layer_permutation_keeps_the_values(self):
    out = kept_init.layer_permutation(THETA0, np.random.default_rng(0))
    self.assertEqual(sorted(out.ravel().tolist()), sorted(THETA0.ravel().tolist()))

  def test_missing_inputs_and_unknown_action_raise(self):
    with self.assertRaisesRegex(ValueError, "'fresh' needs a fresh draw"):
      kept_init.initial_weights('fresh', THETA0, MASK)
    with self.assertRaisesRegex(ValueError, "'reshuffle' needs a numpy Generator"):
      kept_init.initial_weights('reshuffle', THETA0, MASK)
    with self.assertRaisesRegex(ValueError, "unknown kept-weight action 'rewound'"):
      kept_init.initial_weights('rewound', THETA0, MASK)
    with self.assertRaisesRegex(ValueError, 'shapes differ'):
      kept_init.initial_weights('rewind', THETA0, MASK.T)


if __name__ == '__main__':
  absltest.main()

"""Frozen values of pruned weights for each mask-0 action."""

import numpy as np
from absl.testing import absltest

from foundations import pruned_weights

MASK = np.array([1, 0, 0, 0, 1, 0], np.float32)
THETA0 = np.array([0.5, -0.4, 0.3, 0.2, -0.1, -0.25], np.float32)
# Pruned weights 1 and 2 shrank (|w_f| < |w_i|), 3 grew, 5 kept its magnitude (flipped sign).
W_FINAL = np.array([0.9, 0.1, -0.05, 0.6, 0.3, 0.25], np.float32)


class FrozenValuesTest(absltest.TestCase):

  def test_zero_freezes_nothing(self):
    out = pruned_weights.frozen_values('zero', MASK, THETA0, W_FINAL)
    np.testing.assert_array_equal(out, np.zeros(6))
    self.assertEqual(out.dtype, np.float32)

  def test_freeze_init_holds_every_pruned_weight_at_theta0(self):
    np.testing.assert_array_equal(
        pruned_weights.frozen_values('freeze_init', MASK, THETA0, W_FINAL),
        np.float32([0, -0.4, 0.3, 0.2, 0, -0.25]))

  def test_freeze_init_zero_mask_zeroes_the_pruned_weights_that_shrank(self):
    # 1 and 2 shrank: 0. 3 grew and 5 tied in magnitude: frozen at theta0.
    np.testing.assert_array_equal(
        pruned_weights.frozen_values('freeze_init_zero_mask', MASK, THETA0, W_FINAL),
        np.float32([0, 0, 0, 0.2, 0, -0.25]))

  def test_effective_kernel_combines_trained_and_frozen(self):
    frozen = pruned_weights.frozen_values('freeze_init', MASK, THETA0, W_FINAL)
    kernel = np.float32([1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(pruned_weights.effective_kernel(kernel, MASK, frozen),
                                  np.float32([1, -0.4, 0.3, 0.2, 5, -0.25]))

  def test_bad_input_raises(self):
    with self.assertRaisesRegex(ValueError, "unknown pruned-weight action 'freeze'"):
      pruned_weights.frozen_values('freeze', MASK, THETA0, W_FINAL)
    with self.assertRaisesRegex(ValueError, 'shapes differ'):
      pruned_weights.frozen_values('zero', MASK[:5], THETA0, W_FINAL)


if __name__ == '__main__':
  absltest.main()

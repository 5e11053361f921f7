"""Mask criteria: kept sets on a hand-made layer, exact counts, parity with pruning.py."""

import numpy as np
from absl.testing import absltest

from foundations import mask_criteria
from foundations import pruning

# Six weights. |w_i| = .5 .1 .3 .4 .2 .65; |w_f| = .1 .9 .6 .05 .7 .3;
# the signs of weights 2, 3 and 5 flip in training.
W_INIT = np.array([0.5, -0.1, 0.3, -0.4, 0.2, 0.65], np.float32)
W_FINAL = np.array([0.1, -0.9, -0.6, 0.05, 0.7, -0.3], np.float32)

# Kept positions after pruning 50% (3 of 6) by each criterion, worked out by hand.
KEPT_AT_50 = {
    'large_final': [1, 2, 4],               # |w_f| .9 .6 .7
    'small_final': [0, 3, 5],               # |w_f| .1 .05 .3
    'large_init': [0, 3, 5],                # |w_i| .5 .4 .65
    'small_init': [1, 2, 4],                # |w_i| .1 .3 .2
    'magnitude_increase': [1, 2, 4],        # .8 .3 .5 (the others shrink)
    'movement': [1, 2, 5],                  # .8 .9 .95
    'large_final_same_sign': [0, 1, 4],     # flipped weights score 0 and go first
    'large_final_diff_sign': [2, 3, 5],     # .6 .05 .3 among the flipped
    # Scores -.4 .8 0 0 .5 0: the flipped weights (0) outrank weight 0, which
    # kept its sign but shrank; of the three zeros, position 5 is the last to go.
    'magnitude_increase_same_sign': [1, 4, 5],
    'magnitude_increase_diff_sign': [1, 2, 4],  # 0 0 .3 -.35 0 -.35
    # Ranks from the largest |w_i|: 1 5 3 2 4 0; |w_f|: 4 0 2 5 1 3; max: 4 5 3 5 4 3.
    # 2 and 5 (max 3), then the tie at 4 between 0 and 4 goes by position.
    'large_init_large_final': [2, 4, 5],
    # Ranks from the smallest: |w_i| 4 0 2 3 1 5; |w_f| 1 5 3 0 4 2; max 4 5 3 3 4 5:
    # 2 and 3, then of the tie at 4 weight 0 goes first (position).
    'small_init_small_final': [2, 3, 4],
}


def _kept(mask):
  return np.flatnonzero(mask).tolist()


class HandMadeLayerTest(absltest.TestCase):

  def test_every_criterion_keeps_the_expected_weights(self):
    mask = np.ones(6, np.float32)
    for criterion, kept in KEPT_AT_50.items():
      with self.subTest(criterion=criterion):
        new = mask_criteria.prune_layer_by(criterion, 50, mask, W_INIT, W_FINAL)
        self.assertEqual(_kept(new), kept)
        self.assertEqual(new.dtype, mask.dtype)

  def test_both_large_keeps_the_intersection_of_the_two_top_sets(self):
    # Pruning 4 of 6: the top 4 of |w_i| {5,0,3,2} and of |w_f| {1,4,2,5} share {2,5}.
    new = mask_criteria.prune_count_by('large_init_large_final', 4, np.ones(6), W_INIT, W_FINAL)
    self.assertEqual(_kept(new), [2, 5])
    # The smallest 4 of |w_i| {1,4,2,3} and of |w_f| {3,0,5,2} share {2,3}.
    new = mask_criteria.prune_count_by('small_init_small_final', 4, np.ones(6), W_INIT, W_FINAL)
    self.assertEqual(_kept(new), [2, 3])

  def test_ranks_are_over_survivors_and_pruned_weights_stay_pruned(self):
    mask = np.array([1, 0, 1, 1, 1, 1], np.float32)
    # Among survivors, ranks of |w_i|: 0:1 2:3 3:2 4:4 5:0; of |w_f|: 0:3 2:1 3:4 4:0 5:2.
    # Max 3 3 4 4 2: weights 3 and 4 go; top 4 of both = {5,0,3,2} & {4,2,5,0} = {0,2,5}.
    new = mask_criteria.prune_layer_by('large_init_large_final', 40, mask, W_INIT, W_FINAL)
    self.assertEqual(_kept(new), [0, 2, 5])
    new = mask_criteria.prune_layer_by('large_final', 40, mask, W_INIT, W_FINAL)
    self.assertEqual(_kept(new), [2, 4, 5])  # weight 1 (|w_f| .9) stays pruned

  def test_random_needs_a_generator_and_is_deterministic_given_it(self):
    with self.assertRaisesRegex(ValueError, "'random' needs a numpy Generator"):
      mask_criteria.prune_layer_by('random', 50, np.ones(6), W_INIT, W_FINAL)
    a = mask_criteria.prune_layer_by('random', 50, np.ones(6), W_INIT, W_FINAL,
                                     np.random.default_rng(3))
    b = mask_criteria.prune_layer_by('random', 50, np.ones(6), W_INIT, W_FINAL,
                                     np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    self.assertEqual(int(a.sum()), 3)

  def test_unknown_criterion_names_the_flag(self):
    with self.assertRaisesRegex(ValueError, '--mask_criterion=biggest: expected one of'):
      mask_criteria.prune_layer_by('biggest', 50, np.ones(6), W_INIT, W_FINAL)

  def test_count_beyond_survivors_raises(self):
    with self.assertRaisesRegex(ValueError, 'cannot prune 7 of 6 surviving weights'):
      mask_criteria.prune_count_by('large_final', 7, np.ones(6), W_INIT, W_FINAL)


class RandomLayerTest(absltest.TestCase):

  def test_counts_for_every_criterion_and_percent(self):
    rng = np.random.default_rng(0)
    w_init = rng.standard_normal((40, 30)).astype(np.float32)
    w_final = w_init + rng.standard_normal((40, 30)).astype(np.float32)
    mask = (rng.random((40, 30)) < 0.7).astype(np.float32)
    survivors = int(mask.sum())
    for criterion in mask_criteria.CRITERIA.names():
      for percent in (0, 10, 20, 33.3, 50, 90, 100):
        with self.subTest(criterion=criterion, percent=percent):
          new = mask_criteria.prune_layer_by(criterion, percent, mask, w_init, w_final,
                                             np.random.default_rng(1))
          self.assertTrue(np.all(new <= mask))
          self.assertEqual(int(new.sum()), survivors - round(percent / 100 * survivors))

  def test_large_final_is_bit_identical_to_prune_layer_exact(self):
    rng = np.random.default_rng(5)
    for trial in range(10):
      shape = (int(rng.integers(1, 60)), int(rng.integers(1, 60)))
      w_final = rng.standard_normal(shape).astype(np.float32)
      if trial % 2:
        w_final = np.round(w_final, 1)  # many ties
      mask = (rng.random(shape) < rng.random()).astype(np.float32)
      for percent in (10, 20, 37.5, 80):
        expected = pruning.prune_layer(percent, mask, w_final, rule='exact')
        actual = mask_criteria.prune_layer_by('large_final', percent, mask,
                                              rng.standard_normal(shape), w_final)
        self.assertEqual(actual.dtype, expected.dtype)
        self.assertEqual(actual.tobytes(), expected.tobytes())

  def test_the_sign_variants_prune_flipped_weights_first(self):
    rng = np.random.default_rng(2)
    w_init = rng.standard_normal(500)
    w_final = w_init + rng.standard_normal(500)
    flipped = np.sign(w_init) != np.sign(w_final)
    count = int(flipped.sum()) - 5
    new = mask_criteria.prune_count_by('large_final_same_sign', count, np.ones(500), w_init,
                                       w_final)
    self.assertTrue(np.all(new[~flipped] == 1))
    new = mask_criteria.prune_count_by('large_final_diff_sign', int((~flipped).sum()),
                                       np.ones(500), w_init, w_final)
    np.testing.assert_array_equal(new, flipped)


class GlobalTest(absltest.TestCase):

  def _layers(self, seed):
    rng = np.random.default_rng(seed)
    shapes = {'layer0': (30, 20), 'layer1': (20, 10), 'layer2': (10, 4)}
    w_init = {n: rng.standard_normal(s).astype(np.float32) for n, s in shapes.items()}
    w_final = {n: np.round(rng.standard_normal(s), 2).astype(np.float32) for n, s in shapes.items()}
    masks = {n: (rng.random(s) < 0.8).astype(np.float32) for n, s in shapes.items()}
    return masks, w_init, w_final

  def test_large_final_matches_prune_global(self):
    for seed in range(4):
      masks, w_init, w_final = self._layers(seed)
      for percent in (20, 50, 75):
        expected = pruning.prune_global(percent, masks, w_final)
        actual = mask_criteria.prune_global_by('large_final', percent, masks, w_init, w_final)
        self.assertEqual(list(actual), list(expected))
        for name in masks:
          self.assertEqual(actual[name].tobytes(), expected[name].tobytes())

  def test_global_counts_for_every_criterion(self):
    masks, w_init, w_final = self._layers(7)
    survivors = sum(int(m.sum()) for m in masks.values())
    for criterion in mask_criteria.CRITERIA.names():
      with self.subTest(criterion=criterion):
        new = mask_criteria.prune_global_by(criterion, 30, masks, w_init, w_final,
                                            np.random.default_rng(0))
        self.assertEqual(sum(int(m.sum()) for m in new.values()),
                         survivors - round(0.3 * survivors))
        for name in masks:
          self.assertTrue(np.all(new[name] <= masks[name]))


if __name__ == '__main__':
  absltest.main()

"""Tests of layer-wise, global and reference-rule magnitude pruning."""

import numpy as np
from absl.testing import absltest

from foundations import mask_criteria
from foundations import pruning


class PruneLayerTest(absltest.TestCase):

  def test_removes_exactly_rounded_count_of_smallest_survivors(self):
    weights = np.arange(1, 11, dtype=np.float32).reshape(2, 5) * np.array([1, -1] * 5).reshape(2, 5)
    mask = np.ones((2, 5), np.float32)
    new = pruning.prune_layer(20, mask, weights)
    self.assertEqual(int(new.sum()), 8)
    np.testing.assert_array_equal(new.reshape(-1)[:2], [0, 0])  # |1|, |2| are the smallest

  def test_ignores_already_pruned_weights_and_only_loses_ones(self):
    rng = np.random.RandomState(0)
    weights = rng.randn(50, 40).astype(np.float32)
    mask = (rng.rand(50, 40) > 0.5).astype(np.float32)
    new = pruning.prune_layer(25, mask, weights)
    self.assertTrue(np.all(new <= mask))
    self.assertEqual(int(new.sum()), int(mask.sum()) - round(0.25 * mask.sum()))
    # Every survivor outweighs every newly pruned weight.
    dropped = (mask - new) > 0
    self.assertGreaterEqual(np.abs(weights[new > 0]).min(), np.abs(weights[dropped]).max())

  def test_iterated_counts_match_round_p_times_remaining(self):
    rng = np.random.RandomState(1)
    masks = {'layer0': np.ones((784, 300), np.float32), 'layer1': np.ones((300, 100), np.float32),
             'layer2': np.ones((100, 10), np.float32)}
    percents = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}
    expected = {'layer0': [235200, 188160, 150528, 120422], 'layer1': [30000, 24000, 19200, 15360],
                'layer2': [1000, 900, 810, 729]}
    for k in range(1, 4):
      weights = {n: rng.randn(*m.shape).astype(np.float32) for n, m in masks.items()}
      masks = pruning.prune_by_percent(percents, masks, weights)
      counts = pruning.remaining_counts(masks)
      for name in masks:
        self.assertEqual(counts[name], expected[name][k])
        self.assertEqual(counts[name], pruning.expected_remaining(masks[name].size,
                                                                  percents[name], k))
    self.assertAlmostEqual(pruning.percent_remaining(masks), 51.3, places=1)

  def test_reference_rule_removes_one_more_than_exact(self):
    weights = np.linspace(1, 2, 100).astype(np.float32)
    mask = np.ones(100, np.float32)
    self.assertEqual(int(pruning.prune_layer(20, mask, weights, 'reference').sum()), 79)
    self.assertEqual(int(pruning.prune_layer(20, mask, weights, 'exact').sum()), 80)

  def test_unknown_rule_raises(self):
    with self.assertRaisesRegex(ValueError, 'unknown pruning rule'):
      pruning.prune_layer(20, np.ones(4), np.ones(4), 'bogus')


class GlobalAndRoundsTest(absltest.TestCase):

  def test_global_removes_exactly_p_percent_of_all_survivors(self):
    rng = np.random.RandomState(2)
    masks = {'a': np.ones((30, 20), np.float32), 'b': (rng.rand(20, 7) > 0.3).astype(np.float32)}
    weights = {'a': rng.randn(30, 20) * 0.1, 'b': rng.randn(20, 7)}
    before = sum(pruning.remaining_counts(masks).values())
    new = pruning.prune_global(20, masks, weights)
    self.assertEqual(sum(pruning.remaining_counts(new).values()), before - round(0.2 * before))
    for n in masks:
      self.assertTrue(np.all(new[n] <= masks[n]))
    # Smaller-magnitude layer 'a' loses a larger share than layer-wise pruning would.
    self.assertLess(pruning.remaining_counts(new)['a'] / 600, 0.8)

  def test_global_strategy_reads_only_the_percents_it_is_given(self):
    rng = np.random.RandomState(3)
    masks = {'a': np.ones((10, 6), np.float32), 'b': np.ones((6, 4), np.float32)}
    weights = {'a': rng.randn(10, 6), 'b': rng.randn(6, 4)}
    for percent in (20.0, 35.0):
      new = pruning.STRATEGIES['global']('exact', {'a': percent, 'b': percent}, masks, weights)
      expected = pruning.prune_global(percent, masks, weights)
      for n in masks:
        np.testing.assert_array_equal(new[n], expected[n])
      self.assertEqual(sum(pruning.remaining_counts(new).values()), 84 - round(percent / 100 * 84))
    with self.assertRaisesWithLiteralMatch(
        ValueError, 'global pruning takes one rate for every layer; got [10.0, 20.0]'):
      pruning.STRATEGIES['global']('exact', {'a': 20.0, 'b': 10.0}, masks, weights)

  def test_layerwise_strategy_prunes_each_layer_at_its_percent(self):
    masks = {'a': np.ones((10, 10), np.float32), 'b': np.ones((5, 4), np.float32)}
    weights = {'a': np.arange(100.0).reshape(10, 10), 'b': np.arange(20.0).reshape(5, 4)}
    new = pruning.STRATEGIES['layerwise']('exact', {'a': 30.0, 'b': 10.0}, masks, weights)
    self.assertEqual(pruning.remaining_counts(new), {'a': 70, 'b': 18})

  def test_rounds_to_reach_smallest_figure3_ticket(self):
    shapes = {'layer0': (784, 300), 'layer1': (300, 100), 'layer2': (100, 10)}
    percents = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}
    self.assertEqual(pruning.rounds_to_reach(1.9, shapes, percents), 18)
    self.assertEqual(pruning.rounds_to_reach(51.3, shapes, percents), 3)


class CriterionStrategyTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    rng = np.random.RandomState(3)
    self.masks = {'a': (rng.rand(20, 10) > 0.3).astype(np.float32),
                  'b': np.ones((10, 4), np.float32)}
    self.initial = {n: rng.randn(*m.shape).astype(np.float32) for n, m in self.masks.items()}
    self.final = {n: rng.randn(*m.shape).astype(np.float32) for n, m in self.masks.items()}

  def test_large_final_is_the_magnitude_path_and_others_score_by_the_criterion(self):
    for scope, percents in (('layerwise', {'a': 20.0, 'b': 10.0}), ('global', {'a': 20.0,
                                                                             'b': 20.0})):
      default = pruning.STRATEGIES[scope]('exact', percents, self.masks, self.final)
      named = pruning.STRATEGIES[scope]('exact', percents, self.masks, self.final,
                                        'large_final', self.initial)
      for n in self.masks:
        np.testing.assert_array_equal(default[n], named[n])
      moved = pruning.STRATEGIES[scope]('exact', percents, self.masks, self.final, 'movement',
                                        self.initial)
      if scope == 'layerwise':
        wanted = {n: mask_criteria.prune_layer_by('movement', percents[n], self.masks[n],
                                                  self.initial[n], self.final[n])
                  for n in self.masks}
      else:
        wanted = mask_criteria.prune_global_by('movement', 20.0, self.masks, self.initial,
                                               self.final)
      for n in self.masks:
        np.testing.assert_array_equal(moved[n], wanted[n])
      self.assertEqual(sum(int(m.sum()) for m in moved.values()),
                       sum(int(m.sum()) for m in default.values()))
      self.assertFalse(all(np.array_equal(moved[n], default[n]) for n in self.masks))

  def test_random_follows_its_generator_and_other_criteria_need_the_initial_weights(self):
    draw = lambda seed: pruning.STRATEGIES['layerwise'](  # pylint: disable=g-long-lambda
        'exact', {'a': 50.0, 'b': 50.0}, self.masks, self.final, 'random', self.initial,
        np.random.default_rng(seed))
    np.testing.assert_array_equal(draw(1)['a'], draw(1)['a'])
    self.assertFalse(np.array_equal(draw(1)['a'], draw(2)['a']))
    with self.assertRaisesRegex(ValueError, "mask criterion 'movement' needs the initial weights"):
      pruning.STRATEGIES['global']('exact', {'a': 20.0, 'b': 20.0}, self.masks, self.final,
                                   'movement')


if __name__ == '__main__':
  absltest.main()

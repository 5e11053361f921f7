"""One-shot supermask masks (exact counts, nesting) and the batched untrained-network accuracy."""

import contextlib
import io

import numpy as np
from absl.testing import absltest

from foundations import mask_criteria
from foundations import pruning
from foundations import supermask

SIZES = (12, 9, 7, 4)
PERCENTS = {'layer0': 20.0, 'layer1': 20.0, 'layer2': 10.0}


def _trial(seed, sizes=SIZES):
  rng = np.random.default_rng(seed)
  theta0 = supermask.glorot_fc(rng, sizes)
  w_final = {n: w + rng.normal(0, 0.3, w.shape).astype(np.float32) for n, w in theta0.items()}
  return theta0, w_final


def _forward64(images, kernels):
  h = images.astype(np.float64)
  for kernel in kernels[:-1]:
    h = np.maximum(h @ kernel.astype(np.float64), 0)
  return h @ kernels[-1].astype(np.float64)


class OneShotMasksTest(absltest.TestCase):

  def test_counts_equal_k_rounds_of_exact_pruning_and_masks_nest(self):
    theta0, w_final = _trial(0)
    levels = list(range(8))
    for criterion in mask_criteria.CRITERIA.names():
      with self.subTest(criterion=criterion):
        masks = supermask.one_shot_masks(criterion, theta0, w_final, levels, PERCENTS,
                                         np.random.default_rng(1))
        for level, level_masks in zip(levels, masks):
          for name, mask in level_masks.items():
            self.assertEqual(mask.dtype, np.float32)
            self.assertEqual(int(mask.sum()),
                             pruning.expected_remaining(mask.size, PERCENTS[name], level))
        for coarse, fine in zip(masks, masks[1:]):
          for name in coarse:
            self.assertTrue(np.all(fine[name] <= coarse[name]))

  def test_level_is_one_cut_by_the_criterion_score(self):
    theta0, w_final = _trial(1)
    masks = supermask.one_shot_masks('large_init_large_final', theta0, w_final, [3], PERCENTS)[0]
    for name, w in theta0.items():
      keep = pruning.expected_remaining(w.size, PERCENTS[name], 3)
      expected = mask_criteria.prune_count_by('large_init_large_final', w.size - keep,
                                              np.ones(w.shape, np.float32), w, w_final[name])
      np.testing.assert_array_equal(masks[name], expected)

  def test_large_final_one_shot_equals_iterating_on_the_same_weights(self):
    theta0, w_final = _trial(2)
    masks = supermask.one_shot_masks('large_final', theta0, w_final, [5], PERCENTS)[0]
    for name, w in w_final.items():
      iterated = np.ones(w.shape, np.float32)
      for _ in range(5):
        iterated = pruning.prune_layer(PERCENTS[name], iterated, w)
      np.testing.assert_array_equal(masks[name], iterated)


class AccuraciesTest(absltest.TestCase):

  def test_matches_a_float64_forward_pass(self):
    rng = np.random.default_rng(3)
    images = rng.random((200, SIZES[0]), dtype=np.float32)
    images[:, 4] = 0  # an input that is 0 in every image is skipped
    labels = rng.integers(0, SIZES[-1], 200)
    theta0, w_final = _trial(3)
    sets, expected = [], []
    for masks in supermask.one_shot_masks('magnitude_increase', theta0, w_final, [0, 2, 6],
                                          PERCENTS):
      for kind in supermask.WEIGHT_KINDS:
        kernels = supermask.masked_kernels(kind, theta0, masks)
        sets.append(kernels)
        expected.append(np.mean(np.argmax(_forward64(images, kernels), axis=1) == labels))
    np.testing.assert_array_equal(supermask.accuracies(images, labels, iter(sets)), expected)

  def test_signed_constant_kernels_take_two_values_and_zero(self):
    theta0, w_final = _trial(4)
    masks = supermask.one_shot_masks('large_final', theta0, w_final, [2], PERCENTS)[0]
    for kernel, (name, w) in zip(supermask.masked_kernels('signed_constant', theta0, masks),
                                 theta0.items()):
      sigma = np.float32(np.std(w))
      self.assertEqual(set(np.unique(kernel).tolist()) - {0.0}, {-sigma, sigma})
      np.testing.assert_array_equal(kernel != 0, masks[name] != 0)

  def test_unknown_weight_kind_raises(self):
    theta0, _ = _trial(0)
    with self.assertRaisesRegex(ValueError, "unknown weight kind 'final'"):
      supermask.masked_kernels('final', theta0, {n: np.ones(w.shape) for n, w in theta0.items()})


class GridAndBenchmarkTest(absltest.TestCase):

  def test_grid_shape_and_level_zero_is_the_same_for_every_criterion(self):
    rng = np.random.default_rng(5)
    images = rng.random((100, SIZES[0]), dtype=np.float32)
    labels = rng.integers(0, SIZES[-1], 100)
    trials = [dict(zip(('theta0', 'w_final'), _trial(s))) for s in (6, 7)]
    criteria = ('large_final', 'random', 'movement')
    acc = supermask.grid(images, labels, criteria, [0, 1, 4], trials, percents=PERCENTS)
    self.assertEqual(acc.shape, (2, 3, 3, 2))
    for trial in range(2):
      for criterion in range(3):
        np.testing.assert_array_equal(acc[trial, criterion, 0], acc[trial, 0, 0])

  def test_benchmark_prints_the_grid_size_and_time(self):
    images, labels = supermask.synthetic_inputs(np.random.default_rng(0), count=50)
    self.assertEqual(int((~images.any(axis=0)).sum()), 116)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
      seconds = supermask.benchmark(images, labels, ('large_final', 'random'), (0, 3), trials=1)
    self.assertGreater(seconds, 0)
    self.assertRegex(out.getvalue(), r'^8 supermask evaluations \(2 criteria x 2 levels x 1 '
                                     r'trials x 2 weight kinds\) on 50 inputs: '
                                     r'[\d.]+ s wall, [\d.]+ s CPU')


if __name__ == '__main__':
  absltest.main()

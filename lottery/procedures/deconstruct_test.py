"""Zhou et al. 2019's variants: criterion_*, kept_*, pruned_* and the lottery run's own flags."""

import json
import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import hparams
from foundations import mask_criteria
from foundations import paths
from foundations import pruned_weights
from foundations import pruning
from lottery.testing import tiny_run

SHAPES, DESC, PERCENTS = tiny_run.SHAPES, tiny_run.DESC, tiny_run.PERCENTS
load = tiny_run.load

from lottery import procedures  # pylint: disable=g-import-not-at-top,g-bad-import-order
from lottery import seeds  # pylint: disable=g-import-not-at-top,g-bad-import-order
from lottery.procedures import deconstruct  # pylint: disable=g-import-not-at-top,g-bad-import-order


def expected_count(layer: str, level: int) -> int:
  return pruning.expected_remaining(int(np.prod(SHAPES[layer])), PERCENTS[layer], level)


def recorded(out: str, experiment: str) -> dict:
  with open(paths.hparams(out, 1, experiment)) as f:
    return json.load(f)


def forward_accuracy(kernels, biases) -> float:
  """Test accuracy of the tiny MLP with these kernels and biases (ReLU hidden layers)."""
  x, y = (t.numpy() for t in tiny_run.tiny_splits().eval_sets()[1])
  h = x.reshape(len(x), -1)
  for i, layer in enumerate(SHAPES):
    h = h @ kernels[layer] + biases[layer]
    h = np.maximum(h, 0) if i < len(SHAPES) - 1 else h
  return float(np.mean(h.argmax(1) == y))


class CriterionTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.out = tiny_run.copy_of_shared_run()

  def test_every_criterion_prunes_exact_counts_by_its_scores_from_lottery_level_0(self):
    theta0 = load(self.out, 0, 'lottery', 'initial')
    for criterion in deconstruct.CRITERIA:
      name = f'criterion_{criterion}'
      levels = [1, 2, 3] if criterion in ('movement', 'random') else [1]
      summaries = tiny_run.run(name, self.out, level_list=levels)
      self.assertEqual([s['level'] for s in summaries], levels)
      self.assertFalse(os.path.exists(paths.run(self.out, 1, 0, name)), name)  # level 0 is shared
      previous = ('lottery', 0)
      for level in levels:
        masks = load(self.out, level, name, 'masks')
        prev_masks, prev_final = (load(self.out, previous[1], previous[0], what)
                                  for what in ('masks', 'final'))
        rng = np.random.default_rng(seeds.derive(DESC.seed, 1, 'mask_criterion',
                                                            level))
        for layer in SHAPES:
          self.assertEqual(int(masks[layer].sum()), expected_count(layer, level), (name, layer))
          wanted = mask_criteria.prune_layer_by(criterion, PERCENTS[layer], prev_masks[layer],
                                                theta0[layer], prev_final[layer], rng)
          np.testing.assert_array_equal(masks[layer], wanted, err_msg=f'{name} {level} {layer}')
        # The kept weights restart from theta_0 (rewind).
        np.testing.assert_array_equal(load(self.out, level, name, 'initial')['layer0'],
                                      theta0['layer0'])
        previous = (name, level)
      self.assertEqual(recorded(self.out, name)['mask_criterion'], criterion)
      self.assertEqual(recorded(self.out, name)['experiment_name'], name)
    # Another criterion than large_final keeps other weights than the ticket.
    self.assertFalse(np.array_equal(load(self.out, 1, 'criterion_movement', 'masks')['layer0'],
                                    load(self.out, 1, 'lottery', 'masks')['layer0']))

  def test_dependencies_and_levels(self):
    procedure = procedures.get('criterion_movement')
    self.assertEqual(procedure.requires(1), [('source', 0)])
    self.assertEqual(procedure.requires(3), [('self', 2), ('source', 0)])
    self.assertEqual(procedure.default_levels(DESC, [0, 1, 2, 3]), [1, 2, 3])
    with self.assertRaisesRegex(procedures.MissingSourceError,
                                'criterion_movement level 0: levels start at 1'):
      tiny_run.run('criterion_movement', tiny_run.copy_of_shared_run(), level_list=[0])

  def test_a_clashing_flag_is_refused(self):
    with self.assertRaisesRegex(hparams.HparamsError,
                                r'--mask_criterion=large_init: the criterion_movement procedure '
                                'sets mask_criterion=movement; leave the flag out'):
      procedures.get('criterion_movement').variant_of(DESC.replace(mask_criterion='large_init'))

  def test_resuming_a_half_finished_run_is_bit_identical(self):
    whole, halves = tiny_run.copy_of_shared_run(), tiny_run.copy_of_shared_run()
    tiny_run.run('criterion_random', whole)
    tiny_run.run('criterion_random', halves, level_list=[1])
    interrupted = paths.run(halves, 1, 2, 'criterion_random')  # level 2 began, never finished
    os.makedirs(interrupted)
    with open(paths.masks(interrupted), 'w') as f:
      f.write('partial')
    tiny_run.run('criterion_random', halves)  # resumes at level 2
    for level in (1, 2, 3):
      for what in ('initial', 'masks', 'final', 'final_biases'):
        a, b = (load(d, level, 'criterion_random', what) for d in (whole, halves))
        for layer in a:
          np.testing.assert_array_equal(a[layer], b[layer], err_msg=f'{level} {what} {layer}')


class KeptTest(tf.test.TestCase):

  def test_kept_weights_per_action_on_the_tickets_masks(self):
    out = tiny_run.copy_of_shared_run()
    theta0 = load(out, 0, 'lottery', 'initial')
    for action in deconstruct.KEPT:
      name = f'kept_{action}'
      summaries = tiny_run.run(name, out)
      self.assertEqual([s['level'] for s in summaries], [1, 2, 3], name)
      self.assertEqual(recorded(out, name)['kept_init'], action)
      for level in (1, 3):
        masks = load(out, level, name, 'masks')
        initial = load(out, level, name, 'initial')
        ticket = load(out, level, 'lottery', 'masks')
        for layer in SHAPES:
          np.testing.assert_array_equal(masks[layer], ticket[layer])
          kept, t0, v = masks[layer] != 0, theta0[layer][masks[layer] != 0], initial[layer]
          self.assertTrue(np.all(v[~kept] == 0), name)
          sigma = np.float32(np.std(theta0[layer]))
          if action == 'reshuffle':
            np.testing.assert_array_equal(np.sort(v[kept]), np.sort(t0))
            self.assertFalse(np.array_equal(v[kept], t0))
          if action.startswith('signed') or action == 'signed_constant':
            np.testing.assert_array_equal(np.sign(v[kept]), np.sign(t0))
          if action == 'signed_reshuffle':
            np.testing.assert_array_equal(np.sort(np.abs(v[kept])), np.sort(np.abs(t0)))
          if action == 'signed_reinit':  # |the reinit control's fresh draw|, theta_0's signs
            fresh = procedures.Context(DESC, tiny_run.tiny_network(), out, name, 'lottery') \
                .fresh_kernels(seeds.derive(DESC.seed, 1, 'reinit', level))
            np.testing.assert_array_equal(np.abs(v[kept]), np.abs(fresh[layer][kept]))
          if action.endswith('signed_constant'):
            np.testing.assert_allclose(np.abs(v[kept]), sigma, rtol=1e-6)
          if action == 'rand_signed_constant':
            self.assertFalse(np.array_equal(np.sign(v[kept]), np.sign(t0)), layer)

  def test_the_lottery_runs_kept_init_starts_like_the_control(self):
    out = tiny_run.copy_of_shared_run()
    desc = DESC.replace(kept_init='signed_reshuffle', experiment_name='variant')
    os.rename(paths.run(out, 1, 0, 'lottery'), paths.run(out, 1, 0, 'variant'))
    tiny_run.run('lottery', out, desc, level_list=[1, 2], source_name='variant')
    tiny_run.run('kept_signed_reshuffle', out, desc.replace(kept_init='rewind'), level_list=[1],
                 source_name='variant')
    for what in ('initial', 'masks'):
      a, b = load(out, 1, 'variant', what), load(out, 1, 'kept_signed_reshuffle', what)
      for layer in SHAPES:
        np.testing.assert_array_equal(a[layer], b[layer])
    self.assertEqual(recorded(out, 'variant')['kept_init'], 'signed_reshuffle')
    # Level 2's mask comes from level 1's trained weights, its kept weights from theta_0.
    masks2 = load(out, 2, 'variant', 'masks')
    theta0 = load(out, 0, 'variant', 'initial')
    for layer in SHAPES:
      self.assertEqual(int(masks2[layer].sum()), expected_count(layer, 2))
      kept = masks2[layer] != 0
      np.testing.assert_array_equal(np.sign(load(out, 2, 'variant', 'initial')[layer][kept]),
                                    np.sign(theta0[layer][kept]))


class PrunedTest(tf.test.TestCase):

  def test_pruned_weights_are_frozen_through_training_and_take_part(self):
    out = tiny_run.copy_of_shared_run()
    theta0 = load(out, 0, 'lottery', 'initial')
    differs, zeroed_and_kept = [], [0, 0]
    for action in deconstruct.PRUNED:
      name = f'pruned_{action}'
      summaries = tiny_run.run(name, out)
      self.assertEqual([s['level'] for s in summaries], [1, 2, 3])
      self.assertEqual(recorded(out, name)['pruned_weights'], action)
      for level, summary in zip((1, 2, 3), summaries):
        masks, final = load(out, level, name, 'masks'), load(out, level, name, 'final')
        frozen = load(out, level, name, 'frozen')  # as the trained net held them
        previous = load(out, level - 1, 'lottery', 'final')
        for layer in SHAPES:
          pruned = masks[layer] == 0
          np.testing.assert_array_equal(masks[layer], load(out, level, 'lottery', 'masks')[layer])
          wanted = pruned_weights.frozen_values(action, masks[layer], theta0[layer],
                                                previous[layer])
          np.testing.assert_array_equal(frozen[layer], wanted, err_msg=f'{name} {layer}')
          self.assertTrue(np.all(final[layer][pruned] == 0))
          moved_to_zero = pruned & (np.abs(theta0[layer]) > np.abs(previous[layer]))
          if action == 'freeze_init':
            np.testing.assert_array_equal(frozen[layer][pruned], theta0[layer][pruned])
          else:  # exactly the pruned weights that moved toward zero are 0
            np.testing.assert_array_equal(frozen[layer] == 0, ~pruned | moved_to_zero)
            zeroed_and_kept[0] += int(moved_to_zero.sum())
            zeroed_and_kept[1] += int((pruned & ~moved_to_zero).sum())
        # The frozen values took part: the net as saved (final + frozen) gives the accuracy
        # measured at the end of training.
        biases = load(out, level, name, 'final_biases')
        whole = {layer: final[layer] + frozen[layer] for layer in SHAPES}
        n = len(tiny_run.tiny_splits().eval_sets()[1][1])
        self.assertEqual(round(forward_accuracy(whole, biases) * n),
                         round(summary['final_test_accuracy'] * n), (name, level))
        differs.append(forward_accuracy(final, biases) != forward_accuracy(whole, biases))
    self.assertTrue(any(differs))  # without the frozen values the net computes otherwise
    self.assertGreater(min(zeroed_and_kept), 0)  # freeze_init_zero_mask had both kinds

  def test_the_lottery_run_freezes_iteratively(self):
    out = tiny_run.copy_of_shared_run()
    desc = DESC.replace(mask_criterion='magnitude_increase', pruned_weights='freeze_init',
                        experiment_name='frozen_run')
    os.rename(paths.run(out, 1, 0, 'lottery'), paths.run(out, 1, 0, 'frozen_run'))
    tiny_run.run('lottery', out, desc, source_name='frozen_run')
    theta0 = load(out, 0, 'frozen_run', 'initial')
    self.assertFalse(os.path.exists(paths.frozen(paths.run(out, 1, 0, 'frozen_run'))))
    for level in (1, 2, 3):
      masks, frozen = load(out, level, 'frozen_run', 'masks'), load(out, level, 'frozen_run',
                                                                   'frozen')
      for layer in SHAPES:
        self.assertEqual(int(masks[layer].sum()), expected_count(layer, level))
        pruned = masks[layer] == 0
        np.testing.assert_array_equal(frozen[layer], np.where(pruned, theta0[layer], 0))

  def test_dependencies(self):
    self.assertEqual(procedures.get('pruned_freeze_init').requires(3),
                     [('source', 3), ('source', 2), ('source', 0)])
    self.assertEqual(procedures.get('kept_reshuffle').requires(2), [('source', 2), ('source', 0)])
    self.assertEqual(procedures.get('kept_reshuffle').default_levels(DESC, [0, 1, 2]), [1, 2])


class DefaultTest(tf.test.TestCase):

  def test_families_and_defaults(self):
    self.assertLen(deconstruct.CRITERIA, len(mask_criteria.CRITERIA.names()) - 1)
    self.assertEqual(set(procedures.FAMILIES), {'criterion', 'kept', 'pruned'})
    flat = hparams.to_flat(hparams.Desc())
    self.assertEqual((flat['mask_criterion'], flat['kept_init'], flat['pruned_weights']),
                     ('large_final', 'rewind', 'zero'))
    old = {k: v for k, v in flat.items()
           if k not in ('mask_criterion', 'kept_init', 'pruned_weights')}
    self.assertEqual(hparams.from_flat(old).results_key(), hparams.Desc().results_key())


if __name__ == '__main__':
  tf.test.main()

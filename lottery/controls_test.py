"""Controls (reinit, random pruning, one-shot), late resetting and global pruning."""

import os

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')

import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf

from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery import controls
from lottery import lottery_experiment
from lottery import testing_util

SHAPES, HP = testing_util.SHAPES, testing_util.HP


def load(output_dir, level, name, what):
  return save_restore.load_npz(getattr(paths, what)(paths.run(output_dir, 1, level, name)))


class ControlsTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.splits, cls.network = testing_util.tiny_splits(), testing_util.tiny_network()

  def run_lottery(self, out, hp=HP):
    return lottery_experiment.run(hp, self.splits, self.network, out, show_progress=False)

  def run_control(self, procedure, out, levels, hp=HP):
    return controls.run(procedure, hp, self.splits, self.network, out, levels,
                        show_progress=False)

  def test_random_prune_keeps_per_layer_counts_and_theta0(self):
    out = self.create_tempdir().full_path
    self.run_lottery(out)
    self.run_control('random_prune', out, [2, 3])
    theta0 = load(out, 0, 'lottery', 'initial')
    for level in (2, 3):
      source, masks = load(out, level, 'lottery', 'masks'), load(out, level, 'random_prune', 'masks')
      self.assertEqual(pruning.remaining_counts(masks), pruning.remaining_counts(source))
      self.assertFalse(all(np.array_equal(masks[n], source[n]) for n in SHAPES))
      initial = load(out, level, 'random_prune', 'initial')
      for name in SHAPES:
        np.testing.assert_array_equal(initial[name], theta0[name])
      self.assertTrue(os.path.exists(paths.summary(paths.run(out, 1, level, 'random_prune'))))

  def test_reinit_keeps_mask_and_changes_every_surviving_initial_weight(self):
    out = self.create_tempdir().full_path
    self.run_lottery(out)
    summaries = self.run_control('reinit', out, [3])
    self.assertEqual(summaries[0]['level'], 3)
    theta0 = load(out, 0, 'lottery', 'initial')
    source, masks = load(out, 3, 'lottery', 'masks'), load(out, 3, 'reinit', 'masks')
    initial = load(out, 3, 'reinit', 'initial')
    final = load(out, 3, 'reinit', 'final')
    for name in SHAPES:
      np.testing.assert_array_equal(masks[name], source[name])
      survivors = source[name] > 0
      self.assertTrue(np.all(initial[name][survivors] != theta0[name][survivors]), name)
      self.assertTrue(np.all(final[name][~survivors] == 0), name)
    # Finished levels are not recomputed.
    mtime = os.stat(paths.final(paths.run(out, 1, 3, 'reinit'))).st_mtime_ns
    self.run_control('reinit', out, [3])
    self.assertEqual(os.stat(paths.final(paths.run(out, 1, 3, 'reinit'))).st_mtime_ns, mtime)

  def test_one_shot_prunes_level0_final_weights_to_iterative_counts(self):
    out = self.create_tempdir().full_path
    self.run_lottery(out, HP.replace(rounds=0))
    self.run_control('one_shot', out, [3])
    masks, final0 = load(out, 3, 'one_shot', 'masks'), load(out, 0, 'lottery', 'final')
    for name, shape in SHAPES.items():
      keep = pruning.expected_remaining(int(np.prod(shape)), testing_util.PERCENTS[name], 3)
      self.assertEqual(int(masks[name].sum()), keep)
      kept, dropped = np.abs(final0[name][masks[name] > 0]), np.abs(final0[name][masks[name] == 0])
      self.assertGreaterEqual(kept.min(), dropped.max())

  def test_control_needs_finished_source_level(self):
    out = self.create_tempdir().full_path
    self.run_lottery(out, HP.replace(rounds=1))
    with self.assertRaisesRegex(controls.MissingSourceError, 'level 3 of the .lottery. run'):
      self.run_control('reinit', out, [3])

  def test_late_resetting_restores_exact_iteration_k_weights(self):
    out, only_k = self.create_tempdir().full_path, self.create_tempdir().full_path
    hp = HP.replace(rounds=2, rewind_iteration=30, experiment_name='rewind30')
    self.run_lottery(out, hp)
    # A level-0 run stopped at iteration 30 holds exactly the weights to rewind to.
    self.run_lottery(only_k, HP.replace(rounds=0, training_iterations=30))
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
    self.run_lottery(out, HP.replace(rounds=2, pruning_scope='global'))
    total = sum(int(np.prod(s)) for s in SHAPES.values())
    remaining = total
    for level in (1, 2):
      remaining -= round(0.2 * remaining)
      masks = load(out, level, 'lottery', 'masks')
      self.assertEqual(sum(pruning.remaining_counts(masks).values()), remaining)


if __name__ == '__main__':
  tf.test.main()

"""continued_training: prune the trained weights and keep training them, never reset."""

import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery.testing import tiny_run

SHAPES, DESC = tiny_run.SHAPES, tiny_run.DESC

load = tiny_run.load

from lottery import procedures  # pylint: disable=g-import-not-at-top,g-bad-import-order


class ContinuedTrainingTest(tf.test.TestCase):

  def test_levels_start_from_the_previous_trained_weights_and_biases(self):
    out = tiny_run.copy_of_shared_run()
    summaries = tiny_run.run('continued_training', out)  # default levels: 1..rounds
    self.assertEqual([s['level'] for s in summaries], [1, 2, 3])
    previous = ('lottery', 0)
    for level in (1, 2, 3):
      name, prev_level = previous
      prev_masks, prev_final = load(out, prev_level, name, 'masks'), load(out, prev_level, name,
                                                                          'final')
      masks = load(out, level, 'continued_training', 'masks')
      initial = load(out, level, 'continued_training', 'initial')
      for layer, shape in SHAPES.items():
        keep = pruning.expected_remaining(int(np.prod(shape)), tiny_run.PERCENTS[layer],
                                          level)
        self.assertEqual(int(masks[layer].sum()), keep, (level, layer))
        self.assertTrue(np.all(masks[layer] <= prev_masks[layer]))
        # No reset: the survivors start at their trained values.
        np.testing.assert_array_equal(initial[layer], prev_final[layer])
      self.assertFalse(np.array_equal(initial['layer0'], load(out, 0, 'lottery',
                                                              'initial')['layer0']))
      previous = ('continued_training', level)

  def test_needs_the_trained_biases_of_its_source(self):
    out = tiny_run.copy_of_shared_run()
    os.remove(paths.final_biases(paths.run(out, 1, 0, 'lottery')))
    with self.assertRaisesRegex(save_restore.NpzError, 'final_biases.npz: file does not exist'):
      tiny_run.run('continued_training', out, level_list=[1])

  def test_is_registered_with_its_dependencies(self):
    procedure = procedures.get('continued_training')
    self.assertEqual(procedure.requires(1), [('source', 0)])
    self.assertEqual(procedure.requires(4), [('self', 3)])


if __name__ == '__main__':
  tf.test.main()

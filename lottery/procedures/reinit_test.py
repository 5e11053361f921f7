"""reinit: the ticket's mask with a fresh initialization; resume; missing source."""

import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import paths
from lottery.testing import tiny_run

SHAPES, DESC = tiny_run.SHAPES, tiny_run.DESC

load = tiny_run.load

from lottery import procedures  # pylint: disable=g-import-not-at-top,g-bad-import-order


class ReinitTest(tf.test.TestCase):

  def test_keeps_mask_and_changes_every_surviving_initial_weight(self):
    out = tiny_run.copy_of_shared_run()
    summaries = tiny_run.run('reinit', out, level_list=[3])
    self.assertEqual(summaries[0]['level'], 3)
    theta0 = load(out, 0, 'lottery', 'initial')
    source, masks = load(out, 3, 'lottery', 'masks'), load(out, 3, 'reinit', 'masks')
    initial, final = load(out, 3, 'reinit', 'initial'), load(out, 3, 'reinit', 'final')
    for name in SHAPES:
      np.testing.assert_array_equal(masks[name], source[name])
      survivors = source[name] > 0
      self.assertTrue(np.all(initial[name][survivors] != theta0[name][survivors]), name)
      self.assertTrue(np.all(final[name][~survivors] == 0), name)
    # Finished levels are not recomputed.
    mtime = os.stat(paths.final(paths.run(out, 1, 3, 'reinit'))).st_mtime_ns
    tiny_run.run('reinit', out, level_list=[3])
    self.assertEqual(os.stat(paths.final(paths.run(out, 1, 3, 'reinit'))).st_mtime_ns, mtime)

  def test_needs_the_finished_source_level(self):
    out = tiny_run.copy_of_shared_run()
    with self.assertRaisesRegex(procedures.MissingSourceError, "level 5 of the 'lottery' run"):
      tiny_run.run('reinit', out, level_list=[5])
    self.assertFalse(os.path.exists(paths.run(out, 1, 5, 'reinit')))


if __name__ == '__main__':
  tf.test.main()

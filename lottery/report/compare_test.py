"""lottery.compare: a run against itself agrees everywhere; against another seed it does not."""

import io
import os
import shutil
from unittest import mock

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import paths
from lottery.report import compare
from lottery.testing import tiny_run


class CompareTest(tf.test.TestCase):

  def test_a_run_against_itself_agrees_everywhere(self):
    run = tiny_run.shared_run()
    report = os.path.join(self.create_tempdir().full_path, 'compare.md')
    with mock.patch('sys.stdout', new_callable=io.StringIO):
      self.assertEqual(compare.main(['p', run, paths.trial(run, 1), f'--report={report}']), 0)
    levels = compare.compare(paths.trial(run, 1), paths.trial(run, 1))
    self.assertEqual([lv.level for lv in levels], [0, 1, 2, 3])
    for lv in levels:
      self.assertEqual(lv.jaccard, {'layer0': 1.0, 'layer1': 1.0, 'layer2': 1.0})
      self.assertTrue(lv.same_theta0)
      self.assertEqual(lv.a, lv.b)
    with open(report) as f:
      text = f.read()
    self.assertIn('| 3 | layer2 | 71.88 | 71.88 | 1.0000 |', text)
    self.assertRegex(text, r'\| 0 \| 100\.00 \| 100\.00 \| yes \| (\d+) / \1 \|')

  def test_another_seed_differs_in_theta0_and_masks(self):
    other = self.create_tempdir().full_path
    tiny_run.run('lottery', other, tiny_run.DESC.replace(seed=5, rounds=1))
    levels = compare.compare(paths.trial(tiny_run.shared_run(), 1), paths.trial(other, 1))
    self.assertEqual([lv.level for lv in levels], [0, 1])  # the levels both have
    self.assertFalse(levels[0].same_theta0)
    self.assertEqual(levels[0].jaccard, {'layer0': 1.0, 'layer1': 1.0, 'layer2': 1.0})
    self.assertLess(max(levels[1].jaccard.values()), 1.0)
    self.assertEqual(levels[1].a.pm_per_layer, levels[1].b.pm_per_layer)  # same rates

  def test_the_report_goes_beside_run_a_or_into_output_dir_never_the_current_directory(self):
    run = tiny_run.copy_of_shared_run()
    other = os.path.join(self.create_tempdir().full_path, 'seed 5')  # a space: kept out of names
    shutil.move(tiny_run.copy_of_shared_run(), other)
    cwd = self.create_tempdir().full_path
    self.addCleanup(os.chdir, os.getcwd())
    os.chdir(cwd)
    with mock.patch('sys.stdout', new_callable=io.StringIO) as stdout:
      self.assertEqual(compare.main(['p', run, other]), 0)
    beside_a = os.path.join(run, 'compare_seed_5.md')
    self.assertTrue(stdout.getvalue().endswith(f'Written to {beside_a}\n'))
    self.assertTrue(os.path.isfile(beside_a))
    elsewhere = os.path.join(self.create_tempdir().full_path, 'reports')
    with mock.patch('sys.stdout', new_callable=io.StringIO):
      self.assertEqual(compare.main(['p', paths.trial(run, 1), other, f'--output_dir={elsewhere}',
                                     '--report=ab.md']), 0)
    self.assertEqual(os.listdir(elsewhere), ['ab.md'])
    self.assertEqual(os.listdir(cwd), [])

  def test_jaccard(self):
    a, b = np.array([1, 1, 0, 0], np.float32), np.array([1, 0, 1, 0], np.float32)
    self.assertEqual(compare.jaccard(a, b), 1 / 3)
    self.assertEqual(compare.jaccard(a * 0, b * 0), 1.0)

  def test_a_damaged_metrics_file_is_one_line_naming_it(self):
    run = tiny_run.copy_of_shared_run()
    damaged = paths.metrics(paths.run(run, 1, 2, 'lottery'))
    with open(damaged, 'w') as f:
      f.write('garbage\x00,\nfoo\n')
    with mock.patch('sys.stderr', new_callable=io.StringIO) as stderr:
      self.assertEqual(compare.main(['p', run, run]), 1)
    self.assertLen(stderr.getvalue().splitlines(), 1)
    self.assertTrue(stderr.getvalue().startswith(f'error: {damaged}: not a metrics file'))

  def test_bad_arguments_are_one_line_errors(self):
    empty = self.create_tempdir().full_path
    self.assertEqual(compare.main(['p', empty]), 1)
    with self.assertRaisesWithLiteralMatch(
        ValueError, f'{empty}: neither a trial directory nor an output directory with trial1/'):
      compare.trial_dir(empty, 1)


if __name__ == '__main__':
  tf.test.main()

"""tools.section2_report on tiny runs laid out like the evidence run's output."""

import os
import shutil

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import tensorflow as tf

from lottery.report import aggregate
from lottery.testing import tiny_run
from lottery.report import section2

TASKS = """time,task,status,node,host,pid,seconds,percent_remaining,early_stop_iteration,test_accuracy_at_early_stop,error
2026-11-28 01:44:36,lottery/trial1/level0,done,n,vm,1,300.0,100.0,3300,0.97,
2026-11-28 01:50:36,lottery/trial1/level1,done,n,vm,1,360.0,80.0,3300,0.97,
2026-11-28 01:51:36,reinit/trial1/level1,failed,n,vm,1,5.0,,,,bad npz
"""


class Section2ReportTest(tf.test.TestCase):

  def test_writes_analysis_normalization_and_timing(self):
    root = self.create_tempdir().full_path
    shutil.copytree(tiny_run.shared_run(), os.path.join(root, 'lenet'))  # levels 0..3
    tiny_run.run('lottery', os.path.join(root, 'lenet_norm_standard'),
                     tiny_run.DESC.replace(seed=2, rounds=1))
    tiny_run.run('lottery', os.path.join(root, 'lenet_norm_l2'),
                     tiny_run.DESC.replace(seed=3, rounds=2))
    with open(os.path.join(root, 'lenet', 'sweep_tasks.csv'), 'w') as f:
      f.write(TASKS)
    results = os.path.join(root, 'results')
    written = section2.assemble(root, results)
    self.assertIn(os.path.join(results, 'figure4a.png'), written)
    norm = open(os.path.join(results, 'normalization.md')).read().splitlines()
    self.assertLen(norm, 2 + 2 * 3)  # levels 0 and 1 (the last every run reached) x 3 inputs
    l2_runs = aggregate.load_summaries(os.path.join(root, 'lenet_norm_l2'), 'lottery')[1]
    l2, l2_0 = l2_runs[1], l2_runs[0]
    earlier = 100 * (1 - l2['early_stop_iteration'] / l2_0['early_stop_iteration'])
    gain = 100 * (l2['test_accuracy_at_early_stop'] - l2_0['test_accuracy_at_early_stop'])
    self.assertEqual(norm[-1], f'| l2 (row norm, TF1 reference) | 1 | 80.7 | 1 | '
                               f'{l2["early_stop_iteration"]} | '
                               f'{l2["test_accuracy_at_early_stop"] * 100:.2f} | '
                               f'{l2["final_test_accuracy"] * 100:.2f} | {earlier:.1f} | '
                               f'{gain:.2f} |')
    self.assertTrue(norm[3].endswith(' | - | - |'), norm[3])  # level 0: no change to show
    self.assertTrue(norm[2].startswith('| unit (x/255) | 0 | 100.0 | 1 | '))
    stops = open(os.path.join(results, 'early_stop.md')).read().splitlines()
    self.assertLen(stops, 2 + 4)  # levels 0..3 of one trial
    lottery = aggregate.load_summaries(os.path.join(root, 'lenet'), 'lottery')[1]
    es0, es2 = lottery[0]['early_stop_iteration'], lottery[2]['early_stop_iteration']
    earlier = f'{100 * (1 - es2 / es0):.1f}'
    self.assertEqual(stops[2], f'| 0 | 100.0 | {es0} | {es0} | 0 | 0.00 | - | - |')
    self.assertEqual(stops[4], f'| 2 | {lottery[2]["percent_remaining"]:.1f} | {es2} | {es2} | 0 '
                               f'| 0.00 | {earlier} | {earlier} |')
    timing = open(os.path.join(results, 'timing.md')).read().splitlines()
    # Two level-runs back to back, 01:39:36-01:44:36 and -01:50:36 (the failed row adds none).
    self.assertEqual(timing[2:], ['| lenet | lottery | 2 | 330 | 0.18 |', '', timing[4],
                                  timing[5], '| lenet | 2026-11-28 01:39 | 2026-11-28 01:50 | '
                                  '0.18 | 0.18 | 10.9 |'])

  def test_busy_hours_count_overlapping_tasks_once_and_skip_stops(self):
    # Two workers overlapping for half an hour, a stop of 1,800 s, a task inside another.
    self.assertEqual(section2._busy_hours(
        [(7200, 9000), (0, 3600), (1800, 5400), (7300, 7400)]), 2.0)
    self.assertEqual(section2._busy_hours([]), 0.0)


if __name__ == '__main__':
  tf.test.main()

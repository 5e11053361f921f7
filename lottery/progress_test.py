"""The progress line, level line and table: '-' where a value does not exist yet."""

import io
import math

from absl.testing import absltest

from lottery import progress

ROW = dict(iteration=0, train_loss=math.nan, train_accuracy=math.nan, val_loss=2.3,
           val_accuracy=0.1, test_loss=2.3, test_accuracy=0.098)


class ReportingTest(absltest.TestCase):

  def test_iteration_zero_shows_dashes_for_train_metrics(self):
    stream = io.StringIO()
    progress.Progress(0, 100, stream)(ROW)
    line = stream.getvalue()
    self.assertIn('train loss      - acc      -% | val loss 2.3000 acc  10.00%', line)
    self.assertNotIn('nan', line)
    self.assertNotIn('n/a', line)

  def test_level_line_and_table(self):
    summary = dict(level=3, percent_remaining=51.28, early_stop_iteration=4700,
                   test_accuracy_at_early_stop=0.9855, final_test_accuracy=math.nan,
                   wall_seconds=130.4)
    self.assertEqual(progress.level_line(summary),
                     'level  3  Pm  51.28%  early-stop it   4700  test acc @es  98.55%  '
                     '@end      -%  wall 130s')
    self.assertEqual(progress.table([summary]).splitlines()[-1],
                     '| 3 | 51.28 | 4700 | 98.55 | - | 130 |')

  def test_level_k_of_n_with_an_eta_from_the_measured_level_times(self):
    clock = progress.LevelClock([0, 1, 2, 3, 4], finished=[0])
    lines = [clock.line(dict(level=level, percent_remaining=pm, early_stop_iteration=100,
                             test_accuracy_at_early_stop=0.9, final_test_accuracy=0.9,
                             wall_seconds=wall), resumed=level == 0)
             for level, pm, wall in ((0, 100.0, 50.0), (1, 80.0, 100.0), (2, 64.0, 140.0),
                                     (3, 51.2, 120.0), (4, 41.0, 120.0))]
    self.assertEqual([line[:22] for line in lines], [
        'level  0 of 4  Pm 100.', 'level  1 of 4  Pm  80.', 'level  2 of 4  Pm  64.',
        'level  3 of 4  Pm  51.', 'level  4 of 4  Pm  41.'])
    self.assertTrue(lines[0].endswith('wall 50s  (finished earlier, kept)'))
    self.assertTrue(lines[1].endswith('wall 100s  ETA 5m00s (3 levels left)'))  # 100 s x 3
    self.assertTrue(lines[2].endswith('wall 140s  ETA 4m00s (2 levels left)'))  # 120 s x 2
    self.assertTrue(lines[3].endswith('wall 120s  ETA 2m00s (1 level left)'))
    self.assertTrue(lines[4].endswith('wall 120s'))  # the last: nothing left
    self.assertEqual([progress.duration(s) for s in (42, 185, 7620)], ['42s', '3m05s', '2h07m'])

  def test_imported_level_without_wall_time_shows_a_dash(self):
    summary = dict(level=0, percent_remaining=100.0, early_stop_iteration=800,
                   test_accuracy_at_early_stop=0.9, final_test_accuracy=0.95, wall_seconds=None)
    self.assertTrue(progress.level_line(summary).endswith('wall -s'))
    self.assertTrue(progress.table([summary]).splitlines()[-1].endswith('| 95.00 | - |'))


if __name__ == '__main__':
  absltest.main()

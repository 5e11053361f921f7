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

  def test_imported_level_without_wall_time_shows_a_dash(self):
    summary = dict(level=0, percent_remaining=100.0, early_stop_iteration=800,
                   test_accuracy_at_early_stop=0.9, final_test_accuracy=0.95, wall_seconds=None)
    self.assertTrue(progress.level_line(summary).endswith('wall -s'))
    self.assertTrue(progress.table([summary]).splitlines()[-1].endswith('| 95.00 | - |'))


if __name__ == '__main__':
  absltest.main()

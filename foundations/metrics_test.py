"""Metrics.summary: the early-stop iteration, including ties, NaN rows and no validation split."""

import math

from absl.testing import absltest

from foundations.metrics import Metrics

NAN = math.nan


def metrics(val_losses, test_losses=None):
  """Rows at iterations 0, 100, ...; accuracies encode the iteration so the picked row shows."""
  test_losses = test_losses or [1.0] * len(val_losses)
  return Metrics([dict(iteration=100 * i, train_loss=NAN, train_accuracy=NAN, val_loss=v,
                       val_accuracy=i / 100, test_loss=t, test_accuracy=i / 10)
                  for i, (v, t) in enumerate(zip(val_losses, test_losses))])


class SummaryTest(absltest.TestCase):

  def test_minimum_validation_loss_and_accuracies_there_and_at_the_end(self):
    s = metrics([2.0, 0.9, 0.5, 0.7]).summary()
    self.assertEqual((s['early_stop_metric'], s['early_stop_iteration']), ('val_loss', 200))
    self.assertEqual((s['test_accuracy_at_early_stop'], s['val_accuracy_at_early_stop']),
                     (0.2, 0.02))
    self.assertEqual((s['final_iteration'], s['final_test_accuracy'], s['final_val_accuracy']),
                     (300, 0.3, 0.03))

  def test_iteration_zero_never_wins(self):
    self.assertEqual(metrics([0.1, 0.9, 0.8]).summary()['early_stop_iteration'], 200)

  def test_ties_go_to_the_earliest_iteration(self):
    self.assertEqual(metrics([2.0, 0.6, 0.5, 0.5, 0.5]).summary()['early_stop_iteration'], 200)

  def test_nan_rows_never_win(self):
    self.assertEqual(metrics([2.0, NAN, 0.7, NAN, 0.9]).summary()['early_stop_iteration'], 200)

  def test_all_nan_after_iteration_zero_stops_at_the_end(self):
    s = metrics([2.0, NAN, NAN], [2.0, NAN, NAN]).summary()
    self.assertEqual((s['early_stop_iteration'], s['final_iteration']), (200, 200))

  def test_no_validation_split_uses_test_loss(self):
    s = metrics([NAN] * 4, [2.0, 0.4, 0.3, 0.6]).summary()
    self.assertEqual((s['early_stop_metric'], s['early_stop_iteration']), ('test_loss', 200))

  def test_first_stop_excludes_earlier_iterations(self):
    # The global minimum is at 100, but only iterations >= 200 may be chosen.
    s = metrics([2.0, 0.1, 0.9, 0.5, 0.7]).summary(first_stop=200)
    self.assertEqual((s['early_stop_iteration'], s['test_accuracy_at_early_stop']), (300, 0.3))

  def test_logs_without_iteration_zero_can_stop_at_their_first_row(self):
    # The reference code logs test metrics from iteration 100 on: its first row is a trained net.
    m = metrics([NAN] * 4, [2.0, 0.3, 0.4, 0.6])
    m.rows.pop(0)
    self.assertEqual(m.summary()['early_stop_iteration'], 100)

  def test_only_iteration_zero(self):
    self.assertEqual(metrics([2.0]).summary()['early_stop_iteration'], 0)

  def test_csv_round_trip_with_empty_fields_for_missing_values(self):
    m = metrics([2.0, 0.5])
    for row in m.rows[:1]:  # not evaluated at iteration 0
      row.update(train_loss=None, train_accuracy=None)
    text = m.to_csv()
    self.assertEqual(text.splitlines()[1], '0,,,2,0,1,0')  # no train metrics at iteration 0
    back = Metrics.from_csv(text)
    self.assertEqual(back.column('val_loss').tolist(), [2.0, 0.5])
    self.assertTrue(math.isnan(back.column('train_loss')[0]))
    self.assertTrue(math.isnan(Metrics.from_csv('iteration,train_loss\n0,nan\n').rows[0][
        'train_loss']))  # files written before this change
    self.assertEqual(Metrics.from_csv(text).to_csv(), text)

  def test_read_names_a_damaged_file(self):
    good = self.create_tempfile(content=metrics([2.0, 0.5]).to_csv()).full_path
    self.assertEqual(Metrics.read(good, ('iteration', 'test_accuracy')).column('val_loss').tolist(),
                     [2.0, 0.5])
    bad = self.create_tempfile(content='garbage\x00,\nfoo\n').full_path
    with self.assertRaisesRegex(ValueError, f'^{bad}: not a metrics file \\(could not convert'):
      Metrics.read(bad)
    other = self.create_tempfile(content='a,b\n1,2\n').full_path
    with self.assertRaisesWithLiteralMatch(
        ValueError, f'{other}: not a metrics file (no column iteration); delete its level '
        'directory and rerun to recompute it'):
      Metrics.read(other)

  def test_non_finite_values_are_written_not_left_empty(self):
    m = metrics([2.0, NAN, math.inf])
    m.rows[0].update(train_loss=None, train_accuracy=None, test_loss=None, test_accuracy=None)
    self.assertEqual(m.to_csv().splitlines()[1:],
                     ['0,,,2,0,,', '100,nan,nan,nan,0.01,1,0.1', '200,nan,nan,inf,0.02,1,0.2'])
    m = metrics([2.0, 0.5])
    m.rows[1]['val_accuracy'] = None
    self.assertTrue(math.isnan(m.summary()['val_accuracy_at_early_stop']))  # as read from files


if __name__ == '__main__':
  absltest.main()

"""The claims table's verdict rule and protocol caveat, on generated summaries."""

from absl.testing import absltest

from lottery.report import lenet_claims

Claim = lenet_claims.Claim


def summary(pm, stop, acc, final=None):
  return dict(percent_remaining=pm, early_stop_iteration=stop, test_accuracy_at_early_stop=acc,
              final_test_accuracy=acc if final is None else final)


def trials(per_trial):
  """{trial: {procedure: {level: summary}}} -> procedure -> trial -> level -> summary."""
  out = {}
  for trial, procedures in per_trial.items():
    for procedure, levels in procedures.items():
      out.setdefault(procedure, {})[trial] = levels
  return out


class VerdictTest(absltest.TestCase):

  def test_rule(self):
    claim = Claim('c', 'p', None, 'pp', paper=38.0, tolerance=10.0)
    self.assertEqual(lenet_claims.verdict(claim, []), 'not run')
    self.assertEqual(lenet_claims.verdict(claim, [20.0, 40.0]), 'reproduced')      # paper in [min, max]
    self.assertEqual(lenet_claims.verdict(claim, [29.0, 30.0]), 'reproduced')      # mean within 10
    self.assertEqual(lenet_claims.verdict(claim, [10.0, 20.0]), 'direction only')  # same sign, too small
    self.assertEqual(lenet_claims.verdict(claim, [-10.0, -20.0]), 'not reproduced')
    at_least = Claim('c', 'p', None, 'pp', paper=0.3, tolerance=0.1, at_least=True)
    self.assertEqual(lenet_claims.verdict(at_least, [0.6, 0.9]), 'reproduced')
    ratio = Claim('c', 'p', None, 'x', paper=2.51, tolerance=0.5, ratio=True)
    self.assertEqual(lenet_claims.verdict(ratio, [1.3, 1.5]), 'direction only')   # > 1, not 2.5
    self.assertEqual(lenet_claims.verdict(ratio, [0.8, 0.9]), 'not reproduced')
    sign_only = Claim('c', 'below', None, 'pp', sign=-1)
    self.assertEqual(lenet_claims.verdict(sign_only, [-0.2, -0.4]), 'reproduced')
    self.assertEqual(lenet_claims.verdict(sign_only, [-0.5, 0.1]), 'direction only')
    self.assertEqual(lenet_claims.verdict(sign_only, [0.5, 0.1]), 'not reproduced')

  def test_claims_are_per_trial_and_the_protocol_is_stated(self):
    per_trial = {
        t: {'lottery': {0: summary(100.0, 5000, 0.980), 7: summary(21.1, stop, 0.984)}}
        for t, stop in ((1, 3000), (2, 3500), (3, 2800), (4, 3200), (5, 3100))}
    text = lenet_claims.markdown(lenet_claims.LENET_CLAIMS, trials(per_trial), 50000)
    self.assertIn('Protocol: 50000 training iterations per level, 5 trial(s).', text)
    self.assertNotIn('differs', text)
    # 1 - stop/5000 per trial: 40, 30, 44, 36, 38 -> mean 37.6.
    self.assertIn('| Early stop at Pm 21.1% vs unpruned | 38% earlier | +37.60 [+30.00, +44.00] '
                  '% earlier (5) | ±10 % earlier | reproduced |', text)
    self.assertIn('| Ticket vs reinit accuracy at Pm 21.1% | about +0.5 pp | - | ±0.2 pp | '
                  'not run |', text)
    short = lenet_claims.markdown(lenet_claims.LENET_CLAIMS, trials({1: per_trial[1]}), 600)
    self.assertIn('**This differs from the paper\'s (50,000 iterations, 5 trials, the whole test '
                  'set): the verdicts below are only indicative.**', short)
    self.assertIn('reproduced (protocol differs) |', short)
    # A test subset (--test_size) is a different protocol even at 50,000 iterations x 5 trials.
    subset = lenet_claims.markdown(lenet_claims.LENET_CLAIMS, trials(per_trial), 50000, test_size=2000)
    self.assertIn('Protocol: 50000 training iterations per level, 5 trial(s), the first 2,000 '
                  'test examples. **This differs', subset)
    self.assertIn('reproduced (protocol differs) |', subset)


if __name__ == '__main__':
  absltest.main()

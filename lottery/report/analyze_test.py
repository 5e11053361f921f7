"""Analysis over a tiny generated experiment: table, report and figure files."""

import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import tensorflow as tf

from lottery import networks
from lottery import procedures
from lottery.report import aggregate
from lottery.report import analyze
from lottery.report import figures
from lottery.report import sections
from lottery.testing import tiny_run


class AnalyzeTest(tf.test.TestCase):

  def test_reads_two_trials_and_writes_table_report_and_figures(self):
    out = self.create_tempdir().full_path
    for trial in (1, 2):
      desc = tiny_run.DESC.replace(trial=trial, seed=trial, rounds=2)
      tiny_run.run('lottery', out, desc)
      tiny_run.run('reinit', out, desc, level_list=[2])
      tiny_run.run('random_prune', out, desc, level_list=[2])
      tiny_run.run('random_prune2', out, desc, level_list=[2])
    report_dir = os.path.join(out, 'report')
    written = analyze.analyze(out, 'lenet300_100', report_dir)
    self.assertEqual(sorted(os.listdir(report_dir)),
                     ['figure1.png', 'figure3.png', 'figure4.png', 'figure4a.png', 'figure4b.png',
                      'figure4c.png', 'report.md', 'results.md', 'summaries.csv'])
    for path in written:
      self.assertGreater(os.path.getsize(path), 100)
    csv_rows = open(os.path.join(report_dir, 'summaries.csv')).read().splitlines()
    self.assertEqual(csv_rows[0].split(',')[:5], ['procedure', 'trial', 'level',
                                                  'percent_remaining', 'early_stop_iteration'])
    self.assertLen(csv_rows, 1 + 2 * 6)  # lottery 0-2, reinit and both random draws at 2; 2 trials
    self.assertTrue(csv_rows[1].startswith('lottery,1,0,100,'))
    self.assertNotIn(',,', csv_rows[1])  # every value exists
    for name in ('figure1.png', 'figure3.png', 'figure4.png', 'figure4a.png', 'figure4b.png',
                 'figure4c.png'):
      with open(os.path.join(report_dir, name), 'rb') as f:
        self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')
    table = open(written[0]).read().splitlines()
    self.assertLen(table, 2 + 3 + 3)  # header + lottery levels 0..2 + 3 controls at level 2
    self.assertRegex(table[2], r'^\| lottery \| 0 \| 100\.0 \| 2 \| ')
    self.assertRegex(table[5], r'^\| reinit \| 2 \| 65\.2 \| 2 \| ')
    self.assertIn('[', table[2])  # min-max shown for two differing trials
    rows = aggregate.aggregate(out)
    self.assertEqual([r.trials for r in rows], [2, 2, 2, 2, 2, 2])
    # Figure 1 pools both random draws: 4 samples at level 2.
    pooled = aggregate.aggregate(out, ('random_prune', 'random_prune2'),
                                pool={'random_prune2': 'random_prune'})
    self.assertEqual([(r.experiment, r.level, r.trials) for r in pooled],
                     [('random_prune', 2, 4)])
    # Figure 3 names the requested curves this tiny run lacks (its level 2 is at Pm 65.2%).
    self.assertEqual(figures.missing_curves(rows), ['51.3%', '51.3% reinit', '21.1%',
                                                    '21.1% reinit', '7%', '3.6%', '1.9%'])
    text = open(written[1]).read()
    self.assertIn('Protocol: 60 training iterations per level, 2 trial(s). **This differs', text)
    self.assertIn('| Early stop at Pm 21.1% vs unpruned | 38% earlier | - | ±10 % earlier | '
                  'not run |', text)
    conv_dir = os.path.join(out, 'conv_report')
    analyze.analyze(out, 'conv2', conv_dir)
    self.assertIn('figure5.png', os.listdir(conv_dir))
    self.assertIn('| conv2: unpruned accuracy | 67.6% (validation) |',
                  open(os.path.join(conv_dir, 'report.md')).read())

  def test_gmp_is_drawn_beside_tickets_and_reported_per_pm(self):
    out = tiny_run.copy_of_shared_run()  # lottery levels 0..3, trial 1
    tiny_run.run('gmp', out, tiny_run.DESC.replace(gmp_frequency=10), level_list=[2])
    report_dir = os.path.join(out, 'report')
    written = analyze.analyze(out, 'lenet300_100', report_dir)
    self.assertIn(os.path.join(report_dir, 'figure4d.png'), written)
    text = open(os.path.join(report_dir, 'report.md')).read()
    self.assertIn('## Winning tickets against gradual magnitude pruning (tfmot)', text)
    rows = aggregate.aggregate(out)
    ticket, gmp = aggregate.find(rows, 'lottery', 65.2), aggregate.find(rows, 'gmp', 65.2)
    diff = (ticket.final_accuracy.mean - gmp.final_accuracy.mean) * 100
    self.assertIn(f'| 65.2 | 1/1 | {ticket.accuracy_at_early_stop.mean * 100:.2f} | ', text)
    self.assertIn(f'| {diff:+.2f} |\n', text)

  def test_deconstruct_variants_get_figures_of_their_own_byte_for_byte_reproducible(self):
    out = tiny_run.copy_of_shared_run()  # lottery levels 0..3, trial 1
    tiny_run.run('criterion_movement', out, level_list=[1, 2])
    tiny_run.run('criterion_random', out, level_list=[1])
    tiny_run.run('kept_signed_constant', out, level_list=[2])
    tiny_run.run('pruned_freeze_init', out, level_list=[2])
    first, second = (os.path.join(out, name) for name in ('report', 'again'))
    written = analyze.analyze(out, 'lenet300_100', first)
    analyze.analyze(out, 'lenet300_100', second)
    variants = ['figure_criteria.png', 'figure_kept_weights.png', 'figure_pruned_weights.png']
    self.assertEqual(written[-3:], [os.path.join(first, name) for name in variants])
    self.assertContainsSubset(variants + ['figure4.png'], os.listdir(first))
    for name in os.listdir(first):
      with open(os.path.join(first, name), 'rb') as a, open(os.path.join(second, name), 'rb') as b:
        self.assertEqual(a.read(), b.read(), name)
    self.assertIn('| criterion_movement | 2 | 65.2 | 1 | ', open(written[0]).read())
    # Each family has its own colors; the other procedures keep theirs.
    self.assertEqual(figures.style('criterion_movement')[2], 'movement')
    self.assertNotEqual(figures.style('criterion_movement')[0], figures.style('criterion_random')[0])
    self.assertEqual(figures.style('random_prune2')[0], 'tab:brown')
    self.assertEqual(figures.PLAIN[:7], ('lottery', 'reinit', 'random_prune', 'random_prune2',
                                         'one_shot', 'continued_training', 'gmp'))
    self.assertNoCommonElements(figures.PLAIN, ['criterion_movement', 'kept_signed_constant',
                                                'pruned_freeze_init'])

  def test_versus_table_pairs_levels_of_equal_pm_only(self):
    def row(experiment, pm, accuracy):
      stat = aggregate.Stat.of([accuracy])
      return aggregate.Row(experiment, 1, pm, 1, aggregate.Stat.of([100]), stat, stat)
    rows = [row('lottery', 80.0, 0.98), row('lottery', 64.0, 0.97), row('gmp', 64.0, 0.9625),
            row('gmp', 10.0, 0.9)]
    header = aggregate.versus_table(rows).splitlines()[0]
    self.assertEqual(header.count('| lottery − gmp (pp) |'), 2)  # the sign's meaning, twice
    self.assertEqual(aggregate.versus_table(rows).splitlines()[2:],
                     ['| 64.0 | 1/1 | 97.00 | 96.25 | +0.75 | 97.00 | 96.25 | +0.75 |'])
    self.assertEqual(aggregate.versus_table(rows[:2]), '')

  def test_registry_hooks_name_report_functions(self):
    claims = {name: analyze._hook(networks.get(name).claims)  # pylint: disable=protected-access
              for name in networks.names()}
    self.assertEqual(claims, {'lenet300_100': sections.lenet_claims_and_figures,
                              'conv2': sections.conv_claims_table,
                              'conv4': sections.conv_claims_table,
                              'conv6': sections.conv_claims_table})
    reports = {name: analyze._hook(procedures.get(name).report)  # pylint: disable=protected-access
               for name in procedures.names() if procedures.get(name).report}
    self.assertEqual(reports, {'gmp': sections.gmp_versus_tickets})

  def test_no_results_is_an_error(self):
    with self.assertRaisesRegex(ValueError, 'no finished levels found'):
      analyze.analyze(self.create_tempdir().full_path, 'lenet300_100',
                      self.create_tempdir().full_path)


if __name__ == '__main__':
  tf.test.main()

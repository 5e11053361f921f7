"""lottery.report.deconstruction on tiny runs laid out like tools/followup_evidence.sh's output."""

import contextlib
import functools
import io
import os

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from foundations import experiment
from lottery.report import deconstruction
from lottery.report import deconstruction_claims as dc
from lottery.testing import tiny_run
from lottery.testing.report_checks import cell, files

TRIALS = (1, 2)
DESIGN = dc.Design(criteria=('magnitude_increase', 'random'), criteria_levels=(1, 2),
                   criteria_trials=TRIALS, kept=('reinit', 'kept_signed_reinit'),
                   pruned=('pruned_freeze_init',), control_levels=(2,), control_trials=TRIALS,
                   gmp_trials=TRIALS, learned_trials=TRIALS, lottery_trials=TRIALS,
                   lottery_levels=(0, 1, 2))
# Supermasks at initialisation, arranged: large_final_same_sign with signed constants at level 1
# is the best cell (80% and 82%: +70, +72 pp over chance against the abstract's +76: "direction
# only"); large_final_same_sign beats large_final with theta_0 in both trials ("reproduced").
INIT = {('large_final', 'init'): ((0.30, 0.20), (0.15, 0.25)),
        ('large_final_same_sign', 'init'): ((0.60, 0.70), (0.50, 0.40)),
        ('large_final_same_sign', 'signed_constant'): ((0.80, 0.82), (0.60, 0.61)),
        ('random', 'signed_constant'): ((0.10, 0.11), (0.09, 0.12))}
PM = {1: 80.0, 2: 64.1}


def desc(trial: int):
  return tiny_run.DESC.replace(rounds=2, trial=trial, seed=trial)


@functools.lru_cache(maxsize=None)
def evidence_root() -> str:
  """ROOT/lenet_mnist (lottery levels 0-2, two criteria at 1-2, two kept and one pruned control
  at 2, trials 1-2; sweep records naming ROOT) and ROOT/supermask_init. Read only."""
  root = tiny_run._tempdir()  # pylint: disable=protected-access
  runs = os.path.join(root, 'lenet_mnist')
  for trial in TRIALS:
    tiny_run.run('lottery', runs, desc(trial))
    for c in DESIGN.criteria:
      tiny_run.run(f'criterion_{c}', runs, desc(trial), [1, 2], 'lottery')
    for control in DESIGN.kept + DESIGN.pruned:
      tiny_run.run(control, runs, desc(trial), [2], 'lottery')
  with open(os.path.join(runs, 'sweep_tasks.csv'), 'w') as f:
    f.write('time,task,status,node,host,pid,seconds,percent_remaining,early_stop_iteration,'
            'test_accuracy_at_early_stop,error\n')
    for i, trial in enumerate(TRIALS):
      f.write(f'2026-12-03 13:3{i}:00,reinit/trial{trial}/level2,done,n,vm,1,90.0,64.1,20,0.5,\n')
  with open(os.path.join(runs, 'sweep_log.csv'), 'w') as f:
    f.write('time,event,code_version,cpu,workers,tasks,command\n2026-12-03 13:00:00,started,'
            f'abc123,Test CPU (2 cores AVX2),1,2,python -m lottery sweep --output_dir={runs}\n')
  os.makedirs(os.path.join(root, 'supermask_init'))
  with open(os.path.join(root, 'supermask_init', 'supermask_init.csv'), 'w') as f:
    f.write('criterion,weights,trial,level,percent_remaining,test_accuracy\n')
    for (criterion, weights), by_level in sorted(INIT.items()):
      for level, accuracies in zip((1, 2), by_level):
        for trial, accuracy in zip(TRIALS, accuracies):
          f.write(f'{criterion},{weights},{trial},{level},{PM[level]},{accuracy}\n')
  return root


def summaries(name: str, level: int):
  return [experiment.LevelStore(os.path.join(evidence_root(), 'lenet_mnist'), t, name)
          .load_summary(level) for t in TRIALS]


class DeconstructionReportTest(tf.test.TestCase):

  def make(self, into=None) -> str:
    out = into or self.create_tempdir().full_path
    deconstruction.assemble(evidence_root(), os.path.join(out, 'results', 'deconstruction'),
                            os.path.join(out, 'DECONSTRUCTION.md'), DESIGN)
    return out

  def test_tables_claims_and_blocks_not_run(self):
    out = self.make()
    self.assertEqual(sorted(os.listdir(os.path.join(out, 'results', 'deconstruction'))),
                     ['criteria.png', 'deconstruction.csv', 'kept_weights.png',
                      'pruned_weights.png', 'supermask_init.csv', 'supermask_init.png'])
    text = open(os.path.join(out, 'DECONSTRUCTION.md')).read()
    reinit, ticket = summaries('reinit', 2), summaries('lottery', 2)
    acc = lambda got: cell([s['test_accuracy_at_early_stop'] for s in got])
    end = lambda got: cell([s['final_test_accuracy'] for s in got])
    stop = lambda got: cell([s['early_stop_iteration'] for s in got], 1, 0)
    pm = f'{ticket[0]["percent_remaining"]:.1f}'
    self.assertIn(f'| reinit | 2 | {pm} | 2 | {acc(reinit)} | {end(reinit)} | {stop(reinit)} |',
                  text)
    self.assertIn(f'| rewind (ticket) | 2 | {pm} | 2 | {acc(ticket)} | {end(ticket)} | '
                  f'{stop(ticket)} |', text)
    level0 = summaries('lottery', 0)
    self.assertIn(f'| large_final (ticket) | 0 | 100.0 | 2 | {acc(level0)} |', text)
    self.assertIn('![criteria](results/deconstruction/criteria.png)', text)
    # A claim per trial: signed_reinit - reinit at level 2, in points.
    signed = summaries('kept_signed_reinit', 2)
    diffs = [100 * (a['test_accuracy_at_early_stop'] - b['test_accuracy_at_early_stop'])
             for a, b in zip(signed, reinit)]
    self.assertIn(f'| {dc.measured(diffs)} | - | ', text)
    claims = {line.split(' | ')[1]: line.split(' | ')[-1].rstrip(' |')
              for line in text.splitlines() if line.startswith('| ') and ' pp' in line}
    self.assertEqual(claims['a supermask on the untrained network reaches 86% on MNIST'],
                     'direction only')
    self.assertIn('| +71.00 [+70.00, +72.00] pp (2) | ±1 pp | direction only |', text)
    self.assertEqual(claims['large_final_same_sign masks beat large_final masks at '
                            'initialisation'], 'reproduced')  # +30, +50 pp, both at level 1
    self.assertIn('| +40.00 [+30.00, +50.00] pp (2) |', text)
    # Blocks and claims without runs.
    gmp = text[text.index('## Gradual magnitude'):text.index('## Supermasks at')]
    self.assertIn('**Not run yet:**', gmp)
    learned = text[text.index('## Learned supermasks'):text.index('## The tickets')]
    self.assertIn('**Not run yet:**', learned)
    self.assertIn('| learned | supermask_learned beats', text)
    self.assertTrue(all(line.endswith('| not run |') for line in text.splitlines()
                        if line.startswith('| learned |')))
    self.assertIn('| large_init_large_final is about as good as large_final |', text)
    self.assertIn('- **Not run yet** (', text)
    # Provenance from the sweep records, the root written ROOT; no machine paths anywhere.
    self.assertIn('- **kept:** 2 level-runs, 0.05 task-hours (mean 90 s)', text)
    self.assertIn('`python -m lottery sweep --output_dir=ROOT/lenet_mnist`', text)
    everything = b''.join(files(out).values())
    self.assertNotIn(evidence_root().encode(), everything)
    self.assertNotIn(out.encode(), everything)
    csv = open(os.path.join(out, 'results', 'deconstruction', 'deconstruction.csv')).read()
    self.assertIn(f'kept,reinit,2,{ticket[0]["percent_remaining"]:.4f},2,'
                  f'test_accuracy_at_early_stop,'
                  f'{sum(s["test_accuracy_at_early_stop"] for s in reinit) / 2:.6f},', csv)
    self.assertEqual(csv.splitlines()[0].split(','), list(deconstruction.CSV_COLUMNS))
    with open(os.path.join(evidence_root(), 'supermask_init', 'supermask_init.csv'), 'rb') as f:
      self.assertEqual(files(out)[os.path.join('results', 'deconstruction',
                                               'supermask_init.csv')], f.read())

  def test_claims_cite_the_abstract_or_say_their_section_is_not_verified(self):
    items = dc.entries(dc.Design(), {}, {}, None)
    self.assertLen(items, 19)
    numeric = [e for e in items if e.claim.paper not in (None, 0.0)]
    self.assertEqual([(e.claim.text, e.source, e.claim.paper, e.claim.tolerance)
                      for e in numeric],
                     [('a supermask on the untrained network reaches 86% on MNIST',
                       dc.EIGHTY_SIX, 76.0, 1.0)])
    self.assertIn('(86% on MNIST, 41% on CIFAR-10)', dc.EIGHTY_SIX)
    for entry in items:
      self.assertNotIn('§', entry.source)
      if entry is not numeric[0]:
        self.assertTrue(entry.source.endswith('(direction; section not verified)'), entry.source)
    cited = [e.claim.text for e in items if e.source.startswith('abstract: ')]
    self.assertLen(cited, 10)  # 2 criteria, 4 sign, 3 mask-0 claims and the 86%
    text = open(os.path.join(self.make(), 'DECONSTRUCTION.md')).read()
    self.assertNotIn('§', text)
    self.assertIn('## Sources of the paper\'s statements\n\nOnly the paper\'s abstract could be '
                  'read here, not its body', text)

  def test_regenerates_byte_identically(self):
    first, second = files(self.make()), files(self.make())
    self.assertEqual(first, second)
    again = self.make()
    before = files(again)
    self.make(again)
    self.assertEqual(files(again), before)

  def test_an_empty_root_is_one_error_line(self):
    empty = self.create_tempdir().full_path
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
      code = deconstruction.main(['prog', f'--evidence_root={empty}',
                                  f'--results_dir={empty}/r', f'--report={empty}/D.md'])
    self.assertEqual(code, 1)
    self.assertEqual(err.getvalue(), f'error: {empty}: no finished runs in lenet_mnist/ and no '
                     'supermask_init/supermask_init.csv; run tools/followup_evidence.sh first\n')
    self.assertFalse(os.path.exists(os.path.join(empty, 'D.md')))


if __name__ == '__main__':
  tf.test.main()

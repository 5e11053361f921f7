"""lottery.report.transfer on tiny runs laid out like tools/transfer_evidence.sh's output."""

import functools
import os

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from foundations import experiment
from lottery import levels
from lottery import procedures
from lottery.report import transfer
from lottery.testing import tiny_run

TRIALS, LEVEL, STARTS = (1, 2), 2, ('source_init', 'reinit')
SEEDS = {'a': 0, 'b': 10}  # two "datasets": the same tiny data, different draws


@functools.lru_cache(maxsize=None)
def evidence_root() -> str:
  """tiny_a, tiny_b (lottery, levels 0-2, trials 1-2) and the transfers between them at level 2
  for two starts. Read only."""
  root = tiny_run._tempdir()  # pylint: disable=protected-access
  for name, seed in SEEDS.items():
    for trial in TRIALS:
      tiny_run.run('lottery', os.path.join(root, f'tiny_{name}'),
                   tiny_run.DESC.replace(rounds=2, trial=trial, seed=seed + trial))
  for source, target in (('a', 'b'), ('b', 'a')):
    source_dir = os.path.join(root, f'tiny_{source}')
    for trial in TRIALS:
      desc = tiny_run.DESC.replace(rounds=2, trial=trial, seed=SEEDS[source] + trial)
      for init in STARTS:
        run_desc = desc.replace(transfer_init=init, transfer_source=source_dir,
                                transfer_source_experiment='lottery',
                                transfer_source_dataset=source, experiment_name=f'transfer_{init}')
        levels.run(procedures.get('transfer'), run_desc, tiny_run.tiny_splits(),
                   tiny_run.tiny_network(), os.path.join(root, f'transfer_{source}_to_{target}'),
                   [LEVEL], 'lottery', show_progress=False, source_dir=source_dir)
  return root


def summaries(directory: str, experiment_name: str, level: int):
  return [experiment.LevelStore(os.path.join(evidence_root(), directory), t, experiment_name)
          .load_summary(level) for t in TRIALS]


def cell(values, scale=100.0, digits=2) -> str:
  values = [v * scale for v in values]
  return (f'{sum(values) / len(values):.{digits}f} [{min(values):.{digits}f}, '
          f'{max(values):.{digits}f}]')


def files(directory: str) -> dict:
  out = {}
  for name in sorted(os.listdir(directory)):
    with open(os.path.join(directory, name), 'rb') as f:
      out[name] = f.read()
  return out


class TransferReportTest(tf.test.TestCase):

  def make(self, *args) -> str:
    results = os.path.join(self.create_tempdir().full_path, 'results')
    code = transfer.main(['prog', f'--evidence_root={evidence_root()}',
                          f'--results_dir={results}', '--datasets=a,b', '--prefix=tiny', *args])
    self.assertEqual(code, 0)
    return results

  def test_tables_hold_each_start_against_the_targets_own_ticket(self):
    results = self.make('--trials=1,2')
    self.assertEqual(sorted(os.listdir(results)), ['transfer.csv', 'transfer.md',
                                                    'transfer_a_to_b.png', 'transfer_b_to_a.png'])
    text = open(os.path.join(results, 'transfer.md')).read()
    section = text[text.index('## a -> b'):text.index('## b -> a')]
    rows = [line for line in section.splitlines() if line.startswith('| ') and
            not line.startswith('| run')]
    self.assertEqual([r.split(' | ')[0][2:] for r in rows],
                     ['dense', 'own ticket', 'source_init', 'reinit'])
    own = summaries('tiny_b', 'lottery', LEVEL)
    dense = summaries('tiny_b', 'lottery', 0)
    init = summaries('transfer_a_to_b', 'transfer_source_init', LEVEL)
    pm = f'{own[0]["percent_remaining"]:.1f}'
    self.assertEqual(rows[0], f'| dense | 0 | 100.0 | 2 | '
                     f'{cell([s["test_accuracy_at_early_stop"] for s in dense])} | - | - | '
                     f'{cell([s["final_test_accuracy"] for s in dense])} | '
                     f'{cell([s["early_stop_iteration"] for s in dense], 1, 0)} |')
    mean = lambda got: sum(s['test_accuracy_at_early_stop'] for s in got) / len(got)
    diff, diff0 = 100 * (mean(init) - mean(own)), 100 * (mean(init) - mean(dense))
    self.assertEqual(rows[2], f'| source_init | {LEVEL} | {pm} | 2 | '
                     f'{cell([s["test_accuracy_at_early_stop"] for s in init])} | {diff:+.2f} | '
                     f'{diff0:+.2f} | '
                     f'{cell([s["final_test_accuracy"] for s in init])} | '
                     f'{cell([s["early_stop_iteration"] for s in init], 1, 0)} |')
    self.assertIn('![a -> b](transfer_a_to_b.png)', text)
    csv = open(os.path.join(results, 'transfer.csv')).read().splitlines()
    self.assertEqual(csv[0].split(','), list(transfer.CSV_COLUMNS))
    self.assertLen(csv, 1 + 2 * 4)
    cells = csv[3].split(',')
    self.assertEqual(cells[:4] + cells[5:6], ['a', 'b', 'source_init', '2', '2'])
    self.assertEqual(cells[4], f'{own[0]["percent_remaining"]:.4f}')
    self.assertEqual(float(cells[6]),
                     round(sum(s['test_accuracy_at_early_stop'] for s in init) / 2, 6))
    self.assertNotIn(evidence_root(), text + '\n'.join(csv))  # no machine paths

  def test_regenerates_byte_identically(self):
    first, second = self.make(), self.make()
    self.assertEqual(files(first), files(second))
    self.make_again_into(first)

  def make_again_into(self, results: str) -> None:
    before = files(results)
    self.assertEqual(transfer.main(['prog', f'--evidence_root={evidence_root()}',
                                    f'--results_dir={results}', '--datasets=a,b',
                                    '--prefix=tiny']), 0)
    self.assertEqual(files(results), before)

  def test_one_trial_and_refusals(self):
    text = open(os.path.join(self.make('--trials=2'), 'transfer.md')).read()
    self.assertIn(f'| reinit | {LEVEL} |', text)
    trials = {line.split(' | ')[3] for line in text.splitlines()
              if line.startswith('| ') and not line.startswith('| run')}
    self.assertEqual(trials, {'1'})  # one trial everywhere
    empty = self.create_tempdir().full_path
    self.assertEqual(transfer.main(['prog', f'--evidence_root={empty}',
                                    f'--results_dir={empty}/r']), 1)
    self.assertEqual(transfer.main(['prog', '--datasets=a']), 1)


if __name__ == '__main__':
  tf.test.main()

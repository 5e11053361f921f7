"""blocks.read on hand-made sweep_tasks.csv and sweep_log.csv files."""

import os

from absl.testing import absltest

from lottery.report import blocks

TASKS = """time,task,status,node,host,pid,seconds,percent_remaining,early_stop_iteration,test_accuracy_at_early_stop,error
2026-12-03 10:00:00,lottery/trial1/level0,done,n,vm,1,60.0,100.0,5000,0.98,
2026-12-03 11:00:00,lottery/trial1/level1,failed,n,vm,1,5.0,,,,boom
2026-12-03 11:05:00,lottery/trial1/level1,done,n,vm,1,90.0,80.0,4000,0.98,
2026-12-03 11:06:00,reinit/trial1/level1,done,n,vm,1,30.0,80.0,4000,0.97,
2026-12-03 12:00:00,lottery/trial2/level0,done,n,vm,1,70.0,100.0,5000,0.98,
2026-12-03 12:10:00,lottery/trial2/level0,done,n,vm,1,80.0,100.0,5000,0.98,
"""
LOG = """time,event,code_version,cpu,workers,tasks,command
2026-12-03 11:00:30,started,abc123,"EPYC (2 cores, AVX-512)",2,9,python -m lottery sweep --trials=2
2026-12-03 11:30:00,interrupted,abc123,"EPYC (2 cores, AVX-512)",2,9,python -m lottery sweep --trials=2
2026-12-03 11:59:00,started,def456-dirty,"Xeon (4 cores, AVX2)",4,9,python -m lottery sweep --trials=2 --workers=4
"""


class BlocksTest(absltest.TestCase):

  def folder(self, log=True):
    out = self.create_tempdir().full_path
    with open(os.path.join(out, 'sweep_tasks.csv'), 'w') as f:
      f.write(TASKS)
    if log:
      with open(os.path.join(out, 'sweep_log.csv'), 'w') as f:
        f.write(LOG)
    return out

  def test_counts_each_task_once_and_attributes_it_to_the_invocation_that_made_it(self):
    block = blocks.read(self.folder(), ['lottery'], 'lenet')
    # trial1/level0 (before any log line), trial1/level1 (its last line), trial2/level0 (last).
    self.assertEqual(block.level_runs, 3)
    self.assertEqual(block.task_seconds, 60.0 + 90.0 + 80.0)
    self.assertEqual((block.first, block.last), ('2026-12-03 10:00:00', '2026-12-03 12:10:00'))
    self.assertEqual(block.versions, {blocks.UNRECORDED: 1, 'abc123': 1, 'def456-dirty': 1})
    self.assertEqual(block.cpus, {blocks.UNRECORDED: 1, 'EPYC (2 cores, AVX-512)': 1,
                                  'Xeon (4 cores, AVX2)': 1})
    self.assertEqual(block.markdown().splitlines()[:2], [
        '- **lenet:** 3 level-runs, 0.06 task-hours (mean 77 s), finished between '
        '2026-12-03 10:00 and 2026-12-03 12:10',
        '  - code version: `abc123` (1); `def456-dirty` (1); not recorded (1)'])
    self.assertIn('  - command (1 level-runs): `python -m lottery sweep --trials=2 --workers=4`',
                  block.markdown())

  def test_filters_by_experiment_trial_and_level(self):
    out = self.folder()
    self.assertEqual(blocks.read(out, ['reinit'], 'r').level_runs, 1)
    self.assertEqual(blocks.read(out, ['lottery', 'reinit'], 'x', trials=[1]).level_runs, 3)
    self.assertEqual(blocks.read(out, ['lottery'], 'x', levels=[0]).level_runs, 2)

  def test_unroot_writes_the_evidence_root_as_root(self):
    root = self.create_tempdir().full_path
    text = f'`python -m lottery sweep --output_dir={root}/lenet --transfer_source={root}/x`'
    self.assertEqual(blocks.unroot(text, root),
                     '`python -m lottery sweep --output_dir=ROOT/lenet --transfer_source=ROOT/x`')

  def test_a_folder_without_a_log_or_without_tasks(self):
    block = blocks.read(self.folder(log=False), ['lottery'], 'old')
    self.assertEqual(block.versions, {blocks.UNRECORDED: 3})
    self.assertIn('command: not recorded (3 level-runs)', block.markdown())
    empty = blocks.read(self.create_tempdir().full_path, ['lottery'], 'none')
    self.assertEqual(empty.level_runs, 0)
    self.assertEqual(empty.markdown(),
                     '- **none:** no level-runs in its sweep_tasks.csv (not made by a sweep).\n')


if __name__ == '__main__':
  absltest.main()

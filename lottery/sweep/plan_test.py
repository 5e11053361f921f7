"""The sweep's task graph and command line, without Ray: counts, dependencies, errors."""

from absl.testing import absltest

from foundations import hparams
from lottery import train_command
from lottery.sweep import command
from lottery.sweep import plan

Task = plan.Task


class PlanTest(absltest.TestCase):

  def test_section2_graph(self):
    args = command.parse(['p', '--trials=5', '--control_levels=3,7,9,12,15,18',
                        '--one_shot_levels=1,2,3,5,7,9,12'])
    counts = plan.counts(args.tasks)
    self.assertLen(args.tasks, 190)
    self.assertEqual({k: sum(v.values()) for k, v in counts.items()},
                     {'lottery': 95, 'reinit': 30, 'random_prune': 30, 'one_shot': 35})
    self.assertEqual(counts['reinit'], {3: 5, 7: 5, 9: 5, 12: 5, 15: 5, 18: 5})
    self.assertEqual(args.desc.to_dict()['network'], 'lenet300_100')
    self.assertIn('190 level-runs:', plan.describe(args.tasks))

  def test_dependencies(self):
    self.assertEqual(plan.dependencies(Task('lottery', 2, 0)), [])
    self.assertEqual(plan.dependencies(Task('lottery', 2, 5)), [Task('lottery', 2, 4)])
    self.assertEqual(plan.dependencies(Task('reinit', 1, 3)), [Task('lottery', 1, 3)])
    self.assertEqual(plan.dependencies(Task('random_prune', 1, 3)),
                     [Task('lottery', 1, 0), Task('lottery', 1, 3)])
    self.assertEqual(plan.dependencies(Task('one_shot', 1, 7)), [Task('lottery', 1, 0)])
    self.assertEqual(plan.dependencies(Task('continued_training', 1, 3)),
                     [Task('continued_training', 1, 2)])

  def test_dependencies_are_added_and_come_first(self):
    tasks = plan.plan(['continued_training'], [1], rounds=5,
                            levels={'continued_training': [3]})
    self.assertEqual(tasks, [Task('lottery', 1, 0), Task('continued_training', 1, 1),
                             Task('continued_training', 1, 2), Task('continued_training', 1, 3)])
    position = {t: i for i, t in enumerate(plan.plan(
        ['lottery', 'reinit', 'one_shot'], [1, 2], rounds=3, levels={}))}
    for task in position:
      for dep in plan.dependencies(task):
        self.assertLess(position[dep], position[task], (dep, task))

  def test_trial_t_uses_seed_t(self):
    desc = plan.trial_desc(hparams.Desc(), 4, 'reinit')
    self.assertEqual((desc.trial, desc.seed, desc.experiment_name), (4, 4, 'reinit'))

  def test_bad_command_lines(self):
    cases = {
        ('--procedures=lottery,bogus',): 'unknown bogus',
        ('--control_levels=3,x',): '--control_levels=3,x: expected integers',
        ('--control_levels=30',): 'level 30 is deeper than --rounds=18',
        ('--trials=0',): '--trials=0: must be >= 1',
        ('--workers=0',): '--workers=0: must be >= 1',  # an embedded node without a CPU hangs
        ('--workers=-2',): '--workers=-2: must be >= 1',
        ('--network=conv9',): '--network=conv9: expected one of',
    }
    for args, message in cases.items():
      with self.assertRaises((train_command.InputError, hparams.HparamsError)) as e:
        command.parse(['p', *args])
      self.assertIn(message, str(e.exception))
    self.assertIn('--ray_address', command.parse(['p', '--help']).help)


if __name__ == '__main__':
  absltest.main()

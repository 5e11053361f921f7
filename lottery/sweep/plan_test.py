"""The sweep's task graph and command line, without Ray: counts, dependencies, errors."""

import os

from absl.testing import absltest

from foundations import hparams
from foundations import paths
from foundations import save_restore
from lottery import networks
from lottery import train_command
from lottery.sweep import command
from lottery.sweep import driver
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

  def test_variant_procedures_record_their_hparams_and_read_the_lottery_run(self):
    desc = plan.trial_desc(hparams.Desc(), 2, 'criterion_movement')
    self.assertEqual((desc.pruning.mask_criterion, desc.experiment_name),
                     ('movement', 'criterion_movement'))
    self.assertEqual(plan.trial_desc(hparams.Desc(), 2, 'kept_reshuffle').pruning.kept_init,
                     'reshuffle')
    self.assertEqual(plan.trial_desc(hparams.Desc(), 2).pruning.mask_criterion, 'large_final')
    tasks = plan.plan(['criterion_movement', 'pruned_freeze_init'], [1], rounds=5,
                      levels={'criterion_movement': [2], 'pruned_freeze_init': [3]})
    self.assertEqual(tasks, [Task('lottery', 1, 0), Task('lottery', 1, 1),
                             Task('criterion_movement', 1, 1), Task('lottery', 1, 2),
                             Task('criterion_movement', 1, 2), Task('lottery', 1, 3),
                             Task('pruned_freeze_init', 1, 3)])
    args = command.parse(['p', '--trials=3', '--rounds=15', '--control_levels=1,2,3,4,5,6,7,8,9,'
                          '10,11,12', '--procedures=criterion_movement,criterion_random'])
    self.assertEqual({k: sum(v.values()) for k, v in plan.counts(args.tasks).items()},
                     {'lottery': 3, 'criterion_movement': 36, 'criterion_random': 36})
    with self.assertRaisesRegex(hparams.HparamsError, '--kept_init=reinit: the kept_reshuffle '
                                'procedure sets kept_init=reshuffle'):
      command.parse(['p', '--procedures=kept_reshuffle', '--kept_init=reinit'])

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



class TransferPlanTest(absltest.TestCase):
  """--procedures=transfer: tasks per start over lottery runs in another directory."""

  def setUp(self):
    super().setUp()
    self.source = self.create_tempdir().full_path
    self.out = os.path.join(self.create_tempdir().full_path, 'out')
    preset = networks.get('lenet300_100').presets(0.0)['paper']
    for trial in (1, 2):
      desc = plan.trial_desc(preset.replace(rounds=15), trial)
      save_restore.save_json(paths.hparams(self.source, trial, 'lottery'), desc.to_dict())

  def parse(self, *args):
    return command.parse(['p', '--procedures=transfer', f'--transfer_source={self.source}',
                          f'--output_dir={self.out}', '--trials=2', *args])

  def test_tasks_descriptions_and_where_their_sources_are(self):
    args = self.parse('--dataset=fashion_mnist', '--control_levels=3,7',
                      '--transfer_inits=source_init,reinit')
    self.assertEqual(plan.counts(args.tasks), {'transfer_source_init': {3: 2, 7: 2},
                                               'transfer_reinit': {3: 2, 7: 2}})
    self.assertEqual(str(args.tasks[0]), 'transfer_reinit/trial1/level3')
    self.assertFalse(args.analyze)
    task = plan.Task('transfer', 2, 7, 'reinit')
    self.assertIn(task, args.tasks)
    self.assertEqual(plan.dependencies(task), [Task('lottery', 2, 7)])
    self.assertEqual(driver.dependency_dirs(args, task), [(Task('lottery', 2, 7), self.source)])
    desc = driver.task_desc(args, 2, 'transfer_reinit', recorded=False)
    self.assertEqual(desc, driver.task_desc(args, 2, 'transfer_reinit'))
    self.assertEqual((desc.seed, desc.trial, desc.dataset.dataset, desc.experiment_name,
                      desc.source.transfer_source, desc.source.transfer_source_dataset),
                     (2, 2, 'fashion_mnist', 'transfer_reinit', os.path.abspath(self.source),
                      'mnist'))
    self.assertLen(self.parse('--dataset=fashion_mnist').tasks, 2 * 4 * 15)
    self.assertFalse(os.path.exists(self.out))

  def test_other_sweeps_keep_their_descriptions_and_dirs(self):
    args = command.parse(['p', '--trials=1', '--rounds=3', f'--output_dir={self.out}'])
    self.assertEqual(driver.dependency_dirs(args, Task('reinit', 1, 3)),
                     [(Task('lottery', 1, 3), self.out)])
    self.assertEqual(driver.task_desc(args, 1, 'reinit', recorded=False).experiment_name,
                     'lottery')
    self.assertEqual(driver.task_desc(args, 1, 'reinit').experiment_name, 'reinit')

  def test_bad_transfer_command_lines(self):
    cases = {
        ('--dataset=fashion_mnist', '--procedures=transfer,reinit'):
            '--procedures=transfer runs alone, with --transfer_source',
        ('--dataset=fashion_mnist', '--learning_rate=0.1'):
            '--learning_rate: a transfer sweep takes the hyperparameters',
        (): '--dataset is required',
        ('--dataset=fashion_mnist', '--transfer_inits=warm'):
            '--transfer_inits=warm: expected some of source_init, source_trained',
        ('--dataset=cifar10',): '--dataset=cifar10: lenet300_100 takes 28x28x1 inputs',
        ('--dataset=mnist', '--trials=3'): 'trial3/lottery.hparams.json: no lottery run found',
    }
    for args, message in cases.items():
      with self.assertRaises((train_command.InputError, hparams.HparamsError)) as e:
        self.parse(*args)
      self.assertIn(message, str(e.exception))
      self.assertNotIn('\n', str(e.exception))
    with self.assertRaisesRegex(train_command.InputError, 'with --transfer_source'):
      command.parse(['p', '--procedures=transfer', '--dataset=mnist'])


if __name__ == '__main__':
  absltest.main()

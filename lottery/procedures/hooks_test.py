"""What each procedure declares instead of being tested by name: directory, rewind point,
training mode and report section (no TensorFlow: nothing is trained here)."""

import dataclasses

from absl.testing import absltest

from foundations import hparams
from lottery import level_models
from lottery import procedures
from lottery.procedures import gmp
from lottery.procedures import supermask

DESC = hparams.Desc().replace(experiment_name='mine', training_iterations=100)


class HooksTest(absltest.TestCase):

  def test_only_the_lottery_run_and_transfer_are_named_by_the_description(self):
    # transfer's description is its own (adapt_desc names it transfer_<start>).
    names = {name: procedures.get(name).experiment_name(DESC) for name in procedures.names()}
    generated = {name: name for name in procedures.names() if procedures.get(name).family}
    self.assertLen(generated, 19)  # criterion_*, kept_*, pruned_* (lottery.procedures.deconstruct)
    self.assertEqual(names, {'lottery': 'mine', 'reinit': 'reinit', 'random_prune': 'random_prune',
                             'random_prune2': 'random_prune2', 'one_shot': 'one_shot',
                             'continued_training': 'continued_training', 'gmp': 'gmp',
                             'transfer': 'mine', **generated,
                             **{name: name for name in supermask.VARIANTS}})

  def test_only_level_0_of_a_late_resetting_lottery_run_saves_a_rewind_point(self):
    lottery = procedures.get('lottery')
    late = DESC.replace(rewind_iteration=20)
    self.assertEqual([lottery.rewind_point(late, level) for level in (0, 1, 2)], [20, None, None])
    self.assertIsNone(lottery.rewind_point(DESC, 0))  # rewind_iteration 0: theta_0, no snapshot
    for name in procedures.names():
      if name != 'lottery':
        self.assertIsNone(procedures.get(name).rewind_point(late, 0), name)

  def test_only_gmp_and_supermasks_change_masks_while_training_and_gmp_adds_a_report(self):
    for name in procedures.names():
      procedure = procedures.get(name)
      if name in supermask.VARIANTS:
        self.assertEqual(procedure.training.__qualname__, 'make_training.<locals>.training')
      else:
        expected = gmp.gradual_model if name == 'gmp' else level_models.fixed_masks
        self.assertIs(procedure.training, expected, name)
      self.assertEqual(procedure.report,
                       'lottery.report.sections:gmp_versus_tickets' if name == 'gmp' else '', name)

  def test_only_learned_supermasks_describe_their_own_training(self):
    for name in procedures.names():
      described = procedures.get(name).describe(DESC)
      if name in supermask.VARIANTS:
        self.assertEqual((described.training.optimizer, described.training.batch_size),
                         ('momentum', 250))
        self.assertEqual(dataclasses.replace(described, training=DESC.training), DESC)
      else:
        self.assertIs(described, DESC, name)


if __name__ == '__main__':
  absltest.main()

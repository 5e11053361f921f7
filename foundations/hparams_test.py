"""Hyperparameter groups: flat round trip, validation messages, flags generated from fields."""

from absl import flags
from absl.testing import absltest

from foundations import cli
from foundations import hparams


class HparamsTest(absltest.TestCase):

  def test_flat_round_trip_and_grouping(self):
    desc = hparams.Desc().replace(learning_rate=0.1, rounds=3, dataset='cifar10', trial=2)
    self.assertEqual(hparams.from_flat(desc.to_dict()), desc)
    self.assertEqual((desc.training.learning_rate, desc.pruning.rounds, desc.dataset.dataset,
                      desc.trial), (0.1, 3, 'cifar10', 2))
    self.assertNotIn('rounds', desc.results_key())
    self.assertEqual(len(desc.to_dict()), 33)  # + mask_criterion, kept_init, pruned_weights, 4 source fields
    # Old files lacking newer fields read as the defaults; unknown keys are ignored.
    self.assertEqual(hparams.from_flat({'seed': 4, 'no_such_field': 1}),
                     hparams.Desc().replace(seed=4))

  def test_validation_names_the_flag(self):
    cases = {
        'prune_percent': (100.0, '--prune_percent=100.0: must be in [0, 100)'),
        'training_iterations': (0, '--training_iterations=0: must be positive'),
        'test_size': (-1, '--test_size=-1: must be >= 0'),
        'optimizer': ('rmsprop', '--optimizer=rmsprop: expected one of adam, sgd, momentum'),
        'pruning_scope': ('all', '--pruning=all: expected one of layerwise, global'),
        'rewind_iteration': (60000, '--rewind_iteration=60000: must be in [0, '
                             '--training_iterations=50000]'),
        'experiment_name': ('a/b', "--experiment_name='a/b': must be a plain name"),
        'kept_init': ('fresh', '--kept_init=fresh: expected one of rewind, reinit, reshuffle, '
                      'signed_reinit, signed_reshuffle, signed_constant, rand_signed_constant'),
        'pruned_weights': ('init', '--pruned_weights=init: expected one of zero, freeze_init, '
                           'freeze_init_zero_mask'),
    }
    for name, (value, message) in cases.items():
      with self.assertRaisesWithLiteralMatch(hparams.HparamsError, message):
        hparams.Desc().replace(**{name: value}).validate()

  def test_deconstruct_fields_default_to_the_ticket_and_take_the_registry_choices(self):
    pruning = hparams.Desc().pruning
    self.assertEqual((pruning.mask_criterion, pruning.kept_init, pruning.pruned_weights),
                     ('large_final', 'rewind', 'zero'))
    with self.assertRaisesRegex(hparams.HparamsError,
                                r'^--mask_criterion=biggest: expected one of large_final, '
                                'small_final, '):
      hparams.Desc().replace(mask_criterion='biggest').validate()
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--mask_criterion=movement: needs --pruning_rule=exact (the '
        'reference rule is a magnitude cutoff)'):
      hparams.Desc().replace(mask_criterion='movement', pruning_rule='reference').validate()
    stored = hparams.Desc().replace(mask_criterion='movement', kept_init='reshuffle',
                                    pruned_weights='freeze_init')
    self.assertEqual(hparams.from_flat(stored.to_dict()), stored)
    fv = flags.FlagValues()
    cli.define_hparam_flags(fv)
    cli.parse(fv, ['p', '--mask_criterion=random', '--pruned_weights=freeze_init_zero_mask'])
    self.assertEqual(cli.hparam_overrides(fv), {'mask_criterion': 'random',
                                                'pruned_weights': 'freeze_init_zero_mask'})

  def test_flags_are_generated_from_every_field(self):
    fv = flags.FlagValues()
    cli.define_hparam_flags(fv)
    names = {hparams.flag_name(f) for _, f in hparams.leaf_fields() if hparams.has_flag(f)}
    self.assertEqual(names & set(fv), names)
    # The transfer procedure sets its fields from its own flags: the other runners lack them.
    self.assertEqual({f.name for _, f in hparams.leaf_fields() if not hparams.has_flag(f)},
                     {'transfer_init', 'transfer_source', 'transfer_source_experiment',
                      'transfer_source_dataset'})
    self.assertNotIn('transfer_init', fv)
    self.assertIn('pruning', names)  # pruning_scope's flag keeps its historical name
    cli.parse(fv, ['prog', '--prune_percent=30', '--pruning=global', '--rounds=2'])
    self.assertEqual(cli.hparam_overrides(fv), {'prune_percent': 30.0, 'pruning_scope': 'global',
                                                'rounds': 2})

  def test_output_rate_follows_prune_percent_alike_in_python_and_flags(self):
    # A preset whose output rate is not half its hidden rate: changing the hidden rate alone
    # resets the output rate to half of it, however the change is made.
    preset = hparams.Desc().replace(prune_percent=40, output_prune_percent=7)
    self.assertEqual(preset.pruning.output_prune_percent, 7)

    def parsed(*argv):
      fv = flags.FlagValues()
      cli.define_hparam_flags(fv)
      cli.parse(fv, ['prog', *argv])
      return preset.replace(**cli.hparam_overrides(fv))

    by_python = preset.replace(prune_percent=30)
    self.assertEqual(by_python.pruning.output_prune_percent, 15.0)
    self.assertEqual(by_python, parsed('--prune_percent=30'))
    # An explicit output rate wins, given before or after, in Python or as a flag.
    explicit = preset.replace(prune_percent=30, output_prune_percent=5)
    self.assertEqual(explicit.pruning.output_prune_percent, 5)
    self.assertEqual(explicit, parsed('--prune_percent=30', '--output_prune_percent=5'))
    self.assertEqual(explicit, parsed('--output_prune_percent=5', '--prune_percent=30'))
    self.assertEqual(preset.replace(output_prune_percent=5).pruning.prune_percent, 40)
    # Construction follows the same rule; other changes leave the output rate alone.
    self.assertEqual(hparams.PruningHparams(prune_percent=30).output_prune_percent, 15.0)
    self.assertEqual(hparams.PruningHparams().output_prune_percent, 10.0)
    self.assertEqual(preset.replace(rounds=3).pruning.output_prune_percent, 7)

  def test_stored_descriptions_read_back_equal(self):
    # hparams.json files hold every field explicitly: they read back as written.
    stored = hparams.Desc().replace(prune_percent=30, output_prune_percent=12).to_dict()
    self.assertEqual(hparams.from_flat(stored).to_dict(), stored)
    self.assertEqual(hparams.from_flat(hparams.Desc().to_dict()), hparams.Desc())

  def test_transfer_group_leaves_older_runs_equal(self):
    desc = hparams.Desc().replace(rounds=3, learning_rate=0.1)
    older = {k: v for k, v in desc.to_dict().items() if not k.startswith('transfer_')}
    self.assertEqual(hparams.from_flat(older).results_key(), desc.results_key())
    self.assertNotIn('[transfer]', desc.describe())
    moved = desc.replace(transfer_init='reinit', transfer_source='/r', transfer_source_dataset='a',
                         transfer_source_experiment='lottery').validate()
    self.assertIn('transfer_source_dataset    = a', moved.describe())
    self.assertNotEqual(moved.results_key(), desc.results_key())
    with self.assertRaisesWithLiteralMatch(hparams.HparamsError, '--transfer_init=warm: expected '
                                           'one of source_init, source_trained, reinit, '
                                           'random_mask'):
      moved.replace(transfer_init='warm').validate()
    with self.assertRaisesRegex(hparams.HparamsError, 'set together or not at all'):
      desc.replace(transfer_init='reinit').validate()

  def test_bad_command_lines_are_one_line_usage_errors(self):
    for argv, message in ((['p', 'stray'], 'unexpected arguments: stray'),
                          (['p', '--rounds=two'], 'rounds'),
                          (['p', '--no_such_flag=1'], 'no_such_flag')):
      fv = flags.FlagValues()
      cli.define_hparam_flags(fv)
      with self.assertRaises(cli.UsageError) as e:
        cli.parse(fv, argv)
      self.assertIn(message, str(e.exception))
      self.assertNotIn('\n', str(e.exception))


if __name__ == '__main__':
  absltest.main()

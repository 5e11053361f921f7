"""Command lines parsed in-process: presets, overrides, per-network rounds, errors, --help."""

import os
import subprocess
import sys

from absl.testing import absltest
import numpy as np

from foundations import cli
from foundations import hparams
from foundations import paths
from foundations import save_restore
from lottery import procedure_command
from lottery import train_command

LENET, CONV = ('lenet300_100',), ('conv2', 'conv4', 'conv6')


def train(*args, networks=LENET):
  return train_command.parse_train(['prog', *args], networks)


def flat(inv, *names):
  d = inv.desc.to_dict()
  return tuple(d[n] for n in names)


class ParseTrainTest(absltest.TestCase):

  def test_lenet_paper_defaults_and_overrides(self):
    inv = train('--prune_percent=20')
    self.assertEqual(flat(inv, 'network', 'dataset', 'training_iterations', 'learning_rate',
                          'rounds', 'output_prune_percent'),
                     ('lenet300_100', 'mnist', 50000, 1.2e-3, 18, 10.0))
    self.assertEqual((inv.output_dir, inv.threads, inv.preset), ('runs', 1, 'paper'))
    self.assertEqual(flat(train('--prune_percent=30'), 'output_prune_percent'), (15.0,))
    paper = train('--rounds=5').desc  # the preset: a change in Python gives what the flag gives
    self.assertEqual(train('--rounds=5', '--prune_percent=30').desc,
                     paper.replace(prune_percent=30))
    self.assertEqual(flat(train('--prune_percent=30', '--output_prune_percent=5'),
                          'output_prune_percent'), (5.0,))
    self.assertEqual(flat(train('--preset=reference'), 'optimizer', 'learning_rate',
                          'batch_size', 'validation_size', 'normalization', 'pruning_rule'),
                     ('sgd', 0.1, 64, 0, 'l2', 'reference'))
    self.assertEqual(flat(train('--pruning=global', '--normalization=standard'),
                          'pruning_scope', 'normalization'), ('global', 'standard'))
    self.assertEqual(flat(train('--rounds=3'), 'rounds'), (3,))

  def test_network_and_dropout_pick_the_conv_preset(self):
    def conv(*args):
      return flat(train(*args, networks=CONV), 'network', 'training_iterations', 'learning_rate',
                  'dropout')
    self.assertEqual(conv(), ('conv2', 20000, 2e-4, 0.0))
    self.assertEqual(conv('--network=conv6'), ('conv6', 30000, 3e-4, 0.0))
    for network, iterations, lr in (('conv2', 60000, 3e-4), ('conv4', 75000, 2e-4),
                                    ('conv6', 90000, 2e-4)):
      self.assertEqual(conv(f'--network={network}', '--dropout=0.5'),
                       (network, iterations, lr, 0.5))
    self.assertEqual(conv('--network=conv6', '--dropout=0.5', '--learning_rate=1e-3',
                          '--training_iterations=7'), ('conv6', 7, 1e-3, 0.5))
    self.assertEqual(flat(train('--network=conv4', '--prune_percent=30', networks=CONV),
                          'prune_percent', 'output_prune_percent', 'conv_prune_percent'),
                     (30.0, 15.0, 10.0))

  def test_default_rounds_are_per_network(self):
    self.assertEqual(flat(train(), 'rounds'), (18,))  # LeNet: Pm 1.9%
    rounds = {n: flat(train(f'--network={n}', networks=CONV), 'rounds')[0] for n in CONV}
    self.assertEqual(rounds, {'conv2': 18, 'conv4': 21, 'conv6': 22})  # Pm <= 2.0%

  def test_errors_are_one_line_and_name_the_flag(self):
    cases = {
        ('--prune_percent=0',): (hparams.HparamsError, '--prune_percent=0.0: the default '
                                 '--rounds prunes until Pm <= 1.9%, which these rates never '
                                 'reach; give --rounds'),
        ('--prune_percent=-5',): (hparams.HparamsError, '--prune_percent=-5.0: must be in '
                                  '[0, 100)'),
        ('--preset=bogus',): (hparams.HparamsError, '--preset=bogus: expected one of paper, '
                              'reference'),
        ('--network=conv2',): (hparams.HparamsError, '--network=conv2: expected one of '
                               'lenet300_100'),
        ('--threads=0',): (train_command.InputError, '--threads=0: must be positive'),
        ('stray',): (cli.UsageError, 'unexpected arguments: stray (flags start with --; see '
                     '--help)'),
    }
    for args, (error, message) in cases.items():
      with self.assertRaisesWithLiteralMatch(error, message):
        train(*args)

  def test_initial_weights_are_checked_before_anything_runs(self):
    d = self.create_tempdir().full_path
    good, bad = os.path.join(d, 'good.npz'), os.path.join(d, 'bad.npz')
    shapes = {'layer0': (784, 300), 'layer1': (300, 100), 'layer2': (100, 10)}
    save_restore.save_npz(good, {k: np.zeros(s, np.float32) for k, s in shapes.items()})
    save_restore.save_npz(bad, {k: np.zeros((784, 200) if k == 'layer0' else s, np.float32)
                                for k, s in shapes.items()})
    inv = train('--preset=reference', f'--initial_weights={good}')
    self.assertEqual(flat(inv, 'initial_weights'), (good,))
    with self.assertRaisesWithLiteralMatch(
        train_command.InputError, f"--initial_weights: {bad}: layer 'layer0' has shape (784, 200), "
        'expected (784, 300)'):
      train(f'--initial_weights={bad}')
    with self.assertRaisesWithLiteralMatch(
        train_command.InputError, f'--initial_weights: {d}: holds layers [], expected '
        "['layer0', 'layer1', 'layer2']"):
      train(f'--initial_weights={d}')  # a directory without <layer>.npy files

  def test_dataset_must_fit_the_network(self):
    self.assertEqual(flat(train('--dataset=fashion_mnist'), 'dataset'), ('fashion_mnist',))
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 '
        'classes; cifar10 has 32x32x3 inputs'):
      train('--dataset=cifar10')
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--dataset=mnist: conv2 takes 32x32x3 inputs with 10 classes; '
        'mnist has 28x28x1 inputs'):
      train('--dataset=mnist', networks=CONV)
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--dataset=fashion: expected one of cifar10, fashion_mnist, mnist'):
      train('--dataset=fashion')

  def test_help_lists_generated_flags_and_preset_defaults(self):
    text = ' '.join(train('--help').help.split())
    for flag in ('--prune_percent', '--output_prune_percent', '--rounds', '--training_iterations',
                 '--eval_every', '--batch_size', '--learning_rate', '--output_dir', '--data_dir',
                 '--trial', '--seed', '--preset', '--pruning', '--normalization'):
      self.assertIn(flag, text)
    self.assertIn('[paper: 0.0012, reference: 0.1]', text)
    conv_help = ' '.join(train('--help', networks=CONV).help.split())
    self.assertIn('[conv2: 20000, conv4: 25000, conv6: 30000]', conv_help)

  def test_parsing_loads_no_tensorflow(self):
    code = ('import sys; from lottery import train_command; '
            'train_command.parse_train(["p", "--prune_percent=20"], ["lenet300_100"]); '
            'print("tensorflow" in sys.modules)')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    self.assertEqual(result.stdout.strip(), 'False')


class ParseProcedureTest(absltest.TestCase):

  def test_reads_the_lottery_runs_hyperparameters(self):
    out = self.create_tempdir().full_path
    missing = f'{paths.hparams(out, 1, "lottery")}: no lottery run found; run the train runner ' \
              'with this --output_dir and --trial first'
    with self.assertRaisesWithLiteralMatch(train_command.InputError, missing):
      procedure_command.parse_procedure(['p', f'--output_dir={out}'], 'reinit')
    desc = train('--rounds=2', '--learning_rate=0.5').desc
    save_restore.save_json(paths.hparams(out, 1, 'lottery'), desc.to_dict())
    inv = procedure_command.parse_procedure(['p', f'--output_dir={out}', '--levels=2,1'], 'one_shot')
    self.assertEqual((inv.desc, inv.levels, inv.procedure), (desc, [2, 1], 'one_shot'))
    with self.assertRaisesWithLiteralMatch(train_command.InputError, '--levels=two: expected integers'):
      procedure_command.parse_procedure(['p', f'--output_dir={out}', '--levels=two'], 'reinit')
    with self.assertRaisesRegex(
        train_command.InputError, '^--procedure=bogus: expected one of lottery, reinit, random_prune, '
        'random_prune2, one_shot, continued_training, gmp, transfer, criterion_'):
      procedure_command.parse_procedure(['p', f'--output_dir={out}', '--procedure=bogus'])
    self.assertIn('--levels', procedure_command.parse_procedure(['p', '--help'], 'reinit').help)
    self.assertFalse(os.path.exists(paths.run(out, 1, 0, 'reinit')))


if __name__ == '__main__':
  absltest.main()

"""The transfer procedure from the command line: parsing, refusals, and MNIST -> Fashion-MNIST."""

import json
import os
import shutil
import tempfile

from absl.testing import absltest
import numpy as np

from foundations import hparams
from foundations import paths
from foundations import save_restore
from lottery import networks
from lottery import procedure_command
from lottery.testing import subprocess_run



def fake_source(root: str) -> str:
  """An output dir holding only a LeNet/MNIST lottery run's hparams.json (trial 1)."""
  desc = networks.get('lenet300_100').presets(0.0)['paper'].replace(rounds=2, seed=1)
  save_restore.save_json(paths.hparams(root, 1, 'lottery'), desc.to_dict())
  return root


def parse(*args):
  return procedure_command.parse_procedure(['prog', *args], 'transfer')


def tree(root: str) -> dict:
  return {os.path.join(d, n): os.stat(os.path.join(d, n)).st_mtime_ns
          for d, _, names in os.walk(root) for n in names}


class ParseTransferTest(absltest.TestCase):

  def test_the_run_takes_the_source_hparams_on_the_new_dataset(self):
    source = fake_source(self.create_tempdir().full_path)
    out = os.path.join(self.create_tempdir().full_path, 'out')
    inv = parse(f'--source_dir={source}', f'--output_dir={out}', '--dataset=fashion_mnist',
                '--transfer_init=random_mask', '--levels=2')
    recorded = procedure_command.load_source_desc(source, 1, 'lottery')
    self.assertEqual(inv.desc, recorded.replace(
        dataset='fashion_mnist', transfer_init='random_mask', transfer_source=source,
        transfer_source_experiment='lottery', transfer_source_dataset='mnist',
        experiment_name='transfer_random_mask'))
    self.assertEqual((inv.source_dir, inv.output_dir, inv.levels, inv.procedure),
                     (source, out, [2], 'transfer'))
    self.assertIn('--transfer_init', parse('--help').help)

  def test_bad_command_lines_are_one_line(self):
    source = fake_source(self.create_tempdir().full_path)
    empty = self.create_tempdir().full_path
    common = (f'--source_dir={source}', f'--output_dir={empty}/out')
    cases = {
        ('--transfer_init=reinit',): '--dataset is required (see --help)',
        ('--dataset=fashion_mnist',): '--transfer_init is required (see --help)',
        ('--dataset=fashion_mnist', '--transfer_init=warm'):
            '--transfer_init=warm: expected one of source_init, source_trained, reinit, '
            'random_mask',
        ('--dataset=cifar10', '--transfer_init=reinit'):
            '--dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 classes; cifar10 has '
            '32x32x3 inputs',
    }
    for args, message in cases.items():
      with self.assertRaises(hparams.HparamsError) as e:
        parse(*common, *args)
      self.assertEqual(str(e.exception), message)
    with self.assertRaisesRegex(procedure_command.InputError, 'no lottery run found'):
      parse(f'--source_dir={empty}', '--dataset=mnist', '--transfer_init=reinit',
            f'--output_dir={empty}/out')
    self.assertEqual(os.listdir(empty), [])

  def test_mismatched_dataset_exits_1_in_one_line_writing_nothing(self):
    source = fake_source(self.create_tempdir().full_path)
    out = os.path.join(self.create_tempdir().full_path, 'out')
    done = subprocess_run.run('lottery', 'run', '--procedure=transfer', f'--source_dir={source}',
                              f'--output_dir={out}', '--dataset=cifar10',
                              '--transfer_init=source_init')
    self.assertEqual(done.returncode, 1, done.stderr)
    self.assertEqual(subprocess_run.error_lines(done.stderr),
                     ['error: --dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 '
                      'classes; cifar10 has 32x32x3 inputs'])
    self.assertFalse(os.path.exists(out))


class MnistToFashionMnistTest(absltest.TestCase):
  """Real data, as a user runs it (subprocesses): a 3-level LeNet lottery run on MNIST, its
  level-2 ticket trained on Fashion-MNIST by the command; made once for the class, only read."""

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.root = tempfile.mkdtemp(prefix='lth-transfer-test-')
    cls.source, cls.out = os.path.join(cls.root, 'lenet_mnist'), os.path.join(cls.root, 'out')
    desc = networks.get('lenet300_100').presets(0.0)['paper'].replace(
        rounds=2, training_iterations=200, eval_every=100)
    save_restore.save_json(paths.hparams(cls.source, 1, 'lottery'), desc.to_dict())
    made = subprocess_run.run('lottery', 'run', '--procedure=lottery', f'--output_dir={cls.source}',
                              '--progress=false')
    assert made.returncode == 0, made.stderr
    cls.before = tree(cls.source)
    cls.argv = ('--procedure=transfer', f'--source_dir={cls.source}', f'--output_dir={cls.out}',
                '--dataset=fashion_mnist', '--transfer_init=source_init', '--levels=2',
                '--progress=false')
    cls.done = subprocess_run.run('lottery', 'run', *cls.argv)
    cls.run_dir = paths.run(cls.out, 1, 2, 'transfer_source_init')

  @classmethod
  def tearDownClass(cls):
    shutil.rmtree(cls.root, ignore_errors=True)
    super().tearDownClass()

  def test_end_to_end(self):
    self.assertEqual(self.done.returncode, 0, self.done.stderr)
    self.assertRegex(self.done.stdout, r'level  2 of 2  Pm  64\.06%')
    self.assertEqual(tree(self.source), self.before)  # the source is only read
    self.assertEqual(sorted(os.listdir(paths.trial(self.out, 1))),
                     ['2', 'transfer_source_init.hparams.json', 'transfer_source_init.results.md'])
    self.assertEqual(os.listdir(os.path.join(paths.trial(self.out, 1), '2')),
                     ['transfer_source_init'])
    ticket = paths.run(self.source, 1, 2, 'lottery')
    for what in ('masks', 'initial'):
      got = save_restore.load_npz(getattr(paths, what)(self.run_dir))
      want = save_restore.load_npz(getattr(paths, what)(ticket))
      for layer in want:
        np.testing.assert_array_equal(got[layer], want[layer], err_msg=f'{what} {layer}')
    with open(paths.summary(self.run_dir)) as f:
      self.assertGreater(json.load(f)['final_test_accuracy'], 0.6)  # Fashion-MNIST, not chance
    with open(paths.hparams(self.out, 1, 'transfer_source_init')) as f:
      recorded = json.load(f)
    self.assertEqual((recorded['dataset'], recorded['transfer_source_dataset'],
                      recorded['transfer_source']), ('fashion_mnist', 'mnist', self.source))
    # A rerun resumes: nothing is retrained.
    mtime = os.stat(paths.final(self.run_dir)).st_mtime_ns
    self.assertEqual(subprocess_run.run('lottery', 'run', *self.argv).returncode, 0)
    self.assertEqual(os.stat(paths.final(self.run_dir)).st_mtime_ns, mtime)

  def test_the_sweep_writes_the_same_files(self):
    # The sweep's task (its inputs sent to a Ray worker): the command's files, bit for bit.
    swept = os.path.join(self.create_tempdir().full_path, 'swept')
    sweep = subprocess_run.run('lottery.sweep.command', '--procedures=transfer',
                               f'--transfer_source={self.source}', f'--output_dir={swept}',
                               '--dataset=fashion_mnist', '--trials=1', '--control_levels=2',
                               '--transfer_inits=source_init', '--workers=1', '--progress=false')
    self.assertEqual(sweep.returncode, 0, sweep.stderr)
    mine = [getattr(paths, w)(self.run_dir) for w in ('initial', 'masks', 'final', 'final_biases')]
    swept_dir = paths.run(swept, 1, 2, 'transfer_source_init')
    theirs = [os.path.join(swept_dir, os.path.basename(p)) for p in mine]
    for a, b in zip(mine + [paths.hparams(self.out, 1, 'transfer_source_init')],
                    theirs + [paths.hparams(swept, 1, 'transfer_source_init')]):
      with open(a, 'rb') as f, open(b, 'rb') as g:
        self.assertEqual(f.read(), g.read(), os.path.basename(a))


if __name__ == '__main__':
  absltest.main()

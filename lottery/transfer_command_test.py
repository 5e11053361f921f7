"""The transfer procedure from the command line: parsing, refusals, and MNIST -> Fashion-MNIST."""

import json
import os

from absl.testing import absltest
import numpy as np

from foundations import hparams
from foundations import paths
from foundations import save_restore
from lottery import networks
from lottery import train_command
from lottery.sweep import command
from lottery.sweep import driver
from lottery.sweep import worker
from lottery.testing import subprocess_run

LENET = ('lenet300_100',)
TINY = ('--rounds=2', '--training_iterations=200', '--eval_every=100', '--progress=false')


def fake_source(root: str) -> str:
  """An output dir holding only a LeNet/MNIST lottery run's hparams.json (trial 1)."""
  desc = networks.get('lenet300_100').presets(0.0)['paper'].replace(rounds=2, seed=1)
  save_restore.save_json(paths.hparams(root, 1, 'lottery'), desc.to_dict())
  return root


def parse(*args):
  return train_command.parse_procedure(['prog', *args], 'transfer')


def tree(root: str) -> dict:
  return {os.path.join(d, n): os.stat(os.path.join(d, n)).st_mtime_ns
          for d, _, names in os.walk(root) for n in names}


class ParseTransferTest(absltest.TestCase):

  def test_the_run_takes_the_source_hparams_on_the_new_dataset(self):
    source = fake_source(self.create_tempdir().full_path)
    out = os.path.join(self.create_tempdir().full_path, 'out')
    inv = parse(f'--source_dir={source}', f'--output_dir={out}', '--dataset=fashion_mnist',
                '--transfer_init=random_mask', '--levels=2')
    recorded = train_command.load_source_desc(source, 1, 'lottery')
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
    with self.assertRaisesRegex(train_command.InputError, 'no lottery run found'):
      parse(f'--source_dir={empty}', '--dataset=mnist', '--transfer_init=reinit',
            f'--output_dir={empty}/out')
    self.assertEqual(os.listdir(empty), [])

  def test_mismatched_dataset_exits_1_in_one_line_writing_nothing(self):
    source = fake_source(self.create_tempdir().full_path)
    out = os.path.join(self.create_tempdir().full_path, 'out')
    done = subprocess_run.run('lottery.run', '--procedure=transfer', f'--source_dir={source}',
                              f'--output_dir={out}', '--dataset=cifar10',
                              '--transfer_init=source_init')
    self.assertEqual(done.returncode, 1, done.stderr)
    self.assertEqual(subprocess_run.error_lines(done.stderr),
                     ['error: --dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 '
                      'classes; cifar10 has 32x32x3 inputs'])
    self.assertFalse(os.path.exists(out))


class MnistToFashionMnistTest(absltest.TestCase):
  """Real data: a 3-level LeNet lottery run on MNIST, its level-2 ticket trained on Fashion-MNIST."""

  def test_end_to_end(self):
    source = os.path.join(self.create_tempdir().full_path, 'lenet_mnist')
    out = os.path.join(self.create_tempdir().full_path, 'transfer')
    self.assertEqual(train_command.main_train(['prog', *TINY, f'--output_dir={source}'], LENET,
                                              'prog'), 0)
    before = tree(source)
    argv = ['prog', f'--source_dir={source}', f'--output_dir={out}', '--dataset=fashion_mnist',
            '--transfer_init=source_init', '--levels=2', '--progress=false']
    self.assertEqual(train_command.main_procedure(argv, 'transfer', 'prog'), 0)
    self.assertEqual(tree(source), before)  # the source is only read
    self.assertEqual(sorted(os.listdir(paths.trial(out, 1))),
                     ['2', 'transfer_source_init.hparams.json', 'transfer_source_init.results.md'])
    self.assertEqual(sorted(os.listdir(os.path.join(paths.trial(out, 1), '2'))),
                     ['transfer_source_init'])
    run_dir = paths.run(out, 1, 2, 'transfer_source_init')
    ticket = paths.run(source, 1, 2, 'lottery')
    for what in ('masks', 'initial'):
      got = save_restore.load_npz(getattr(paths, what)(run_dir))
      want = save_restore.load_npz(getattr(paths, what)(ticket))
      for layer in want:
        np.testing.assert_array_equal(got[layer], want[layer], err_msg=f'{what} {layer}')
    with open(paths.summary(run_dir)) as f:
      summary = json.load(f)
    self.assertAlmostEqual(summary['percent_remaining'], 64.06, places=2)
    self.assertGreater(summary['final_test_accuracy'], 0.6)  # Fashion-MNIST, not chance
    with open(paths.hparams(out, 1, 'transfer_source_init')) as f:
      recorded = json.load(f)
    self.assertEqual((recorded['dataset'], recorded['transfer_source_dataset'],
                      recorded['transfer_source']), ('fashion_mnist', 'mnist', source))
    # A rerun resumes: nothing is retrained.
    mtime = os.stat(paths.final(run_dir)).st_mtime_ns
    self.assertEqual(train_command.main_procedure(argv, 'transfer', 'prog'), 0)
    self.assertEqual(os.stat(paths.final(run_dir)).st_mtime_ns, mtime)
    # The sweep's task (its inputs sent to a worker, here without Ray) gives the same files.
    swept = os.path.join(self.create_tempdir().full_path, 'swept')
    args = command.parse(['p', '--procedures=transfer', f'--transfer_source={source}',
                          f'--output_dir={swept}', '--dataset=fashion_mnist', '--trials=1',
                          '--control_levels=2', '--transfer_inits=source_init'])
    task, = args.tasks
    result = worker.run_task(driver.task_desc(args, 1, task.experiment, recorded=False).to_dict(),
                             task.procedure, task.level, driver.task_inputs(args, task))
    driver.write_outputs(swept, task, result['files'])
    for what in ('initial', 'masks', 'final', 'final_biases'):
      with open(getattr(paths, what)(run_dir), 'rb') as a, \
           open(getattr(paths, what)(paths.run(swept, 1, 2, 'transfer_source_init')), 'rb') as b:
        self.assertEqual(a.read(), b.read(), what)


if __name__ == '__main__':
  absltest.main()

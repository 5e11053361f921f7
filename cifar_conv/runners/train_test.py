"""The CIFAR-10 runner as a user runs it: --help, bad input, a tiny real run (flags: runner_test)."""

import json
import os

import numpy as np
from absl.testing import absltest

from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery.testing import subprocess_run

MODULE = 'cifar_conv.runners.train'
# Conv-2 costs ~0.2 s per training step and ~1 s per 1,000 evaluated images on this
# machine's cores, so a level is 2 steps and two evaluations (iterations 0 and 2) of 250
# validation and the first 250 test images: what this test checks (files, exact pruned
# counts, theta_0 reset) does not depend on how long it trains.
TINY = ['--network=conv2', '--prune_percent=20', '--conv_prune_percent=10', '--rounds=1',
        '--training_iterations=2', '--eval_every=2', '--validation_size=250',
        '--test_size=250', '--threads=2', '--progress=false']
RATES = {'conv0': 10.0, 'conv1': 10.0, 'fc0': 20.0, 'fc1': 20.0, 'output': 10.0}
SHAPES = {'conv0': (3, 3, 3, 64), 'conv1': (3, 3, 64, 64), 'fc0': (16384, 256),
          'fc1': (256, 256), 'output': (256, 10)}


class RunnerFlagsTest(absltest.TestCase):

  def test_help_lists_flags(self):
    result = subprocess_run.run(MODULE, '--help', timeout=120)
    self.assertEqual(result.returncode, 0, result.stderr)
    for flag in ('--network', '--dropout', '--conv_prune_percent', '--prune_percent',
                 '--output_prune_percent', '--rounds', '--training_iterations', '--eval_every',
                 '--batch_size', '--learning_rate', '--output_dir', '--data_dir', '--trial',
                 '--seed', '--preset', '--threads'):
      self.assertIn(flag, result.stdout)
    self.assertIn('conv2: 20000, conv4: 25000, conv6: 30000', ' '.join(result.stdout.split()))

  def test_bad_flags_give_one_error_line_and_write_nothing(self):
    out = self.create_tempdir().full_path
    cases = {
        '--network=conv9': '--network=conv9: expected one of conv2, conv4, conv6',
        '--conv_prune_percent=100': '--conv_prune_percent=100.0: must be in [0, 100)',
        '--dropout=1.5': '--dropout=1.5: must be in [0, 1)',
        '--preset=reference': '--preset=reference: expected one of paper',
    }
    subprocess_run.check_bad_flags(self, MODULE, cases, out)


class RunnerRealDataTest(absltest.TestCase):

  def test_tiny_run_writes_every_level_and_prunes_exact_counts_per_layer(self):
    out = self.create_tempdir().full_path
    result = subprocess_run.run(MODULE, *TINY, f'--output_dir={out}')
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assertIn('normalization        = channel', result.stdout)
    self.assertIn('| 1 | ', result.stdout)  # the level-1 row of the final table

    arrays = {}
    for level in (0, 1):
      run_dir = paths.run(out, 1, level, 'lottery')
      for what in ('initial', 'final', 'masks'):
        arrays[level, what] = save_restore.load_npz(getattr(paths, what)(run_dir), SHAPES)
      self.assertTrue(os.listdir(paths.tensorboard(run_dir)), level)
      with open(paths.metrics(run_dir)) as f:
        iterations = [line.split(',')[0] for line in f.read().splitlines()[1:]]
      self.assertEqual(iterations, ['0', '2'], level)
      with open(paths.summary(run_dir)) as f:
        self.assertEqual(json.load(f)['level'], level)

    for name, shape in SHAPES.items():
      n = int(np.prod(shape))
      self.assertEqual(arrays[0, 'masks'][name].sum(), n, name)
      lost = n - int(arrays[1, 'masks'][name].sum())
      self.assertEqual(lost, pruning.count_to_prune(RATES[name], n), name)
      self.assertEqual(lost, round(RATES[name] / 100 * n), name)
      # The survivors are the largest trained weights of level 0 ...
      kept = arrays[1, 'masks'][name] > 0
      final0 = np.abs(arrays[0, 'final'][name])
      self.assertGreaterEqual(final0[kept].min(), final0[~kept].max(), name)
      # ... every level starts from the same theta_0, and pruned weights end exactly 0.
      np.testing.assert_array_equal(arrays[1, 'initial'][name], arrays[0, 'initial'][name],
                                    err_msg=name)
      self.assertTrue(np.all(arrays[1, 'final'][name][~kept] == 0), name)
      self.assertTrue(np.all(arrays[1, 'final'][name][kept] != 0), name)


if __name__ == '__main__':
  absltest.main()

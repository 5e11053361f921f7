"""The control runners (reinitialize, random_prune, one_shot) on a tiny real-MNIST lottery run."""

import os
import subprocess

import numpy as np
from absl.testing import absltest

from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery.testing import subprocess_run

def run(module, *args):
  return subprocess_run.run(f'mnist_fc.runners.{module}', *args)


class ControlRunnersTest(absltest.TestCase):

  def test_controls_follow_the_lottery_run(self):
    out = self.create_tempdir().full_path
    missing = run('reinitialize', f'--output_dir={out}')
    self.assertEqual(missing.returncode, 1)
    self.assertRegex(missing.stderr, r'(?m)^error: .*lottery.hparams.json: no lottery run found')

    trained = run('train', '--rounds=2', '--training_iterations=200', '--eval_every=100',
                  '--progress=false', f'--output_dir={out}')
    self.assertEqual(trained.returncode, 0, trained.stderr)
    bad = run('random_prune', '--levels=two', f'--output_dir={out}')
    self.assertEqual(bad.returncode, 1)
    self.assertIn('error: --levels=two: expected integers', bad.stderr)

    # The three controls read only the lottery run, so they run side by side.
    controls = {name: subprocess_run.popen(
        f'mnist_fc.runners.{module}', '--levels=2', '--progress=false', f'--output_dir={out}',
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for module, name in (('reinitialize', 'reinit'),
                                     ('random_prune', 'random_prune'), ('one_shot', 'one_shot'))}
    for proc in controls.values():
      self.addCleanup(proc.kill)  # a no-op once it has ended
    for name, proc in controls.items():
      stdout, stderr = proc.communicate(timeout=600)
      self.assertEqual(proc.returncode, 0, stderr)
      self.assertRegex(stdout, r'level  2 of 2  Pm  64\.06%')
      masks = save_restore.load_npz(paths.masks(paths.run(out, 1, 2, name)))
      self.assertEqual(pruning.remaining_counts(masks),
                       {'layer0': 150528, 'layer1': 19200, 'layer2': 810}, name)
      self.assertTrue(os.path.exists(paths.results_table(out, 1, name)))
    ticket = save_restore.load_npz(paths.masks(paths.run(out, 1, 2, 'lottery')))
    reinit = save_restore.load_npz(paths.masks(paths.run(out, 1, 2, 'reinit')))
    for layer, mask in ticket.items():
      np.testing.assert_array_equal(reinit[layer], mask)


if __name__ == '__main__':
  absltest.main()

"""Every command of the front and every runner alias answers --help with its flags and exit 0,
and prints nothing on stderr (no TensorFlow start-up noise)."""

import os
import subprocess
import sys

from absl.testing import absltest

from lottery import commands

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The reference layout's runner files, aliases of front commands.
ALIASES = tuple(f'{package}.runners.{runner}' for package in ('mnist_fc', 'cifar_conv')
                for runner in ('train', 'reinitialize', 'random_prune', 'one_shot', 'gmp'))


def start(*args):
  return subprocess.Popen([sys.executable, '-m', *args, '--help'], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class EntryPointsTest(absltest.TestCase):

  def test_help_exits_0_quietly(self):
    names = list(commands.table())
    self.assertGreaterEqual(len(names), 17)
    procs = {f'lottery {name}': start('lottery', name) for name in names}
    procs.update({module: start(module) for module in ALIASES})
    procs['lottery'] = start('lottery')
    outputs = {}
    for what, proc in procs.items():
      out, err = proc.communicate(timeout=300)
      self.assertEqual(proc.returncode, 0, f'{what}: {err}')
      self.assertEqual(err, '', what)
      outputs[what] = ' '.join(out.split())
      if what == 'lottery':
        listed = [line.split()[0] for line in out.split('commands:\n')[1].splitlines()
                  if line.startswith('  ') and not line.startswith('   ')]
    # Generated procedure families are one line each (`criterion_*`), their members commands.
    self.assertEqual(listed, [name for name, _ in commands.listing()])
    self.assertIn('criterion_*', listed)
    self.assertContainsSubset(['criterion_movement', 'kept_reshuffle', 'pruned_freeze_init'],
                              names)
    for name in names:
      self.assertIn('--[no]help: Show this help and exit.', outputs[f'lottery {name}'], name)
    for module in ALIASES:  # the usage line names the runner's module
      self.assertIn(f'python -m {module} ', outputs[module], module)
    self.assertIn('python -m lottery train [--flags]', outputs['lottery train'])
    # Each package's train alias offers its own networks, the first the default.
    self.assertIn('[paper: 18, reference: 18]', outputs['mnist_fc.runners.train'])
    self.assertNotIn('conv2', outputs['mnist_fc.runners.train'])
    self.assertIn('[conv2: 18, conv4: 21, conv6: 22]', outputs['cifar_conv.runners.train'])
    self.assertNotIn('lenet300_100', outputs['cifar_conv.runners.train'])


if __name__ == '__main__':
  absltest.main()

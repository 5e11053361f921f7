"""Every entry point answers --help with its flags and exit 0, and no TensorFlow start-up noise."""

import os
import subprocess
import sys

from absl.testing import absltest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRY_POINTS = (
    'mnist_fc.runners.train', 'mnist_fc.runners.reinitialize', 'mnist_fc.runners.random_prune',
    'mnist_fc.runners.one_shot', 'mnist_fc.runners.gmp', 'cifar_conv.runners.gmp',
    'lottery.export', 'cifar_conv.runners.train', 'cifar_conv.runners.reinitialize',
    'cifar_conv.runners.random_prune', 'cifar_conv.runners.one_shot', 'lottery.run',
    'lottery.sweep.command', 'lottery.report.analyze', 'lottery.bench.training', 'lottery.bench.sweep',
    'lottery.interop.command', 'lottery.report.compare', 'datasets.prepare', 'lottery.report.section2',
)


class EntryPointsTest(absltest.TestCase):

  def test_help_exits_0_quietly(self):
    procs = {m: subprocess.Popen([sys.executable, '-m', m, '--help'], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for m in ENTRY_POINTS}
    for module, proc in procs.items():
      out, err = proc.communicate(timeout=300)
      self.assertEqual(proc.returncode, 0, (module, err))
      self.assertIn('--', out, module)
      self.assertNotRegex(err, r'(?m)^[IWE]0000 |InitializeLog|cuInit', module)


if __name__ == '__main__':
  absltest.main()

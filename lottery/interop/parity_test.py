"""lottery/interop/parity.py: our LeNet and the reference's own graph agree step for step.

The parity run needs a checkout of google-research/lottery-ticket-hypothesis in
$LTH_REFERENCE_REPO (skipped otherwise) and MNIST in $LTH_DATA_DIR.
"""

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr

from absl.testing import absltest

from lottery.interop import parity

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ReferenceParityTest(absltest.TestCase):

  def test_not_a_checkout_is_one_error_line(self):
    empty = self.create_tempdir().full_path
    stderr = io.StringIO()
    with redirect_stderr(stderr):
      self.assertEqual(parity.main(['p', f'--reference_repo={empty}']), 1)
    self.assertEqual(stderr.getvalue(), f'error: --reference_repo={empty}: not a checkout of '
                     'google-research/lottery-ticket-hypothesis (no foundations/model_fc.py)\n')

  def test_parity_after_1_and_10_steps(self):
    repo = os.environ.get('LTH_REFERENCE_REPO')
    if not repo:
      self.skipTest('set $LTH_REFERENCE_REPO to a checkout of the reference code')
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'lottery', 'interop', 'parity.py'),
                             f'--reference_repo={repo}', '--steps=1,10', '--tolerance=1e-6'],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
    self.assertRegex(result.stdout, r'after +1 steps: max \d\.\d\de-\d\d +layer0 ')
    self.assertRegex(result.stdout, r'\nOK: \S+ after 10 steps \(tolerance 1e-06\)')


if __name__ == '__main__':
  absltest.main()

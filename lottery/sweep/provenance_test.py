"""The sweep log: its CPU line from a hand-made cpuinfo, code version, append and read back."""

import os
import re
import subprocess

from absl.testing import absltest

from lottery.sweep import provenance

CPUINFO = """processor\t: 0
model name\t: AMD EPYC 9B14
flags\t\t: fpu sse avx2 avx512f
processor\t: 1
model name\t: AMD EPYC 9B14
flags\t\t: fpu sse avx2 avx512f
"""


class ProvenanceTest(absltest.TestCase):

  def cpu_of(self, text):
    path = self.create_tempfile(content=text).full_path
    return provenance.cpu(path)

  def test_cpu_names_the_model_cores_and_vector_unit(self):
    self.assertEqual(self.cpu_of(CPUINFO), 'AMD EPYC 9B14 (2 cores, AVX-512)')
    self.assertEqual(self.cpu_of(CPUINFO.replace(' avx512f', '')),
                     'AMD EPYC 9B14 (2 cores, AVX2)')
    self.assertEqual(provenance.cpu('/nonexistent/cpuinfo'), 'unknown')

  def test_code_version_of_a_git_checkout_and_of_a_plain_folder(self):
    repo = self.create_tempdir().full_path
    self.assertEqual(provenance.code_version(repo), 'unknown (no git checkout)')
    git = ['git', '-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t']
    subprocess.run(git + ['init', '-q'], check=True)
    with open(os.path.join(repo, 'a.txt'), 'w') as f:
      f.write('a\n')
    subprocess.run(git + ['add', 'a.txt'], check=True)
    subprocess.run(git + ['commit', '-qm', 'a'], check=True)
    head = subprocess.run(git + ['rev-parse', '--short=12', 'HEAD'], check=True,
                          capture_output=True, text=True).stdout.strip()
    self.assertEqual(provenance.code_version(repo), head)
    with open(os.path.join(repo, 'a.txt'), 'w') as f:
      f.write('changed\n')
    self.assertEqual(provenance.code_version(repo), head + '-dirty')

  def test_append_then_read(self):
    out = os.path.join(self.create_tempdir().full_path, 'new')
    self.assertEqual(provenance.read(out), [])
    provenance.append(out, 'started', 2, 14, ['--trials=2', '--output_dir=x y'])
    provenance.append(out, 'interrupted', 2, 14, ['--trials=2', '--output_dir=x y'])
    log = provenance.read(out)
    self.assertEqual([line['event'] for line in log], ['started', 'interrupted'])
    self.assertEqual(log[0]['command'],
                     'python -m lottery sweep --trials=2 --output_dir=x y')
    self.assertEqual((log[0]['workers'], log[0]['tasks']), ('2', '14'))
    self.assertRegex(log[0]['time'], r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$')
    with open(os.path.join(out, provenance.LOG)) as f:
      self.assertEqual(f.readline().strip(), ','.join(provenance.FIELDS))
    self.assertTrue(re.fullmatch(r'[0-9a-f]{12}(-dirty)?|unknown.*', log[0]['code_version']))


if __name__ == '__main__':
  absltest.main()

"""The XLA cache: a second process loads what the first compiled, with the same numbers."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from foundations import xla_cache

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A small masked MLP trained by the trainer's XLA-compiled loop on fixed random data, twice
# with the same step count (one compile or load) and once with another (a second one).
_TRAIN = '''
import os, sys
from foundations import xla_cache
print('private', xla_cache.enable())
import numpy as np
import tensorflow as tf
from foundations import hparams, model_fc, trainer
rng = np.random.RandomState(0)
x = tf.constant(rng.rand(256, 20).astype(np.float32))
y = tf.constant(rng.randint(0, 4, 256).astype(np.int32))
compiled = trainer.CompiledTraining(model_fc.make_fc(20, [16, 4], seed=3),
                                    hparams.TrainingHparams(batch_size=8), 256, True)
losses = [float(compiled.train_chunk(rng.randint(0, 256, [steps, 8]), x, y)[0])
          for steps in (5, 5, 3)]
print('losses', repr(losses))
print('published', xla_cache.publish())
'''


def _python(code, env_updates):
  env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL='0')
  env.pop('TF_XLA_FLAGS', None)
  env.pop(xla_cache.ENV, None)
  env.update(env_updates)
  return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env,
                        check=True, timeout=300)


def _value(stdout, key):
  return [l.split(' ', 1)[1] for l in stdout.splitlines() if l.startswith(key + ' ')][0]


class SharedCacheTest(unittest.TestCase):

  def test_second_process_loads_the_first_ones_entries_with_identical_results(self):
    with tempfile.TemporaryDirectory() as root:
      env = {xla_cache.ENV: root, 'TF_CPP_VMODULE': 'device_executable_persistor=1'}
      first = _python(_TRAIN, env)
      second = _python(_TRAIN, env)
      (key,) = os.listdir(root)
      self.assertEqual(key, xla_cache.machine_key())
      shared = os.path.join(root, key)
      # Two step counts -> two entries; no private directory outlives its process.
      self.assertEqual(len(os.listdir(shared)), 2, os.listdir(shared))
      self.assertTrue(all(n.endswith('.pb') for n in os.listdir(shared)))
      self.assertEqual(_value(first.stdout, 'published'), '2')
      self.assertEqual(_value(second.stdout, 'published'), '0')
      self.assertNotIn('Loading cached entry', first.stderr)
      self.assertEqual(second.stderr.count('Loading cached entry'), 2, second.stderr[-2000:])
      self.assertEqual(_value(first.stdout, 'losses'), _value(second.stdout, 'losses'))
      # TensorFlow's text-proto attempt on each load (an ERROR line) is not shown.
      self.assertNotIn('XlaSerializedCacheEntry', second.stderr)

  def test_off_a_user_set_cache_and_an_unwritable_root_leave_tensorflow_alone(self):
    code = ('import os; from foundations import xla_cache; print("private", xla_cache.enable()); '
            'print("flags", repr(os.environ.get("TF_XLA_FLAGS")))')
    with tempfile.TemporaryDirectory() as tmp:
      a_file = os.path.join(tmp, 'file')
      open(a_file, 'w').close()
      for env in ({xla_cache.ENV: 'off'},
                  {xla_cache.ENV: tmp, 'TF_XLA_FLAGS': f'{xla_cache.FLAG}=/elsewhere'},
                  {xla_cache.ENV: os.path.join(a_file, 'xla')}):
        out = _python(code, env).stdout
        self.assertEqual(_value(out, 'private'), 'None', env)
        self.assertEqual(_value(out, 'flags'), repr(env.get('TF_XLA_FLAGS')), env)
      self.assertEqual(os.listdir(tmp), ['file'])  # nothing created

  def test_enable_points_tensorflow_at_a_private_copy(self):
    code = ('import os; from foundations import xla_cache; p = xla_cache.enable(); '
            'print("private", p); print("flags", os.environ["TF_XLA_FLAGS"]); '
            'print("files", sorted(os.listdir(p)))')
    with tempfile.TemporaryDirectory() as root:
      shared = os.path.join(root, xla_cache.machine_key())
      os.makedirs(shared)
      with open(os.path.join(shared, 'entry.pb'), 'wb') as f:
        f.write(b'compiled')
      out = _python(code, {xla_cache.ENV: root, 'TF_XLA_FLAGS': '--tf_xla_auto_jit=0'}).stdout
      private = _value(out, 'private')
      self.assertEqual(os.path.dirname(private), shared)
      self.assertEqual(_value(out, 'flags'), f'--tf_xla_auto_jit=0 {xla_cache.FLAG}={private}')
      self.assertEqual(_value(out, 'files'), "['entry.pb']")
      self.assertFalse(os.path.exists(private))  # removed at exit
      self.assertEqual(sorted(os.listdir(shared)), ['entry.pb'])


class HousekeepingTest(unittest.TestCase):

  def setUp(self):
    super().setUp()
    self.shared = tempfile.mkdtemp()
    self.addCleanup(shutil.rmtree, self.shared)

  def test_publish_moves_only_new_entries_whole(self):
    private = os.path.join(self.shared, f'.process-{os.getpid()}-x')
    os.makedirs(private)
    for directory, name, data in ((private, 'new.pb', b'new'), (private, 'old.pb', b'mine'),
                                  (self.shared, 'old.pb', b'theirs')):
      with open(os.path.join(directory, name), 'wb') as f:
        f.write(data)
    saved = list(xla_cache._ACTIVE)  # pylint: disable=protected-access
    xla_cache._ACTIVE[:] = [private]  # pylint: disable=protected-access
    try:
      self.assertEqual(xla_cache.publish(), 1)
      self.assertEqual(xla_cache.publish(), 0)
    finally:
      xla_cache._ACTIVE[:] = saved  # pylint: disable=protected-access
    contents = {n: open(os.path.join(self.shared, n), 'rb').read()
                for n in os.listdir(self.shared) if n.endswith('.pb')}
    self.assertEqual(contents, {'new.pb': b'new', 'old.pb': b'theirs'})
    self.assertEqual(sorted(os.listdir(private)), ['new.pb', 'old.pb'])  # no partial files left

  def test_remove_stale_keeps_live_processes_directories(self):
    gone = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'],
                          capture_output=True, text=True, check=True).stdout.strip()
    for name in (f'.process-{gone}-a', f'.process-{os.getpid()}-b'):
      os.makedirs(os.path.join(self.shared, name))
    open(os.path.join(self.shared, 'entry.pb'), 'w').close()
    self.assertEqual(xla_cache.remove_stale(self.shared), [f'.process-{gone}-a'])
    self.assertEqual(sorted(os.listdir(self.shared)), [f'.process-{os.getpid()}-b', 'entry.pb'])


if __name__ == '__main__':
  unittest.main()

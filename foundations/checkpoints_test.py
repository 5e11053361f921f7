"""Checkpoints inside a level: a resumed training equals an uninterrupted one, bit for bit."""

import contextlib
import dataclasses
import io
import os

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)
import numpy as np
import tensorflow as tf
from absl.testing import absltest

from foundations import checkpoints
from foundations import hparams
from foundations import masked_layers
from foundations import model_fc
from foundations import save_restore
from foundations import supermask_training
from foundations import trainer

HP = hparams.TrainingHparams(training_iterations=60, eval_every=10, batch_size=20,
                             learning_rate=0.01)
SUPERMASK_HP = hparams.TrainingHparams(training_iterations=200, eval_every=20, batch_size=20,
                                       optimizer='momentum', learning_rate=5.0)


class Data:
  """trainer.TrainingData of a tiny learnable problem: 180 train, 40 val, 40 test rows of 36."""

  def __init__(self):
    rng = np.random.RandomState(0)
    x = rng.normal(size=(260, 36)).astype(np.float32)
    y = (x[:, :9].sum(1) > 0).astype(np.int32) + 2 * (x[:, 9:18].sum(1) > 0).astype(np.int32)
    self.x, self.y = tf.constant(x), tf.constant(y)

  def train_order(self, seed):
    return tf.data.Dataset.range(180).shuffle(180, seed=seed).batch(180).repeat()

  def train_arrays(self):
    return self.x[:180], self.y[:180]

  def eval_sets(self):
    return [(self.x[180:220], self.y[180:220]), (self.x[220:], self.y[220:])]


class Stop(Exception):
  """Stands for the process being killed."""


def dense():
  """A fresh 36-12-8-4 masked MLP with a quarter of layer0 pruned, and its compiled training."""
  model = model_fc.make_fc(36, (12, 8, 4), seed=5)
  masks = {n: np.ones(m.shape, np.float32) for n, m in masked_layers.get_masks(model).items()}
  masks['layer0'][:9] = 0
  masked_layers.set_weights_and_masks(model, masked_layers.get_kernels(model), masks)
  return trainer.CompiledTraining(model, HP, eval_batch_size=1000, jit_compile=False)


def supermask():
  rng = np.random.RandomState(1)
  kernels = {'l0': rng.normal(size=(36, 16)).astype(np.float32),
             'l1': rng.normal(size=(16, 4)).astype(np.float32)}
  return supermask_training.SupermaskTraining(36, kernels, False, seed=7, hp=SUPERMASK_HP,
                                              eval_batch_size=1000, jit_compile=False)


def run(compiled, hp, checkpoint=None, stop_at=None):
  """(metrics rows, every state variable's value, stdout) of training `compiled` on Data; Stop
  at the evaluation of iteration stop_at (before its checkpoint would be saved)."""

  def on_eval(row):
    if row['iteration'] == stop_at:
      raise Stop()

  out = io.StringIO()
  with contextlib.redirect_stdout(out):
    rows = trainer.train(compiled, Data(), hp, data_seed=3, on_eval=on_eval,
                         checkpoint=checkpoint).rows
  return rows, [v.numpy() for v in compiled.state_variables()], out.getvalue()


class CheckpointTest(absltest.TestCase):

  def setUp(self):
    super().setUp()
    self.path = os.path.join(self.create_tempdir().full_path, 'ckpt.npz')

  def interrupted_then_resumed(self, make, hp, stop_at, key='k'):
    checkpoint = checkpoints.Checkpoint(self.path, key, seconds=0, name='level 3')
    with self.assertRaises(Stop):
      run(make(), hp, checkpoint, stop_at)
    self.assertTrue(os.path.exists(self.path))
    return run(make(), hp, checkpoint)  # new model, optimizer and graphs: a new process's

  def assert_identical(self, a, b):
    self.assertEqual(a[0], b[0])  # rows: floats compared exactly
    self.assertEqual(len(a[1]), len(b[1]))
    for x, y in zip(a[1], b[1]):
      np.testing.assert_array_equal(x, y)

  def test_resumed_training_equals_uninterrupted_bit_for_bit(self):
    whole = run(dense(), HP)
    resumed = self.interrupted_then_resumed(dense, HP, stop_at=40)
    self.assertEqual(resumed[2], 'level 3: resuming at iteration 30 from checkpoint\n')
    self.assert_identical(whole, resumed)
    self.assertEqual([r['iteration'] for r in resumed[0]], [0, 10, 20, 30, 40, 50, 60])

  def test_supermask_scores_metrics_and_evaluation_draws_equal(self):
    whole_model = supermask()
    whole = run(whole_model, SUPERMASK_HP)
    resumed_model = supermask()
    checkpoint = checkpoints.Checkpoint(self.path, 'k', seconds=0)
    with self.assertRaises(Stop):
      run(resumed_model, SUPERMASK_HP, checkpoint, stop_at=120)
    resumed_model = supermask()
    resumed = run(resumed_model, SUPERMASK_HP, checkpoint)
    self.assertEqual(resumed[2], 'training: resuming at iteration 100 from checkpoint\n')
    self.assert_identical(whole, resumed)  # rows hold the evaluations' sampled-mask accuracies
    self.assertEqual(int(resumed_model._evals.numpy()), 11)  # pylint: disable=protected-access
    for name, scores in whole_model.scores().items():
      np.testing.assert_array_equal(scores, resumed_model.scores()[name])
    x, y = Data().eval_sets()[1]
    self.assertEqual(whole_model.sampled_accuracies(x, y, 3),
                     resumed_model.sampled_accuracies(x, y, 3))

  def test_checkpoint_of_another_key_or_length_or_damaged_is_ignored(self):
    whole = run(dense(), HP)
    for stale in ('other key', 'other length', 'damaged'):
      with self.subTest(stale):
        if stale == 'damaged':
          save_restore.save_bytes(self.path, b'not an npz')
        else:
          hp = dataclasses.replace(HP, training_iterations=80) if stale == 'other length' else HP
          key = 'old' if stale == 'other key' else 'k'
          with self.assertRaises(Stop):
            run(dense(), hp, checkpoints.Checkpoint(self.path, key, seconds=0), stop_at=40)
        again = run(dense(), HP, checkpoints.Checkpoint(self.path, 'k', seconds=0))
        self.assertRegex(again[2], r'^training: ignoring .*ckpt\.npz: .*\n$')
        self.assert_identical(whole, again)
        with np.load(self.path) as saved:  # overwritten by this run's last save (iteration 50)
          meta = saved['__meta__'].tobytes().decode()
        self.assertIn('"key": "k"', meta)
        self.assertIn('"iteration": 50', meta)

  def test_no_checkpoint_before_interval_or_at_the_end(self):
    rows = run(dense(), HP, checkpoints.Checkpoint(self.path, 'k', seconds=3600))[0]
    self.assertLen(rows, 7)
    self.assertFalse(os.path.exists(self.path))

  def test_index_stream_skip_gives_the_same_indices_as_take(self):
    # Each from its own dataset, as train() makes one: a second iterator of one shuffled
    # dataset continues its reshuffling.
    taken, skipped = (trainer.IndexStream(Data().train_order(3)) for _ in range(2))
    taken.take(23, 20)  # 460 indices: two whole epochs of 180 and part of a third
    skipped.skip(460)
    np.testing.assert_array_equal(taken.take(30, 20), skipped.take(30, 20))

  def test_interval_from_environment(self):
    self.assertEqual(checkpoints.interval_seconds({}), 300.0)
    self.assertEqual(checkpoints.interval_seconds({checkpoints.ENV: '0'}), 0.0)
    self.assertIsNone(checkpoints.interval_seconds({checkpoints.ENV: 'off'}))
    for bad in ('-1', 'soon', 'inf', 'nan'):
      with self.assertRaisesRegex(hparams.HparamsError,
                                  rf"^LTH_CHECKPOINT_SECONDS='{bad}': expected seconds >= 0"):
        checkpoints.interval_seconds({checkpoints.ENV: bad})


if __name__ == '__main__':
  absltest.main()

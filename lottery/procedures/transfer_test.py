"""transfer: what each start begins from (mask, weights, biases), its run, resume and refusals."""

import json
import os

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)
import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf

from foundations import hparams
from foundations import paths
from foundations import pruning
from foundations import save_restore
from lottery import levels
from lottery import networks
from lottery import procedures
from lottery.procedures import random_prune
from lottery.procedures import transfer
from lottery.testing import tiny_run

SHAPES, DESC, load = tiny_run.SHAPES, tiny_run.DESC, tiny_run.load
LEVEL = 2


def tiny_target(init: str, source_dir: str) -> hparams.Desc:
  """The tiny run's description as a transfer of its own ticket (same data: the starts matter)."""
  return DESC.replace(transfer_init=init, transfer_source=os.path.abspath(source_dir),
                      transfer_source_experiment='lottery', transfer_source_dataset='generated',
                      experiment_name=transfer.experiment_name(init)).validate()


def run_transfer(init: str, source_dir: str, output_dir: str, level_list=(LEVEL,)):
  return levels.run(procedures.get('transfer'), tiny_target(init, source_dir),
                    tiny_run.tiny_splits(), tiny_run.tiny_network(), output_dir,
                    list(level_list), 'lottery', show_progress=False, source_dir=source_dir)


def tree(root: str) -> dict:
  """path -> (size, mtime) of every file under root."""
  return {os.path.join(d, n): (os.stat(os.path.join(d, n)).st_size,
                               os.stat(os.path.join(d, n)).st_mtime_ns)
          for d, _, names in os.walk(root) for n in names}


class TransferStartsTest(tf.test.TestCase):
  """Each start read from the shared tiny lottery run (source) at level 2, compared to its files."""

  def start(self, init: str) -> procedures.Start:
    source = tiny_run.shared_run()
    ctx = procedures.Context(tiny_target(init, source), tiny_run.tiny_network(),
                             self.create_tempdir().full_path, transfer.experiment_name(init),
                             'lottery', source_dir=source)
    return transfer.start(ctx, LEVEL)

  def source(self, what: str, level: int = LEVEL):
    return load(tiny_run.shared_run(), level, 'lottery', what)

  def test_starts_are_the_hparams_choices(self):
    self.assertEqual(tuple(transfer.STARTS), hparams.TRANSFER_INITS)

  def test_source_init_is_the_ticket_with_zero_biases(self):
    start = self.start('source_init')
    for name in SHAPES:
      np.testing.assert_array_equal(start.masks[name], self.source('masks')[name])
      np.testing.assert_array_equal(start.initial[name], self.source('initial')[name])
      np.testing.assert_array_equal(start.initial[name], self.source('initial', 0)[name])
    self.assertIsNone(start.biases)  # the freshly built net's zero biases
    self.assertLess(pruning.percent_remaining(start.masks), 100.0)

  def test_source_trained_is_the_trained_ticket_and_its_biases(self):
    start = self.start('source_trained')
    biases = save_restore.load_npz(paths.final_biases(paths.run(tiny_run.shared_run(), 1, LEVEL,
                                                                'lottery')))
    for name in SHAPES:
      np.testing.assert_array_equal(start.masks[name], self.source('masks')[name])
      np.testing.assert_array_equal(start.initial[name], self.source('final')[name])
      np.testing.assert_array_equal(start.biases[name], biases[name])
      self.assertTrue(np.any(biases[name] != 0), name)

  def test_reinit_is_a_fresh_draw_on_the_source_mask(self):
    start = self.start('reinit')
    theta0 = self.source('initial')
    ctx = procedures.Context(DESC, tiny_run.tiny_network(), tiny_run.shared_run(), 'reinit',
                             'lottery')
    for name in SHAPES:
      np.testing.assert_array_equal(start.masks[name], self.source('masks')[name])
      survivors = start.masks[name] > 0
      self.assertTrue(np.all(start.initial[name][survivors] != theta0[name][survivors]), name)
    # The same draw as the reinit control of the source's ticket.
    expected = procedures.get('reinit').start(ctx, LEVEL).initial
    for name in SHAPES:
      np.testing.assert_array_equal(start.initial[name], expected[name])
    self.assertIsNone(start.biases)

  def test_random_mask_has_the_source_counts_and_theta0(self):
    start = self.start('random_mask')
    ticket = self.source('masks')
    self.assertEqual(pruning.remaining_counts(start.masks), pruning.remaining_counts(ticket))
    self.assertFalse(any(np.array_equal(start.masks[n], ticket[n]) for n in SHAPES
                         if ticket[n].min() == 0))
    ctx = procedures.Context(DESC, tiny_run.tiny_network(), tiny_run.shared_run(),
                             'random_prune', 'lottery')
    # The same draw as the random_prune control of the source's ticket.
    expected = procedures.get('random_prune').start(ctx, LEVEL).masks
    for name in SHAPES:
      np.testing.assert_array_equal(start.masks[name], expected[name])
      np.testing.assert_array_equal(start.initial[name], self.source('initial')[name])

  def test_small_arrays(self):
    masks = {'a': np.array([[1, 0, 1], [0, 1, 0]], np.float32), 'b': np.ones((2, 2), np.float32)}
    drawn = random_prune.random_masks_like(masks, 7)
    self.assertEqual({n: int(m.sum()) for n, m in drawn.items()}, {'a': 3, 'b': 4})


class TransferRunTest(tf.test.TestCase):

  def test_run_writes_its_own_experiment_and_leaves_the_source_alone(self):
    source = tiny_run.shared_run()
    before = tree(source)
    out = self.create_tempdir().full_path
    summaries = run_transfer('source_trained', source, out)
    self.assertEqual([s['level'] for s in summaries], [LEVEL])
    self.assertEqual(tree(source), before)
    run_dir = paths.run(out, 1, LEVEL, 'transfer_source_trained')
    for name in SHAPES:
      np.testing.assert_array_equal(load(out, LEVEL, 'transfer_source_trained', 'initial')[name],
                                    load(source, LEVEL, 'lottery', 'final')[name])
      np.testing.assert_array_equal(load(out, LEVEL, 'transfer_source_trained', 'masks')[name],
                                    load(source, LEVEL, 'lottery', 'masks')[name])
    self.assertTrue(os.path.exists(paths.summary(run_dir)))
    with open(paths.hparams(out, 1, 'transfer_source_trained')) as f:
      recorded = json.load(f)
    self.assertEqual((recorded['transfer_init'], recorded['transfer_source'],
                      recorded['transfer_source_experiment'], recorded['transfer_source_dataset'],
                      recorded['experiment_name']),
                     ('source_trained', os.path.abspath(source), 'lottery', 'generated',
                      'transfer_source_trained'))
    # Resuming with another source is refused before anything runs.
    other = tiny_run.copy_of_shared_run()
    with self.assertRaisesRegex(levels.ResultsMismatchError, r'\(transfer_source\)'):
      run_transfer('source_trained', other, out)
    # Resuming with the same source keeps the finished level.
    mtime = os.stat(paths.final(run_dir)).st_mtime_ns
    run_transfer('source_trained', source, out)
    self.assertEqual(os.stat(paths.final(run_dir)).st_mtime_ns, mtime)

  def test_source_init_on_the_source_data_reproduces_the_source_level(self):
    # Same data, seed, trial and hyperparameters as the source: its level, bit for bit.
    source, out = tiny_run.shared_run(), self.create_tempdir().full_path
    run_transfer('source_init', source, out)
    for what in ('initial', 'masks', 'final', 'final_biases'):
      with open(getattr(paths, what)(paths.run(source, 1, LEVEL, 'lottery')), 'rb') as a, \
           open(getattr(paths, what)(paths.run(out, 1, LEVEL, 'transfer_source_init')), 'rb') as b:
        self.assertEqual(a.read(), b.read(), what)

  def test_missing_source_level_is_one_line_naming_it(self):
    out = self.create_tempdir().full_path
    with self.assertRaises(procedures.MissingSourceError) as e:
      run_transfer('source_init', tiny_run.shared_run(), out, level_list=[5])
    self.assertIn("level 5 of the 'lottery' run is not finished", str(e.exception))
    self.assertIn(paths.run(tiny_run.shared_run(), 1, 5, 'lottery'), str(e.exception))
    self.assertNotIn('\n', str(e.exception))
    self.assertFalse(os.path.exists(paths.run(out, 1, 5, 'transfer_source_init')))


class TargetDescTest(tf.test.TestCase):

  def test_target_desc_and_refusals(self):
    mnist = networks.get('lenet300_100').presets(0.0)['paper'].replace(seed=3, trial=3)
    desc = transfer.target_desc(mnist, 'fashion_mnist', 'reinit', 'runs/a')
    self.assertEqual((desc.dataset.dataset, desc.source.transfer_init,
                      desc.source.transfer_source, desc.source.transfer_source_dataset,
                      desc.experiment_name, desc.seed, desc.trial),
                     ('fashion_mnist', 'reinit', os.path.abspath('runs/a'), 'mnist',
                      'transfer_reinit', 3, 3))
    self.assertEqual(desc.replace(dataset='mnist', **{f: '' for f in (
        'transfer_init', 'transfer_source', 'transfer_source_experiment',
        'transfer_source_dataset')}, experiment_name='lottery'), mnist)
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 '
        'classes; cifar10 has 32x32x3 inputs'):
      transfer.target_desc(mnist, 'cifar10', 'reinit', 'runs/a')
    with self.assertRaisesRegex(hparams.HparamsError, '^--transfer_init=warm: expected one of '):
      transfer.target_desc(mnist, 'fashion_mnist', 'warm', 'runs/a')
    with self.assertRaisesRegex(hparams.HparamsError, 'is a transfer run; give a lottery run'):
      transfer.target_desc(desc, 'mnist', 'reinit', 'runs/b')


if __name__ == '__main__':
  tf.test.main()

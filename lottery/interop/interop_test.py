"""lottery.interop: export then import gives back a run exactly; import of the reference's own layout."""

import json
import os

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf

from foundations import paths
from foundations import save_restore
from lottery.report import analyze
from lottery.interop import command
from lottery.interop import reference_run
from lottery import reference_format
from lottery.testing import subprocess_run
from lottery.testing import tiny_run

NPZ = ('initial', 'masks', 'final', 'final_biases')
LENET = {'layer0': (784, 300), 'layer1': (300, 100), 'layer2': (100, 10)}


def write_reference_run(directory: str, iterations: int = 1000) -> dict:
  """Levels 0 and 1 of a LeNet run exactly as the reference code writes them; returns its arrays.

  Level 1 prunes 20% / 20% / 10% by magnitude; its initial/ is theta_0 x mask. Test loss
  is lowest at iteration 600.
  """
  rng = np.random.RandomState(0)
  theta0 = {k: rng.normal(0, 0.05, s).astype(np.float32) for k, s in LENET.items()}
  masks = {k: (np.abs(v) > np.quantile(np.abs(v), 0.1 if k == 'layer2' else 0.2)).astype(float)
           for k, v in theta0.items()}
  for level, level_masks in ((0, {}), (1, masks)):
    run = os.path.join(directory, str(level), 'same_init')
    initial = theta0 if level == 0 else {k: theta0[k] * masks[k] for k in theta0}
    final = {k: (theta0[k] * 1.5 * (masks[k] if level else 1)).astype(np.float32) for k in theta0}
    for name, arrays in (('initial', initial), ('final', final), ('masks', level_masks)):
      os.makedirs(os.path.join(run, name))
      for k, v in arrays.items():
        np.save(os.path.join(run, name, f'{k}.npy'), v)
    with open(os.path.join(run, 'train.log'), 'w') as f:  # the trainer's lines, one per step
      for it in range(1, iterations + 1):
        f.write(f'iteration,{it},train_loss,{1.0 / it},train_accuracy,{0.5 + it / 4000}\n')
    with open(os.path.join(run, 'test.log'), 'w') as f:  # save_restore.write_log's lines
      for it in range(100, iterations + 1, 100):
        f.write(f'iteration,{it},loss,{abs(it - 600) / 1000 + 0.1},accuracy,{it / 1e4 + 0.9}\n')
    open(os.path.join(run, 'validate.log'), 'w').close()  # opened, never written
  return dict(theta0=theta0, masks=masks)


class RoundTripTest(tf.test.TestCase):

  def test_export_then_import_gives_every_array_and_metric_back(self):
    reference, back = self.create_tempdir().full_path, self.create_tempdir().full_path
    ours = tiny_run.shared_run()
    self.assertEqual(reference_run.export_run(ours, 1, 'lottery', reference, 'lottery'),
                     [0, 1, 2, 3])
    # The reference's conventions: level 0 has no masks; masks float64; initial x mask.
    self.assertEqual(os.listdir(os.path.join(reference, '0', 'lottery', 'masks')), [])
    level1 = reference_format.run_files(os.path.join(reference, '1', 'lottery'))
    theta0 = tiny_run.load(ours, 0, 'lottery', 'initial')
    for k, mask in level1[1].items():
      self.assertEqual(mask.dtype, np.float64)
      np.testing.assert_array_equal(level1[0][k], theta0[k] * mask)
    with open(os.path.join(reference, '1', 'lottery', 'test.log')) as f:
      self.assertRegex(f.readline(), r'^iteration,0,test_loss,[0-9.e-]+,test_accuracy,[0-9.]+$')

    summaries = reference_run.import_run(reference, back, 1, 'lottery')
    self.assertLen(summaries, 4)
    for level in range(4):
      src, dst = (paths.run(d, 1, level, 'lottery') for d in (ours, back))
      for what in NPZ:
        want = save_restore.load_npz(getattr(paths, what)(src))
        got = save_restore.load_npz(getattr(paths, what)(dst))
        self.assertEqual(list(got), list(want))
        for k in want:
          self.assertEqual(got[k].dtype, want[k].dtype)
          np.testing.assert_array_equal(got[k], want[k], err_msg=f'{level} {what} {k}')
      with open(paths.metrics(src)) as f, open(paths.metrics(dst)) as g:
        self.assertEqual(g.read(), f.read())
      with open(paths.summary(src)) as f, open(paths.summary(dst)) as g:
        want, got = json.load(f), json.load(g)
      self.assertEqual(got.pop('imported_from'), os.path.join(reference, str(level), 'lottery'))
      self.assertEqual(got, want)
    with open(paths.hparams(ours, 1, 'lottery')) as f, \
        open(paths.hparams(back, 1, 'lottery')) as g:
      self.assertEqual(json.load(g), json.load(f))

  def test_never_writes_over_a_run(self):
    reference = self.create_tempdir().full_path
    reference_run.export_run(tiny_run.shared_run(), 1, 'lottery', reference, 'lottery')
    with self.assertRaisesRegex(reference_format.FormatError, r'/0/lottery: already exists; '
                                r'export never writes over a run'):
      reference_run.export_run(tiny_run.shared_run(), 1, 'lottery', reference, 'lottery')


class ReferenceLayoutTest(tf.test.TestCase):

  def test_import_of_the_reference_codes_own_files(self):
    reference, out = self.create_tempdir().full_path, self.create_tempdir().full_path
    made = write_reference_run(reference)
    summaries = reference_run.import_run(reference, out, 2, 'lottery')
    level0, level1 = (paths.run(out, 2, level, 'lottery') for level in (0, 1))
    for k in LENET:
      np.testing.assert_array_equal(save_restore.load_npz(paths.masks(level0))[k],
                                    np.ones(LENET[k], np.float32))
      masks1 = save_restore.load_npz(paths.masks(level1))[k]
      self.assertEqual(masks1.dtype, np.float32)
      np.testing.assert_array_equal(masks1, made['masks'][k])
      # theta_0 x mask in their level-1 initial/ becomes the whole theta_0 again.
      np.testing.assert_array_equal(save_restore.load_npz(paths.initial(level1))[k],
                                    made['theta0'][k])
    self.assertFalse(os.path.exists(paths.final_biases(level1)))  # the reference saves none
    with open(paths.metrics(level0)) as f:
      rows = f.read().splitlines()
    self.assertEqual(rows[0], 'iteration,train_loss,train_accuracy,val_loss,val_accuracy,'
                     'test_loss,test_accuracy')
    mean_loss = np.mean([1.0 / it for it in range(1, 101)])
    self.assertEqual(rows[1], f'100,{mean_loss:.6g},0.512625,,,0.6,0.91')
    self.assertLen(rows, 11)
    s = summaries[1]
    self.assertEqual((s['early_stop_metric'], s['early_stop_iteration'],
                      s['test_accuracy_at_early_stop'], s['final_test_accuracy']),
                     ('test_loss', 600, 0.96, 1.0))
    self.assertEqual(s['early_stop_fallback'],
                     'no validation split: early stop at minimum test loss')
    self.assertIsNone(s['wall_seconds'])
    self.assertEqual(s['percent_remaining'],
                     100.0 * sum(int(m.sum()) for m in made['masks'].values()) / 266200)
    with open(paths.hparams(out, 2, 'lottery')) as f:
      desc = json.load(f)
    self.assertEqual({k: desc[k] for k in ('network', 'optimizer', 'learning_rate',
                                          'validation_size', 'training_iterations',
                                          'eval_every', 'rounds', 'trial', 'dataset')},
                     dict(network='lenet300_100', optimizer='sgd', learning_rate=0.1,
                          validation_size=0, training_iterations=1000, eval_every=100,
                          rounds=1, trial=2, dataset='mnist'))
    report = os.path.join(out, 'report')
    analyze.analyze(out, 'lenet300_100', report)
    with open(os.path.join(report, 'results.md')) as f:
      table = f.read().splitlines()
    self.assertRegex(table[2], r'^\| lottery \| 0 \| 100\.0 \| 1 \| 600 \| 96\.00 \| 100\.00 \|$')

  def test_command_line(self):
    reference, out = self.create_tempdir().full_path, self.create_tempdir().full_path
    write_reference_run(reference, iterations=300)
    result = subprocess_run.run('lottery.interop.command', 'import', f'--reference_dir={reference}',
                                f'--output_dir={out}')
    self.assertEqual(result.returncode, 0, result.stderr)
    self.assertIn('level  1  Pm  80.04%  early-stop it    300  test acc @es  93.00%', result.stdout)
    self.assertIn('Imported 2 level(s) into', result.stdout)
    again = subprocess_run.run('lottery.interop.command', 'import', f'--reference_dir={reference}',
                               f'--output_dir={out}')
    self.assertEqual(again.returncode, 1)
    self.assertEqual(subprocess_run.error_lines(again.stderr),
                     [f'error: {paths.run(out, 1, 0, "lottery")}: already exists; import never '
                      'writes over a run (choose another directory)'])
    self.assertEqual(command.main(['p', 'merge']), 1)
    other = self.create_tempdir().full_path
    wrong = subprocess_run.run('lottery.interop.command', 'import', f'--reference_dir={reference}',
                               f'--output_dir={other}', '--dataset=cifar10')
    self.assertEqual(subprocess_run.error_lines(wrong.stderr),
                     ['error: --dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 '
                      'classes; cifar10 has 32x32x3 inputs'])
    self.assertEqual(os.listdir(other), [])

  def test_a_bad_log_refuses_the_import_with_nothing_written(self):
    reference, out = self.create_tempdir().full_path, self.create_tempdir().full_path
    write_reference_run(reference, iterations=300)
    level1_log = os.path.join(reference, '1', 'same_init', 'test.log')
    with open(level1_log, 'rb') as f:
      good = f.read()
    # A bad line in level 1, read after level 0 would have been written; then a binary log.
    for bad, message in ((good + b'iteration,400,loss,oops,accuracy,0.9\n',
                          f'{level1_log}:4: could not convert string to float: \'oops\''),
                         (b'iteration,100\n\x00\xff\x93binary',
                          f'{level1_log}:2: binary data, not a text log; expected lines '
                          'iteration,<i>,<tag>,<loss>,<tag>,<accuracy>')):
      with open(level1_log, 'wb') as f:
        f.write(bad)
      result = subprocess_run.run('lottery', 'interop', 'import', f'--reference_dir={reference}',
                                  f'--output_dir={out}')
      self.assertEqual(result.returncode, 1)
      self.assertEqual(result.stderr.splitlines(), [f'error: {message}'])
      self.assertEqual(os.listdir(out), [])
    with open(level1_log, 'wb') as f:
      f.write(good)
    self.assertLen(reference_run.import_run(reference, out, 1, 'lottery'), 2)  # the retry


if __name__ == '__main__':
  tf.test.main()

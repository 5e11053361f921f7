"""lottery.export: the rebuilt ticket as SavedModel and TFLite, equal outputs and accuracy."""

import json
import os
import subprocess
import sys

import foundations  # pylint: disable=unused-import  (first: it sets TF_USE_LEGACY_KERAS)
import numpy as np
import tensorflow as tf
import tf_keras as keras

from foundations import masked_layers
from foundations import paths
from lottery import export
from lottery.testing import tiny_run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ExportTest(tf.test.TestCase):

  @classmethod
  def setUpClass(cls):
    super().setUpClass()
    cls.out = tiny_run.copy_of_shared_run()
    cls.info = export.export(cls.out, 1, 3, latency_examples=50,
                             network=tiny_run.tiny_network(), data=tiny_run.tiny_splits())
    cls.export_dir = paths.run(cls.out, 1, 3, 'lottery') + '/export'

  def test_saved_model_computes_what_the_masked_model_computes(self):
    run_dir = paths.run(self.out, 1, 3, 'lottery')
    desc = export.procedure_command.load_source_desc(self.out, 1, 'lottery')
    masked = export.rebuild(desc, tiny_run.tiny_network(), run_dir)
    loaded = keras.models.load_model(os.path.join(self.export_dir, 'saved_model'))
    self.assertEmpty(masked_layers.masked_layers(loaded))  # stock layers only
    x = tiny_run.tiny_splits().x_test[:100]
    np.testing.assert_allclose(loaded(x).numpy(), masked(x).numpy(), rtol=0, atol=1e-6)
    # The zeros are in the exported kernels themselves.
    masks = tiny_run.load(self.out, 3, 'lottery', 'masks')
    for name, mask in masks.items():
      kernel = loaded.get_layer(name).kernel.numpy()
      self.assertEqual(np.count_nonzero(kernel), int(mask.sum()))

  def test_tflite_accuracy_equals_the_stored_final_accuracy(self):
    with open(paths.summary(paths.run(self.out, 1, 3, 'lottery'))) as f:
      stored = json.load(f)['final_test_accuracy']
    for kind in ('dense', 'sparse'):
      t = self.info[f'tflite_{kind}']
      self.assertAlmostEqual(t['test_accuracy'], stored, places=6)
      self.assertEqual(os.path.getsize(os.path.join(self.export_dir, f'model_{kind}.tflite')),
                       t['bytes'])
      self.assertGreater(t['latency_us_median'], 0)
    with open(os.path.join(self.export_dir, 'export.json')) as f:
      self.assertEqual(json.load(f)['tflite_dense']['bytes'], self.info['tflite_dense']['bytes'])

  def test_a_level_without_trained_biases_is_one_error_line(self):
    out = tiny_run.copy_of_shared_run()
    biases = paths.final_biases(paths.run(out, 1, 2, 'lottery'))
    os.remove(biases)
    proc = subprocess.run([sys.executable, '-m', 'lottery.export', f'--output_dir={out}',
                           '--level=2'], cwd=ROOT, capture_output=True, text=True, check=False)
    self.assertEqual(proc.returncode, 1)
    self.assertEqual(proc.stderr.splitlines(), [
        f'error: {biases}: missing; this run predates saving trained biases, so its trained '
        'network cannot be rebuilt (retrain the level to export it)'])
    self.assertEqual(proc.stdout, '')

  def test_a_failed_export_writes_nothing_and_a_smaller_one_leaves_nothing_stale(self):
    out = tiny_run.copy_of_shared_run()
    run_dir = paths.run(out, 1, 2, 'lottery')
    kwargs = dict(latency_examples=5, network=tiny_run.tiny_network(), data=tiny_run.tiny_splits())
    export.export(out, 1, 2, formats=['saved_model'], **kwargs)
    export.export(out, 1, 2, formats=['tflite'], **kwargs)  # no SavedModel any more
    self.assertEqual(sorted(os.listdir(os.path.join(run_dir, 'export'))),
                     ['export.json', 'model_dense.tflite', 'model_sparse.tflite'])
    with open(os.path.join(run_dir, 'export', 'export.json')) as f:
      self.assertNotIn('saved_model_bytes', json.load(f))
    self.assertEqual(sorted(n for n in os.listdir(os.path.dirname(run_dir + '/x'))
                            if n.startswith('.')), [])  # no staging folder left
    with open(paths.final(paths.run(out, 1, 1, 'lottery')), 'wb') as f:
      f.write(b'garbage')
    with self.assertRaisesRegex(export.save_restore.NpzError, 'final.npz: unreadable npz .*; '
                                f'delete {paths.run(out, 1, 1, "lottery")} to recompute'):
      export.export(out, 1, 1, **kwargs)
    self.assertFalse(os.path.exists(os.path.join(paths.run(out, 1, 1, 'lottery'), 'export')))

  def test_an_unfinished_level_and_a_bad_format_are_refused(self):
    with self.assertRaisesRegex(export.procedure_command.InputError, 'level 7 is not finished'):
      export.check_inputs(self.out, 1, 7, 'lottery', ['tflite'])
    with self.assertRaisesRegex(export.procedure_command.InputError,
                                '--format=onnx: expected some of saved_model, tflite'):
      export.check_inputs(self.out, 1, 2, 'lottery', ['onnx'])


if __name__ == '__main__':
  tf.test.main()

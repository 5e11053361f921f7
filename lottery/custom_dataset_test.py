"""End to end: a generated dataset, registered by the public call, trained through the level loop.

The dataset (28x28 grayscale, 10 classes, see datasets.testing_util.stripes) is registered
with `datasets.base.register`, accepted by shape by `networks.check_dataset`, loaded and
normalised as a run loads its data (`environment.load_data`), and a small network runs two
lottery levels on it (`levels.run`).
"""

import os

import foundations  # pylint: disable=unused-import  (first: sets up tf_keras before TensorFlow)

import tensorflow as tf  # pylint: disable=g-import-not-at-top,wrong-import-position

from datasets import base  # pylint: disable=g-import-not-at-top,wrong-import-position
from datasets import registry  # pylint: disable=g-import-not-at-top,wrong-import-position
from datasets import testing_util  # pylint: disable=g-import-not-at-top,wrong-import-position
from foundations import hparams  # pylint: disable=g-import-not-at-top,wrong-import-position
from foundations import paths  # pylint: disable=g-import-not-at-top,wrong-import-position
from lottery import environment  # pylint: disable=g-import-not-at-top,wrong-import-position
from lottery import levels  # pylint: disable=g-import-not-at-top,wrong-import-position
from lottery import networks  # pylint: disable=g-import-not-at-top,wrong-import-position
from lottery import procedures  # pylint: disable=g-import-not-at-top,wrong-import-position

NAME = 'stripes'
TRAIN, TEST = 3000, 1000


def _build(seed, dropout):
  from foundations import model_fc  # pylint: disable=g-import-not-at-top
  return model_fc.make_fc(784, (32, 10), seed, dropout)


NETWORK = networks.Network(  # not registered: the test's own
    name='mlp784_32', build=_build, shapes={'layer0': (784, 32), 'layer1': (32, 10)},
    layer_kinds={'layer0': 'fc', 'layer1': 'output'}, dataset=NAME, input_shape=(28, 28, 1),
    flatten=True, eval_batch_size=1000, jit_compile=False, presets=lambda dropout: {},
    smallest_pm=50.0, claims='lottery.report.sections:lenet_claims_and_figures', paper={},
    pm_figure='figure4.png')


class GeneratedDatasetEndToEndTest(tf.test.TestCase):

  def test_registered_generated_dataset_trains_through_the_level_loop(self):
    base.register(base.Dataset(
        name=NAME, shapes=base.image_shapes(TRAIN, TEST, (28, 28)), num_classes=10,
        fetch=lambda: testing_util.stripes(TRAIN, TEST), source='generated stripes'))
    self.addCleanup(base.unregister, NAME)
    networks.check_dataset(NETWORK, NAME)  # by shape: 28x28x1, 10 classes
    networks.check_dataset('mnist', NAME)
    with self.assertRaisesWithLiteralMatch(
        hparams.HparamsError, '--dataset=cifar10: mlp784_32 takes 28x28x1 inputs with 10 '
        'classes; cifar10 has 32x32x3 inputs'):
      networks.check_dataset(NETWORK, 'cifar10')

    desc = hparams.Desc(
        dataset=hparams.DatasetHparams(dataset=NAME, validation_size=500,
                                       normalization=registry.get(NAME).normalization),
        model=hparams.ModelHparams(network=NETWORK.name),
        training=hparams.TrainingHparams(training_iterations=150, eval_every=50, batch_size=50,
                                         learning_rate=0.003),
        pruning=hparams.PruningHparams(rounds=1))
    out, data_dir = self.create_tempdir().full_path, self.create_tempdir().full_path
    summaries = levels.run(procedures.get('lottery'), desc,
                           lambda: environment.load_data(desc, NETWORK, data_dir), NETWORK, out,
                           show_progress=False)

    self.assertLen(summaries, 2)
    for level, summary in enumerate(summaries):
      run_dir = paths.run(out, 1, level, 'lottery')
      for name in ('initial.npz', 'final.npz', 'masks.npz', 'metrics.csv', 'summary.json'):
        self.assertTrue(os.path.exists(os.path.join(run_dir, name)), (level, name))
      with open(paths.metrics(run_dir)) as f:
        self.assertLen(f.read().splitlines(), 1 + 4)  # header, iterations 0, 50, 100, 150
      self.assertGreater(summary['final_test_accuracy'], 0.5, level)  # chance is 0.1
    self.assertEqual(os.listdir(data_dir), [])  # no checksums: nothing cached


if __name__ == '__main__':
  tf.test.main()

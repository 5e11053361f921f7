"""The Conv-2/4/6 registry entries: paper presets, dropout variant, layer kinds and shapes."""

import math

from absl.testing import absltest

from foundations.hparams import HparamsError
from lottery import networks
from lottery.networks import conv


class ConvNetworksTest(absltest.TestCase):

  def test_paper_presets(self):
    expected = {  # network: (iterations, learning rate, conv prune %)
        'conv2': (20000, 2e-4, 10.0),
        'conv4': (25000, 3e-4, 10.0),
        'conv6': (30000, 3e-4, 15.0),
    }
    for name, (iterations, lr, conv_rate) in expected.items():
      desc = networks.get(name).presets(0.0)['paper'].validate()
      flat = desc.to_dict()
      self.assertEqual((flat['network'], flat['dataset']), (name, 'cifar10'))
      self.assertEqual((flat['training_iterations'], flat['learning_rate'],
                        flat['conv_prune_percent']), (iterations, lr, conv_rate), name)
      self.assertEqual((flat['optimizer'], flat['batch_size'], flat['eval_every'],
                        flat['validation_size']), ('adam', 60, 100, 5000), name)
      self.assertEqual((flat['prune_percent'], flat['output_prune_percent']), (20.0, 10.0))
      self.assertEqual((flat['dropout'], flat['normalization'], flat['pruning_rule']),
                       (0.0, 'channel', 'exact'), name)
      self.assertEqual(list(networks.get(name).presets(0.0)), ['paper'])

  def test_dropout_variant_lr_and_three_times_the_iterations(self):
    expected = {'conv2': (60000, 3e-4), 'conv4': (75000, 2e-4), 'conv6': (90000, 2e-4)}
    for name, (iterations, lr) in expected.items():
      desc = networks.get(name).presets(0.5)['paper'].validate()
      self.assertEqual((desc.model.dropout, desc.training.training_iterations,
                        desc.training.learning_rate), (0.5, iterations, lr), name)
      plain = networks.get(name).presets(0.0)['paper']
      self.assertEqual(desc.replace(dropout=0.0, training_iterations=0, learning_rate=0),
                       plain.replace(training_iterations=0, learning_rate=0))

  def test_unknown_network_is_a_one_line_hparams_error(self):
    with self.assertRaisesRegex(HparamsError, r'^--network=conv9: expected one of '
                                r'lenet300_100, conv2, conv4, conv6$'):
      networks.get('conv9')

  def test_layers_pruned_at_their_own_rates_and_counted_without_tensorflow(self):
    network = networks.get('conv6')
    self.assertEqual((network.flatten, network.jit_compile, network.dataset),
                     (False, False, 'cifar10'))
    self.assertEqual(network.layer_percents(network.presets(0.0)['paper'].pruning), {
        'conv0': 15.0, 'conv1': 15.0, 'conv2': 15.0, 'conv3': 15.0, 'conv4': 15.0,
        'conv5': 15.0, 'fc0': 20.0, 'fc1': 20.0, 'output': 10.0})
    # A pruning round is given the layer-wise rates, or under global pruning the one rate.
    paper = network.presets(0.0)['paper']
    self.assertEqual(network.round_percents(paper.pruning),
                     network.layer_percents(paper.pruning))
    self.assertEqual(set(network.round_percents(
        paper.replace(pruning_scope='global').pruning).values()), {20.0})
    self.assertLessEqual(network.eval_batch_size, 2500)
    sizes = {name: sum(math.prod(s) for s in networks.get(name).shapes.values())
             for name in conv.CONV_BLOCKS}
    # The paper's (Conv-2, Conv-4) and our counted (Conv-6) weight totals.
    self.assertEqual(sizes, {'conv2': 4300992, 'conv4': 2425024, 'conv6': 2261184})
    self.assertEqual(networks.get('conv2').shapes['fc0'], (16384, 256))


if __name__ == '__main__':
  absltest.main()

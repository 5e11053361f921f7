"""The paper's Conv-2/4/6 hyperparameters, the dropout variant, and the networks' layer kinds."""

from absl.testing import absltest

from cifar_conv import constants
from foundations.hparams import HparamsError
from lottery import networks


class ConstantsTest(absltest.TestCase):

  def test_paper_presets(self):
    expected = {  # network: (iterations, learning rate, conv prune %)
        'conv2': (20000, 2e-4, 10.0),
        'conv4': (25000, 3e-4, 10.0),
        'conv6': (30000, 3e-4, 15.0),
    }
    for network, (iterations, lr, conv_rate) in expected.items():
      hp = constants.paper_hparams(network).validate()
      self.assertEqual((hp.network, hp.dataset), (network, 'cifar10'))
      self.assertEqual((hp.training_iterations, hp.learning_rate, hp.conv_prune_percent),
                       (iterations, lr, conv_rate), network)
      self.assertEqual((hp.optimizer, hp.batch_size, hp.eval_every, hp.validation_size),
                       ('adam', 60, 100, 5000), network)
      self.assertEqual((hp.prune_percent, hp.output_prune_percent), (20.0, 10.0), network)
      self.assertEqual((hp.dropout, hp.normalization, hp.pruning_rule),
                       (0.0, 'channel', 'exact'), network)
      self.assertEqual(constants.presets(network), {'paper': hp})

  def test_dropout_variant_lr_and_three_times_the_iterations(self):
    expected = {'conv2': (60000, 3e-4), 'conv4': (75000, 2e-4), 'conv6': (90000, 2e-4)}
    for network, (iterations, lr) in expected.items():
      hp = constants.paper_hparams(network, constants.DROPOUT_RATE).validate()
      self.assertEqual((hp.dropout, hp.training_iterations, hp.learning_rate),
                       (0.5, iterations, lr), network)
      # Everything else is the plain preset's.
      plain = constants.paper_hparams(network)
      self.assertEqual(hp.replace(dropout=0.0, training_iterations=0, learning_rate=0),
                       plain.replace(training_iterations=0, learning_rate=0))
    self.assertEqual(constants.paper_hparams('conv2', dropout=0.0),
                     constants.PAPER_BY_NETWORK['conv2'])

  def test_unknown_network_is_a_one_line_hparams_error(self):
    with self.assertRaisesRegex(HparamsError, r'^--network=conv9: expected one of conv2, conv4, '
                                r'conv6$'):
      constants.presets('conv9')

  def test_networks_prune_convs_fcs_and_output_at_their_own_rates(self):
    network = constants.network_for(constants.paper_hparams('conv6'))
    self.assertEqual((network.name, network.flatten, network.jit_compile),
                     ('conv6', False, False))
    self.assertEqual(networks.layer_percents(constants.paper_hparams('conv6'), network), {
        'conv0': 15.0, 'conv1': 15.0, 'conv2': 15.0, 'conv3': 15.0, 'conv4': 15.0,
        'conv5': 15.0, 'fc0': 20.0, 'fc1': 20.0, 'output': 10.0})
    self.assertLessEqual(network.eval_batch_size, 2500)


if __name__ == '__main__':
  absltest.main()

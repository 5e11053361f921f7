"""Networks take datasets by input shape and classes (`networks.check_dataset`), not by a list."""

from absl.testing import absltest

from datasets import base
from foundations.hparams import HparamsError
from lottery import networks


class CheckDatasetTest(absltest.TestCase):

  def test_lenet_takes_the_28x28_grayscale_datasets_and_refuses_cifar10(self):
    lenet = networks.get('lenet300_100')
    self.assertEqual((lenet.input_shape, lenet.num_classes), ((28, 28, 1), 10))
    for dataset in ('mnist', 'fashion_mnist'):
      networks.check_dataset(lenet, dataset)
    with self.assertRaisesWithLiteralMatch(
        HparamsError, '--dataset=cifar10: lenet300_100 takes 28x28x1 inputs with 10 classes; '
        'cifar10 has 32x32x3 inputs'):
      networks.check_dataset(lenet, 'cifar10')

  def test_conv_nets_take_cifar10_and_refuse_the_grayscale_datasets(self):
    for name in ('conv2', 'conv4', 'conv6'):
      network = networks.get(name)
      networks.check_dataset(network, 'cifar10')
      for dataset in ('mnist', 'fashion_mnist'):
        with self.assertRaisesWithLiteralMatch(
            HparamsError, f'--dataset={dataset}: {name} takes 32x32x3 inputs with 10 classes; '
            f'{dataset} has 28x28x1 inputs'):
          networks.check_dataset(network, dataset)

  def test_every_network_takes_its_own_dataset(self):
    for name in networks.names():
      networks.check_dataset(networks.get(name), networks.get(name).dataset)

  def test_two_dataset_names_and_the_flag_named(self):
    networks.check_dataset('mnist', 'fashion_mnist')
    with self.assertRaisesWithLiteralMatch(
        HparamsError, '--target=cifar10: mnist has 28x28x1 inputs with 10 classes; cifar10 has '
        '32x32x3 inputs'):
      networks.check_dataset('mnist', 'cifar10', flag='target')

  def test_other_classes_and_unknown_names_are_refused(self):
    base.register(base.Dataset(name='four_classes', shapes=base.image_shapes(8, 4, (28, 28)),
                               num_classes=4, fetch=lambda: None, source='test'))
    self.addCleanup(base.unregister, 'four_classes')
    with self.assertRaisesWithLiteralMatch(
        HparamsError, '--dataset=four_classes: lenet300_100 takes 28x28x1 inputs with 10 '
        'classes; four_classes has 4 classes'):
      networks.check_dataset(networks.get('lenet300_100'), 'four_classes')
    with self.assertRaisesWithLiteralMatch(
        HparamsError, '--dataset=four_classes: conv2 takes 32x32x3 inputs with 10 classes; '
        'four_classes has 28x28x1 inputs with 4 classes'):
      networks.check_dataset(networks.get('conv2'), 'four_classes')
    expected = '--dataset=fashion: expected one of cifar10, fashion_mnist, four_classes, mnist'
    with self.assertRaisesWithLiteralMatch(HparamsError, expected):
      networks.check_dataset(networks.get('lenet300_100'), 'fashion')
    with self.assertRaisesWithLiteralMatch(HparamsError, expected):
      networks.check_dataset('fashion', 'mnist')


if __name__ == '__main__':
  absltest.main()

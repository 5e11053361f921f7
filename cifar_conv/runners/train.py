"""Conv-2/4/6 on CIFAR-10, lottery-ticket experiment: python -m cifar_conv.runners.train --network=conv2"""
from cifar_conv import constants
from lottery import train_command

if __name__ == '__main__':
  train_command.run_train(constants.NETWORKS, 'cifar_conv.runners.train')

"""LeNet-300-100 on MNIST, lottery-ticket experiment: python -m mnist_fc.runners.train --prune_percent=20"""
from lottery import train_command
from mnist_fc import constants

if __name__ == '__main__':
  train_command.run_train(constants.NETWORKS, 'mnist_fc.runners.train')

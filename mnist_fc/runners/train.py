"""LeNet-300-100 on MNIST, lottery-ticket experiment: python -m mnist_fc.runners.train --prune_percent=20"""
from lottery import runner
from mnist_fc import constants

if __name__ == '__main__':
  runner.run_train(constants.NETWORKS, 'mnist_fc.runners.train')

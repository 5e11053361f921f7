"""LeNet-300-100 on MNIST, lottery-ticket experiment: python -m mnist_fc.runners.train --prune_percent=20

Alias of `python -m lottery train` with LeNet-300-100 only; same flags.
"""
from lottery import commands
from mnist_fc import constants

if __name__ == '__main__':
  commands.alias('train', networks=constants.NETWORKS)

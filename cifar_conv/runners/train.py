"""Conv-2/4/6 on CIFAR-10, lottery-ticket experiment: python -m cifar_conv.runners.train --network=conv2

Alias of `python -m lottery train` with Conv-2/4/6 only (--network, default conv2); same flags.
"""
from lottery import commands
from cifar_conv import constants

if __name__ == '__main__':
  commands.alias('train', networks=constants.NETWORKS)

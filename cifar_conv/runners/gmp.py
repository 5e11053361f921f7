"""Conv-2/4/6: gradual magnitude pruning (tfmot) to each level's sparsity, the pruning baseline."""
from lottery import train_command

if __name__ == '__main__':
  train_command.run_procedure('gmp', 'cifar_conv.runners.gmp')

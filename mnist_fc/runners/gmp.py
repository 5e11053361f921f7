"""LeNet-300-100: gradual magnitude pruning (tfmot) to each level's sparsity, the pruning baseline."""
from lottery import train_command

if __name__ == '__main__':
  train_command.run_procedure('gmp', 'mnist_fc.runners.gmp')

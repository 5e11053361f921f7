"""LeNet-300-100: gradual magnitude pruning (tfmot) to each level's sparsity, the pruning baseline."""
from lottery import runner

if __name__ == '__main__':
  runner.run_procedure('gmp', 'mnist_fc.runners.gmp')

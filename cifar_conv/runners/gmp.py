"""Conv-2/4/6: gradual magnitude pruning (tfmot) to each level's sparsity, the pruning baseline."""
from lottery import runner

if __name__ == '__main__':
  runner.run_procedure('gmp', 'cifar_conv.runners.gmp')

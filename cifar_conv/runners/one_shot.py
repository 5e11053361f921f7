"""Conv-2/4/6: one-shot pruning of the unpruned net's trained weights, reset to theta_0."""
from lottery import runner

if __name__ == '__main__':
  runner.run_procedure('one_shot', 'cifar_conv.runners.one_shot')

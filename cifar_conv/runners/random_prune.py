"""Conv-2/4/6: random pruning control (random mask, same counts, theta_0) over a lottery run."""
from lottery import train_command

if __name__ == '__main__':
  train_command.run_procedure('random_prune', 'cifar_conv.runners.random_prune')

"""LeNet-300-100: one-shot pruning of the unpruned net's trained weights, reset to theta_0."""
from lottery import train_command

if __name__ == '__main__':
  train_command.run_procedure('one_shot', 'mnist_fc.runners.one_shot')

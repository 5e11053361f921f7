"""Conv-2/4/6: random reinitialization control (ticket mask, fresh init) over a lottery run."""
from lottery import train_command

if __name__ == '__main__':
  train_command.run_procedure('reinit', 'cifar_conv.runners.reinitialize')

"""LeNet-300-100: random reinitialization control (ticket mask, fresh init) over a lottery run."""
from lottery import runner

if __name__ == '__main__':
  runner.run_procedure('reinit', 'mnist_fc.runners.reinitialize')

"""LeNet-300-100: random reinitialization control (ticket mask, fresh init) over a lottery run.

Alias of `python -m lottery reinit`.
"""
from lottery import commands

if __name__ == '__main__':
  commands.alias('reinit')

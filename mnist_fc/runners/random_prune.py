"""LeNet-300-100: random pruning control (random mask, same counts, theta_0) over a lottery run.

Alias of `python -m lottery random_prune`.
"""
from lottery import commands

if __name__ == '__main__':
  commands.alias('random_prune')

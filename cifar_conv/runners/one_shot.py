"""Conv-2/4/6: one-shot pruning of the unpruned net's trained weights, reset to theta_0.

Alias of `python -m lottery one_shot`.
"""
from lottery import commands

if __name__ == '__main__':
  commands.alias('one_shot')

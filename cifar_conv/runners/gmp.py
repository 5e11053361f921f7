"""Conv-2/4/6: gradual magnitude pruning (tfmot) to each level's sparsity, the pruning baseline.

Alias of `python -m lottery gmp`.
"""
from lottery import commands

if __name__ == '__main__':
  commands.alias('gmp')

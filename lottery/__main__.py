"""python -m lottery <command> [--flags]: the project's commands (--help lists them)."""

import sys

from lottery import commands

if __name__ == '__main__':
  sys.exit(commands.main(sys.argv))

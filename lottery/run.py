"""Any registered procedure over a lottery run: python -m lottery.run --procedure=NAME --levels=3,7"""
from lottery import train_command

if __name__ == '__main__':
  train_command.run_procedure(None, 'lottery.run')

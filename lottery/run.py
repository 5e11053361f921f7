"""Any registered procedure over a lottery run: python -m lottery.run --procedure=NAME --levels=3,7"""
from lottery import runner

if __name__ == '__main__':
  runner.run_procedure(None, 'lottery.run')

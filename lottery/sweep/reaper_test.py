"""The reaper without Ray: a fake driver leaves an orphan that has its token, as Ray's agents do."""

import os
import signal
import subprocess
import sys
import time

from absl.testing import absltest

from lottery.sweep import reaper

# A driver: starts the watchdog, then a child that leaves an orphaned `sleep` (the shell
# exits at once) carrying the token; prints the token and the orphan's pid; then either
# waits to be killed ('kill') or shuts down cleanly ('clean').
DRIVER = r'''
import os, subprocess, sys, time
from lottery.sweep import reaper
watchdog = reaper.start()
token = os.environ[reaper.ENV]
orphan = subprocess.run(['sh', '-c', 'sleep 120 >/dev/null 2>&1 & echo $!'], capture_output=True,
                        text=True, check=True).stdout.strip()
reaper.node_started()
print(token, orphan, reaper.ENV in os.environ, flush=True)
if sys.argv[1] == 'clean':
  reaper.stop(watchdog)
  print('stopped', watchdog.returncode, flush=True)
else:
  time.sleep(120)
'''
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start_driver(how: str) -> subprocess.Popen:
  return subprocess.Popen([sys.executable, '-c', DRIVER, how], cwd=REPO, stdout=subprocess.PIPE,
                          text=True, env=dict(os.environ, PYTHONPATH=REPO))


def alive(pid: int) -> bool:
  try:
    with open(f'/proc/{pid}/stat') as f:
      return f.read().split(')')[-1].split()[0] != 'Z'  # a zombie has ended
  except OSError:
    return False


def wait_gone(pid: int, seconds: float = 10) -> bool:
  deadline = time.time() + seconds
  while alive(pid) and time.time() < deadline:
    time.sleep(0.05)
  return not alive(pid)


class ReaperTest(absltest.TestCase):

  def test_kill_9_of_the_driver_kills_the_orphans_of_its_node(self):
    driver = start_driver('kill')
    token, orphan, still_set = driver.stdout.readline().split()
    self.addCleanup(lambda: alive(int(orphan)) and os.kill(int(orphan), signal.SIGKILL))
    self.assertEqual(still_set, 'False')  # later children of the driver are not marked
    self.assertEqual(reaper.processes_with(reaper.ENV, token), [int(orphan)])
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    self.assertTrue(wait_gone(int(orphan)), 'the orphan outlived the killed driver')
    self.assertEqual(reaper.processes_with(reaper.ENV, token), [])

  def test_a_clean_stop_kills_what_is_left_and_the_watchdog_exits(self):
    driver = start_driver('clean')
    token, orphan, _ = driver.stdout.readline().split()
    self.addCleanup(lambda: alive(int(orphan)) and os.kill(int(orphan), signal.SIGKILL))
    self.assertEqual(driver.stdout.readline().split(), ['stopped', '0'])
    self.assertEqual(driver.wait(timeout=30), 0)
    self.assertTrue(wait_gone(int(orphan)))
    self.assertEqual(reaper.processes_with(reaper.ENV, token), [])


if __name__ == '__main__':
  absltest.main()

"""Kills the embedded Ray node's processes once the sweep's driver has exited, however it exits.

Ray ties its gcs_server and raylet to the driver (PR_SET_PDEATHSIG), but the agents the raylet
starts (ray::DashboardAgent, ray::RuntimeEnvAgent) outlive a SIGKILLed driver as orphans; their
command lines and environment blocks are overwritten by their process titles, so nothing in
them names their node afterwards. So `start()` puts a token unique to this driver in the
environment the node starts with, and starts a watchdog (in a session of its own, so that a
terminal's Ctrl-C or hang-up does not reach it). The watchdog notes the node's processes, with
their start times, while the node comes up: the driver's children that carry the token
(gcs_server, raylet) and all their descendants (the agents, workers). It then waits for the end
of a pipe only the driver holds: when the driver is gone the pipe closes, and the watchdog
SIGKILLs every noted process still alive (the same pid and start time) and every process whose
environment carries the token (workers started later). Linux only (/proc); elsewhere the
watchdog finds nothing.
"""

import os
import subprocess
import sys
import time

ENV = 'LTH_SWEEP_NODE'
WATCH_SECONDS = 60  # how long the watchdog notes new processes; the agents start with the node

# Standard library only, so that it starts in ~50 ms and holds no Ray or TensorFlow.
_WATCHDOG = r'''
import os, select, signal, sys
name, token, watch = sys.argv[1], sys.argv[2], float(sys.argv[3])
driver, me = os.getppid(), os.getpid()
mark = ('\0%s=%s\0' % (name, token)).encode()

def table():  # pid -> (parent pid, start time)
  t = {}
  for pid in os.listdir('/proc') if os.path.isdir('/proc') else ():
    try:
      with open('/proc/%s/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
      t[int(pid)] = (int(fields[1]), fields[19])
    except (OSError, ValueError, IndexError):
      pass
  return t

def marked(pid):
  try:
    with open('/proc/%d/environ' % pid, 'rb') as f:
      return mark in b'\0' + f.read()
  except OSError:
    return False

noted = {}
for _ in range(int(watch)):
  t = table()
  family = {p for p, (parent, _) in t.items() if parent == driver and p != me and marked(p)}
  while True:
    more = {p for p, (parent, _) in t.items() if parent in family and p not in family}
    if not more:
      break
    family |= more
  noted.update((p, t[p][1]) for p in family)
  if select.select([0], [], [], 1.0)[0]:
    break
while os.read(0, 4096):  # returns b'' once the driver's end is closed: it has exited
  pass
for pid, (_, start) in table().items():
  if pid != me and (noted.get(pid) == start or marked(pid)):
    try:
      os.kill(pid, signal.SIGKILL)
    except OSError:
      pass
'''


def processes_with(name: str, value: str):
  """The pids of live processes whose environment held name=value when they started."""
  mark = f'\0{name}={value}\0'.encode()
  found = []
  for pid in os.listdir('/proc'):
    if pid.isdigit():
      try:
        with open(f'/proc/{pid}/environ', 'rb') as f:
          if mark in b'\0' + f.read():
            found.append(int(pid))
      except OSError:
        pass
  return found


def start() -> subprocess.Popen:
  """Starts the watchdog and sets ENV in os.environ for the node about to start.

  Call `node_started` once ray.init has returned, and `stop` after ray.shutdown.
  """
  token = f'{os.getpid()}-{time.time_ns()}'
  watchdog = subprocess.Popen([sys.executable, '-c', _WATCHDOG, ENV, token, str(WATCH_SECONDS)],
                              stdin=subprocess.PIPE, start_new_session=True)
  os.environ[ENV] = token
  return watchdog


def node_started() -> None:
  """The node's processes have their environment: later children of this process need no token."""
  os.environ.pop(ENV, None)


def stop(watchdog: subprocess.Popen) -> None:
  """After a clean shutdown: the watchdog kills what is left of the node, then exits."""
  watchdog.stdin.close()
  watchdog.wait()

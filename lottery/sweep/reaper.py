"""Kills the embedded Ray node's processes once the sweep's driver has exited, however it exits.

Ray ties its gcs_server and raylet to the driver (PR_SET_PDEATHSIG), but the agents the raylet
starts (ray::DashboardAgent, ray::RuntimeEnvAgent) outlive a SIGKILLed driver as orphans, and
their command lines are rewritten, so nothing names them. They all inherit the driver's
environment, though: `start()` puts a token unique to this driver in it while the node starts,
and a watchdog process (in a session of its own, so a terminal's Ctrl-C or hang-up does not
reach it) waits for the end of a pipe only the driver holds. When the driver is gone the pipe
closes, and the watchdog SIGKILLs every process whose environment holds the token.
Linux only (/proc); elsewhere the watchdog finds nothing.
"""

import os
import subprocess
import sys
import time

ENV = 'LTH_SWEEP_NODE'

# Standard library only, so that it starts in ~50 ms and holds no Ray or TensorFlow.
_WATCHDOG = r'''
import os, signal, sys
sys.stdin.buffer.read()  # returns once the driver's end of the pipe is closed: it has exited
mark = ('\0%s=%s\0' % (sys.argv[1], sys.argv[2])).encode()
for pid in os.listdir('/proc') if os.path.isdir('/proc') else ():
  if not pid.isdigit() or int(pid) == os.getpid():
    continue
  try:
    with open('/proc/%s/environ' % pid, 'rb') as f:
      if mark in b'\0' + f.read():
        os.kill(int(pid), signal.SIGKILL)
  except OSError:  # gone meanwhile, or not ours to read
    pass
'''


def processes_with(name: str, value: str):
  """The pids of live processes whose environment holds name=value (at their start)."""
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
  watchdog = subprocess.Popen([sys.executable, '-c', _WATCHDOG, ENV, token],
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

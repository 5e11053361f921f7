"""One writer per output folder: an flock on <output_dir>/.lock, with the holder's pid and command.

The kernel releases an flock when its process dies, however it dies (kill -9 included), so a
lock file left behind by a dead process, or naming a pid since reused by another program, is
simply taken over: the pid and command inside are only for the message of a refusal.
Readers (analyze, compare, export) take no lock.
"""

import contextlib
import fcntl
import os
import sys

NAME = '.lock'


class InUseError(ValueError):
  """Another process writes the output folder; the message is one line."""


def _command() -> str:
  """How this process was started, as a user typed it (python -m <module> <flags>)."""
  main = sys.modules.get('__main__')
  spec = getattr(main, '__spec__', None)
  start = f'python -m {spec.name}' if spec is not None and spec.name else 'python ' + sys.argv[0]
  return ' '.join([start, *sys.argv[1:]])


def _acquire(path: str, output_dir: str, flag: str) -> int:
  """An fd holding the flock of the lock file now at `path`."""
  while True:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
    try:
      fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
      holder = os.pread(fd, 4096, 0).decode('utf-8', 'replace').strip()
      os.close(fd)
      pid, _, command = holder.partition(' ')
      who = f'pid {pid} ({command})' if pid.isdigit() else 'another process'
      raise InUseError(f'{output_dir} is in use by {who}; wait for it or use another '
                       f'--{flag}') from None
    try:
      if os.stat(path).st_ino == os.fstat(fd).st_ino:
        return fd
    except FileNotFoundError:
      pass
    os.close(fd)  # the holder removed that file as we locked it: lock the new one


@contextlib.contextmanager
def held(output_dir: str, flag: str = 'output_dir'):
  """Holds the folder's lock while the body runs; InUseError at once when another holds it.

  Creates `output_dir` (callers validate their input first: nothing else is written before).
  The lock file is removed when the body ends; a process killed leaves it, unlocked.
  """
  os.makedirs(output_dir, exist_ok=True)
  path = os.path.join(output_dir, NAME)
  fd = _acquire(path, output_dir, flag)
  try:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f'{os.getpid()} {_command()}\n'.encode('utf-8'), 0)
    yield
  finally:
    try:
      os.remove(path)  # while still locked: a process waiting on this file then retries
    except FileNotFoundError:
      pass
    os.close(fd)

"""One writer per experiment of an output folder: an flock on <output_dir>/trial<T>/.<name>.lock
per experiment written, holding the holder's pid and command.

What a command writes is locked, not the whole folder: the controls of one lottery run
(reinit, random_prune, ...) write different experiments and run side by side, while a second
train, or a sweep, writing an experiment in use is refused at once. The kernel releases an flock when its process dies, however it dies (kill -9 included), so a
lock file left behind by a dead process, or naming a pid since reused by another program, is
simply taken over: the pid and command inside are only for the message of a refusal.
Readers (analyze, compare, export) take no lock.
"""

import contextlib
import fcntl
import os
import sys
from typing import Iterable, List, Tuple



class InUseError(ValueError):
  """Another process writes the output folder; the message is one line."""


def _command() -> str:
  """How this process was started, as a user typed it (python -m <module> <flags>)."""
  main = sys.modules.get('__main__')
  spec = getattr(main, '__spec__', None)
  module = spec.name.removesuffix('.__main__') if spec is not None and spec.name else None
  start = f'python -m {module}' if module else 'python ' + sys.argv[0]
  return ' '.join([start, *sys.argv[1:]])


def _acquire(lock: str, output_dir: str, flag: str) -> int:
  """An fd holding the flock of the lock file now at `lock`."""
  while True:
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
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
      if os.stat(lock).st_ino == os.fstat(fd).st_ino:
        return fd
    except FileNotFoundError:
      pass
    os.close(fd)  # the holder removed that file as we locked it: lock the new one


def path(output_dir: str, trial: int, experiment: str) -> str:
  return os.path.join(output_dir, f'trial{trial}', f'.{experiment}.lock')


def _made_dirs(directory: str) -> List[str]:
  """Creates `directory`; returns the folders that did not exist, deepest first."""
  made = []
  probe = os.path.abspath(directory)
  while not os.path.exists(probe):
    made.append(probe)
    probe = os.path.dirname(probe)
  os.makedirs(directory, exist_ok=True)
  return made


@contextlib.contextmanager
def held(output_dir: str, experiments: Iterable[Tuple[int, str]], flag: str = 'output_dir'):
  """Holds the locks of the (trial, experiment)s while the body runs; InUseError at once when
  another process holds one.

  Callers validate their input first: nothing but the lock files (removed, with the folders
  made for them, when the body ends; a killed process leaves them, unlocked) is written before.
  """
  held_fds, made = [], []
  try:
    for trial, experiment in sorted(set(experiments)):
      lock = path(output_dir, trial, experiment)
      made += _made_dirs(os.path.dirname(lock))
      fd = _acquire(lock, output_dir, flag)
      held_fds.append((lock, fd))
      os.ftruncate(fd, 0)
      os.pwrite(fd, f'{os.getpid()} {_command()}\n'.encode('utf-8'), 0)
    yield
  finally:
    for lock, fd in held_fds:
      try:
        os.remove(lock)  # while still locked: a process waiting on this file then retries
      except FileNotFoundError:
        pass
      os.close(fd)
    for directory in made:  # only if still empty: nothing was written there
      try:
        os.rmdir(directory)
      except OSError:
        pass

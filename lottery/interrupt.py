"""Ctrl-C (SIGINT) and SIGTERM during a run: one line, the signal's exit code, nothing half-written.

Every file a run writes is written atomically (foundations.save_restore) and a level is
finished only once its summary.json exists, so stopping anywhere keeps the finished levels
and leaves the unfinished one to be recomputed (from its last checkpoint where it saved one,
foundations.checkpoints); all that is left to do is to say so.
"""

import signal
import sys
from typing import Callable

LINE = 'interrupted: finished levels are kept; rerun the same command to resume'
EXIT_SIGINT, EXIT_SIGTERM = 128 + signal.SIGINT, 128 + signal.SIGTERM  # 130, 143: the shell's


class Terminated(KeyboardInterrupt):
  """SIGTERM, raised wherever the process is, as Ctrl-C raises KeyboardInterrupt (so every
  `finally` and atomic write's clean-up runs)."""


_received = []  # the signals that arrived during run()


def _raise_interrupt(signum, frame):
  del frame
  _received.append(signum)
  raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def install() -> None:
  """(Re)installs the SIGTERM handler; for code that replaced it (ray.init sets its own)."""
  signal.signal(signal.SIGTERM, _raise_interrupt)


def run(body: Callable[[], int]) -> int:
  """body()'s exit code; on SIGINT or SIGTERM, LINE on stderr and 130 or 143."""
  previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
  del _received[:]
  install()
  signal.signal(signal.SIGINT, _raise_interrupt)
  try:
    return body()
  except BaseException as e:  # pylint: disable=broad-except
    # A signal that lands while TensorFlow runs an op comes out of its C++ as another exception
    # (pybind11 turns the KeyboardInterrupt into a RuntimeError): what counts is that one came.
    if not isinstance(e, KeyboardInterrupt) and not _received:
      raise
    for s in previous:  # a second signal while the first is reported stays silent
      signal.signal(s, signal.SIG_IGN)
    print(LINE, file=sys.stderr, flush=True)
    if _received:
      return 128 + _received[0]
    return EXIT_SIGTERM if isinstance(e, Terminated) else EXIT_SIGINT
  finally:
    for s, handler in previous.items():
      signal.signal(s, handler)

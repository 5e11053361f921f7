"""Silences TensorFlow's C++ start-up lines (CUDA probing on a CPU machine) unless asked for.

On a machine without a GPU, importing TensorFlow and listing its devices
prints lines such as `E0000 ... failed call to cuInit: ... (303)` from C++
before any Python logging setting applies; they read like failures but mean
"no GPU". `tensorflow_started(show=False)` imports TensorFlow and initializes
its devices with file descriptor 2 sent to a buffer, which is replayed when
`show` is set (--verbosity=1) or when start-up fails.
"""

import contextlib
import os
import sys
import tempfile
from typing import Tuple


@contextlib.contextmanager
def _captured_fd2(show: bool, drop: Tuple[str, ...] = ()):
  """Inside: fd 2 goes to a buffer, replayed if `show` or the block fails; lines containing
  any of `drop` are never replayed."""
  sys.stderr.flush()
  saved = os.dup(2)
  with tempfile.TemporaryFile() as buffer:
    os.dup2(buffer.fileno(), 2)
    failed = False
    try:
      yield
    except BaseException:
      failed = True
      raise
    finally:
      sys.stderr.flush()
      os.dup2(saved, 2)
      os.close(saved)
      if show or failed:
        buffer.seek(0)
        lines = buffer.read().decode('utf-8', 'replace').splitlines(keepends=True)
        sys.stderr.write(''.join(l for l in lines if not any(d in l for d in drop)))
        sys.stderr.flush()


def tensorflow_started(show: bool = False):
  """Imports TensorFlow and initializes its devices, quietly unless `show`; returns the module."""
  with _captured_fd2(show):
    import tensorflow as tf  # pylint: disable=g-import-not-at-top
    tf.config.list_physical_devices()
  return tf


def silenced(show: bool = False):
  """A context in which C++ lines on fd 2 (TFLite converter and interpreter chatter) are kept
  back, and replayed only if `show` or the block fails."""
  return _captured_fd2(show)


def without_lines(drop: Tuple[str, ...]):
  """A context in which fd 2 is shown as usual except lines containing any of `drop`."""
  return _captured_fd2(True, drop)

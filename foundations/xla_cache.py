"""A disk cache of XLA-compiled train loops shared by the processes of one machine.

LeNet's train loop is XLA-compiled (`jit_compile`); compiling it took ~1.2 s of
every new process's first level (each runner, each sweep worker, each test run).
TensorFlow can save compiled executables and load them in later processes
(`--tf_xla_persistent_cache_directory`); a loaded executable is the same
machine code, so results are bit-identical (checked: npz digests with no cache,
a cold one and a warm one agree).

TensorFlow writes its entries in place, not atomically, and a half-written
entry that another process reads fails that process's training. So each
process works in a private directory inside the cache, holding copies of the
entries there were when it started, and `publish()` moves the entries it
compiled into the shared directory by rename (whole files only).

  $LTH_XLA_CACHE or ~/.cache/lottery_ticket/xla / tf<version>-<cpu>/ <entry>.pb
                                                                   .process-<pid>-*/ (private)

Entries are kept per TensorFlow version and CPU (model and instruction-set
flags): an executable compiled for one CPU must not run on another that shares
the home directory. LTH_XLA_CACHE=off disables the cache.
"""

import atexit
import hashlib
import os
import platform
import shutil
import sys
import tempfile
from typing import List, Optional

ENV = 'LTH_XLA_CACHE'
FLAG = '--tf_xla_persistent_cache_directory'
_PRIVATE_PREFIX = '.process-'
_ACTIVE: List[str] = []  # this process's private directory, once enabled
# What TensorFlow logs (C++, level ERROR) each time it loads an entry: it tries the file as a
# text proto before reading it as the binary one it is; and on CPUs whose LLVM target lists
# tuning-only features (+prefer-no-scatter, +prefer-no-gather on AVX-512 machines) the AOT loader
# reports them as "not supported on the host" although the entry was compiled on this very CPU
# type (the cache directory is keyed by it). Harmless; hidden (see trainer).
LOAD_NOISE = ('Error parsing text-format tensorflow.XlaSerializedCacheEntry',
              'cpu_aot_loader.cc')


def active() -> bool:
  """Whether this process reads and writes the cache."""
  return bool(_ACTIVE)


def default_root() -> Optional[str]:
  """$LTH_XLA_CACHE (None if 'off'), else ~/.cache/lottery_ticket/xla."""
  env = os.environ.get(ENV)
  if env and env.lower() == 'off':
    return None
  if env:
    return os.path.abspath(os.path.expanduser(env))
  return os.path.join(os.path.expanduser('~'), '.cache', 'lottery_ticket', 'xla')


def machine_key() -> str:
  """'tf<version>-<12 hex of the CPU's model and flags>': which entries this machine can use."""
  from importlib import metadata  # pylint: disable=g-import-not-at-top
  version = 'unknown'
  for package in ('tensorflow', 'tensorflow-cpu', 'tensorflow-intel'):
    try:
      version = metadata.version(package)
      break
    except metadata.PackageNotFoundError:
      continue
  cpu = platform.machine() + platform.processor()
  try:
    with open('/proc/cpuinfo') as f:
      lines = [l for l in f.read().splitlines() if l.startswith(('model name', 'flags'))]
    cpu += '\n'.join(sorted(set(lines)))
  except OSError:
    pass  # not Linux: the architecture names it
  return f'tf{version}-{hashlib.sha256(cpu.encode()).hexdigest()[:12]}'


def enable(root: Optional[str] = None) -> Optional[str]:
  """Before TensorFlow starts: XLA reads and writes a private copy of the shared cache.

  Returns the private directory, or None when the cache stays off: LTH_XLA_CACHE=off,
  TensorFlow already imported (it has read its flags), a persistent cache already set in
  TF_XLA_FLAGS, or a cache directory that cannot be written.
  """
  if _ACTIVE:
    return _ACTIVE[0]
  root = root or default_root()
  flags = os.environ.get('TF_XLA_FLAGS', '')
  if root is None or 'tensorflow' in sys.modules or FLAG in flags:
    return None
  shared = os.path.join(root, machine_key())
  try:
    os.makedirs(shared, exist_ok=True)
    remove_stale(shared)
    private = tempfile.mkdtemp(prefix=f'{_PRIVATE_PREFIX}{os.getpid()}-', dir=shared)
    for name in _entries(shared):
      shutil.copyfile(os.path.join(shared, name), os.path.join(private, name))
  except OSError:
    return None  # e.g. a read-only home: run without the cache
  os.environ['TF_XLA_FLAGS'] = f'{flags} {FLAG}={private}'.strip()
  _ACTIVE.append(private)
  atexit.register(_close)
  return private


def publish() -> int:
  """Moves the entries this process compiled into the shared cache; returns how many.

  Call it between compiled calls (trainer.train does, after each level): TensorFlow
  has closed every entry it wrote by then.
  """
  if not _ACTIVE:
    return 0
  private = _ACTIVE[0]
  shared = os.path.dirname(private)
  moved = 0
  try:
    for name in _entries(private):
      target = os.path.join(shared, name)
      if os.path.exists(target):
        continue
      partial = os.path.join(private, f'{name}.publishing')
      shutil.copyfile(os.path.join(private, name), partial)
      os.replace(partial, target)  # same filesystem: whole file or nothing
      moved += 1
  except OSError:
    pass  # a full disk costs the next process a compile, nothing else
  return moved


def remove_stale(shared: str) -> List[str]:
  """Removes private directories whose process is gone (killed before its exit hook)."""
  removed = []
  for name in os.listdir(shared):
    if not name.startswith(_PRIVATE_PREFIX):
      continue
    pid = name[len(_PRIVATE_PREFIX):].split('-')[0]
    if pid.isdigit() and not _alive(int(pid)):
      shutil.rmtree(os.path.join(shared, name), ignore_errors=True)
      removed.append(name)
  return removed


def _alive(pid: int) -> bool:
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    return True  # someone else's process
  return True


def _entries(directory: str) -> List[str]:
  return sorted(n for n in os.listdir(directory) if n.endswith('.pb'))


def _close() -> None:
  publish()
  shutil.rmtree(_ACTIVE[0], ignore_errors=True)

"""Deterministic seeds derived from (seed, trial, purpose[, level])."""

import zlib

import numpy as np


def derive(seed: int, trial: int, purpose: str, level: int = 0) -> int:
  """A 31-bit seed that depends on every argument; stable across processes and platforms."""
  return int(np.random.SeedSequence(
      [seed, trial, level, zlib.crc32(purpose.encode())]).generate_state(1)[0] >> 1)

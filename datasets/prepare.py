"""Fills the verified dataset cache, e.g. before running experiments offline.

  python -m lottery data --dataset=all --data_dir=/path/to/data

Prints each dataset's array shapes and the source used. On a DatasetError
(corrupt cache, unreachable mirror, checksum mismatch) prints one line
`error: ...` to stderr and exits with status 1.
"""

import sys
import time

from absl import flags

from datasets import base
from datasets import registry
from foundations import cli


def make_flags() -> flags.FlagValues:
  """The command's flags (a private FlagValues: importing this module defines nothing global)."""
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_enum('dataset', 'all', sorted(registry.names()) + ['all'],
                    'Which dataset to prepare.', flag_values=fv)
  flags.DEFINE_string('data_dir', None, 'Cache directory; default $LTH_DATA_DIR, else '
                      '~/.cache/lottery_ticket/data.', flag_values=fv)
  return fv


def prepare(names, data_dir):
  """Loads each dataset (filling the cache) and prints a summary line for it."""
  for name in names:
    start = time.time()
    raw, source = registry.load_raw_with_source(name, data_dir)
    shapes = ' '.join(f'{k}={v.shape}' for k, v in raw.arrays().items())
    print(f'{name}: {shapes} uint8, from {source} ({time.time() - start:.1f} s)',
          flush=True)


def main(argv) -> int:
  fv = make_flags()
  code = cli.parse_command(fv, argv, __doc__)
  if code is not None:  # --help shown (0), or a bad command line (1)
    return code
  dataset = fv['dataset'].value
  names = sorted(registry.names()) if dataset == 'all' else [dataset]
  try:
    prepare(names, fv['data_dir'].value or base.default_data_dir())
  except base.DatasetError as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  return 0


if __name__ == '__main__':  # python -m datasets.prepare: what `python -m lottery data` runs
  sys.exit(main(sys.argv))

"""Runs in the TF1 reference code's file layout, to and from ours.

  python -m lottery interop import --reference_dir=D --output_dir=O [--trial=T]
  python -m lottery interop export --output_dir=O --trial=T --reference_dir=D

import reads D/<level>/<experiment>/{initial,final,masks}/<layer>.npy and its
train/test logs (written by the reference code, or by export) and writes
O/trial<T>/<level>/<experiment_name>/ as our runners do, so the analyze,
compare and control commands work on it. export writes every finished level
of O/trial<T>/<experiment_name> as D/<level>/<reference_experiment>/, which the
reference's own analysis code reads. Neither writes over an existing run.
"""

import sys

from absl import flags

from foundations import cli
from foundations import hparams
from foundations import paths
from lottery import environment
from lottery import reference_format

COMMANDS = ('import', 'export')


def make_flags() -> flags.FlagValues:
  fv = flags.FlagValues()
  flags.DEFINE_boolean('help', False, 'Show this help and exit.', flag_values=fv)
  flags.DEFINE_string('reference_dir', None, 'Directory holding <level>/<experiment>/ in the '
                      'reference layout (a reference trial directory).', flag_values=fv)
  flags.DEFINE_string('output_dir', None, 'Root of our runs: trial<T>/<level>/<experiment>/.',
                      flag_values=fv)
  flags.DEFINE_integer('trial', 1, 'Our trial number.', flag_values=fv)
  flags.DEFINE_string('experiment_name', 'lottery', 'Our experiment name.', flag_values=fv)
  flags.DEFINE_string('reference_experiment', None, 'The experiment name in the reference '
                      'layout (import: the only one found under <reference_dir>/0/; export: '
                      '--experiment_name).', flag_values=fv)
  flags.DEFINE_string('dataset', None, 'import: the dataset the reference run trained on, when '
                      'D holds no hparams of ours (default: the network\'s; the reference\'s '
                      'other is fashion_mnist).', flag_values=fv)
  return fv


def parse(argv):
  """argv -> (command or None for --help, flags); raises cli.UsageError or InputError."""
  fv = make_flags()
  try:
    rest = fv(list(argv))
  except flags.Error as e:
    raise cli.UsageError(str(e).splitlines()[0]) from None
  if fv['help'].value:
    return None, fv
  if len(rest) != 2 or rest[1] not in COMMANDS:
    raise cli.UsageError(f'expected one command, import or export, got '
                         f'{" ".join(rest[1:]) or "none"} (see --help)')
  for name in ('reference_dir', 'output_dir'):
    if not fv[name].value:
      raise environment.InputError(f'--{name} is required')
  if fv['trial'].value < 0:
    raise environment.InputError(f'--trial={fv["trial"].value}: must be >= 0')
  writes = 'output_dir' if rest[1] == 'import' else 'reference_dir'
  environment.check_writable(fv[writes].value, writes)
  return rest[1], fv


def main(argv) -> int:
  try:
    command, fv = parse(argv)
  except (cli.UsageError, environment.InputError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  if command is None:
    print(cli.help_text(fv, __doc__))
    return 0
  from foundations.save_restore import JsonError, NpzError  # pylint: disable=g-import-not-at-top
  from lottery import levels  # pylint: disable=g-import-not-at-top
  from lottery import output_lock  # pylint: disable=g-import-not-at-top
  from lottery.interop import reference_run  # pylint: disable=g-import-not-at-top
  from lottery import progress  # pylint: disable=g-import-not-at-top
  v = {name: fv[name].value for name in fv}
  try:
    if command == 'import':
      with output_lock.held(v['output_dir'], [(v['trial'], v['experiment_name'])]):
        summaries = reference_run.import_run(v['reference_dir'], v['output_dir'], v['trial'],
                                             v['experiment_name'], v['reference_experiment'],
                                             v['dataset'])
      for summary in summaries:
        print(progress.level_line(summary))
      fallback = [s for s in summaries if 'early_stop_fallback' in s]
      if fallback:
        print('No validation split in these runs: the early stop is the iteration of minimum '
              'test loss (early_stop_fallback in summary.json).')
      print(f'Imported {len(summaries)} level(s) into '
            f'{paths.trial(v["output_dir"], v["trial"])}/<level>/{v["experiment_name"]}/')
    else:
      name = v['reference_experiment'] or v['experiment_name']
      exported = reference_run.export_run(v['output_dir'], v['trial'], v['experiment_name'],
                                        v['reference_dir'], name)
      print(f'Exported level(s) {", ".join(map(str, exported))} to '
            f'{v["reference_dir"]}/<level>/{name}/')
  except (reference_format.FormatError, NpzError, JsonError, levels.ResultsMismatchError,
          hparams.HparamsError, output_lock.InUseError) as e:
    print(f'error: {e}', file=sys.stderr)
    return 1
  except OSError as e:
    print(f'error: {e.filename or ""}: {e.strerror or e}', file=sys.stderr)
    return 1
  return 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

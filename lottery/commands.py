"""The command front: `python -m lottery <command> [--flags]` (`python -m lottery` lists them).

A command is a name, a one-line summary and the function that runs it. Every
module a command runs exposes `main(argv) -> int` (flags in a private
absl FlagValues parsed by foundations.cli) and is imported only when that
command runs, so listing the commands or printing one command's --help starts
no TensorFlow.

The lottery commands come from the registries, read when the table is built:
`train --network=NAME` takes any registered network (the default first), and
every registered procedure but `lottery` is a command of its own
(`run --procedure=NAME` takes any of them).

The reference layout's runner files (mnist_fc/runners/train.py, ...) are
aliases: `alias('train', networks=...)` runs a command with the networks of
that experiment package, its usage line naming the runner's module.
"""

import dataclasses
import importlib
import os
import sys
import textwrap
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from lottery import networks as network_registry
from lottery import procedures

PROG = 'lottery'
DEFAULT_NETWORK = 'lenet300_100'
# The source root: an alias's module name is its file's path below it.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (argv, what the usage line runs, networks the train command offers or None: all) -> exit code
Runner = Callable[[List[str], str, Optional[Sequence[str]]], int]


@dataclasses.dataclass(frozen=True)
class Command:
  """name: the word after `python -m lottery`; summary: its line in the command list."""
  name: str
  summary: str
  run: Runner


def _module_main(module: str) -> Runner:
  """A command that is `module`'s main(argv), imported when it runs."""
  def run(argv, usage, network_names):
    del usage, network_names  # these commands' usage lines name the front themselves
    return importlib.import_module(module).main(argv)
  return run


def _train(argv, usage, network_names):
  from lottery import train_command  # pylint: disable=g-import-not-at-top
  return train_command.main_train(argv, network_names or train_networks(), usage)


def _procedure(name: Optional[str]) -> Runner:
  def run(argv, usage, network_names):
    del network_names  # a procedure reads the network of the lottery run it works on
    from lottery import procedure_command  # pylint: disable=g-import-not-at-top
    return procedure_command.main_procedure(argv, name, usage)
  return run


# The commands that are not registry entries, in the order they are listed (module, summary).
_MODULES = (
    ('sweep', 'lottery.sweep.command', 'trials x procedures x levels as one task graph, on all '
     'cores or a Ray cluster'),
    ('analyze', 'lottery.report.analyze', 'results table, claims report and figures of '
     'finished runs'),
    ('compare', 'lottery.report.compare', 'two runs side by side, level by level'),
    ('export', 'lottery.export', 'a trained level as Keras SavedModel and TFLite'),
    ('interop', 'lottery.interop.command', 'runs to (export) and from (import) the TF1 '
     'reference code\'s file layout'),
    ('parity', 'lottery.interop.parity', 'step-by-step numerical parity with the TF1 reference '
     'code (needs its checkout)'),
    ('supermask', 'lottery.supermask_init', 'supermasks at initialisation: one-shot masks by '
     'each criterion on the untrained network (Zhou et al. 2019)'),
    ('bench', 'lottery.bench.training', 'benchmark: ms per training step and per evaluation'),
    ('bench_sweep', 'lottery.bench.sweep', 'benchmark: sweep level-runs per hour against one '
     'process'),
    ('report_section2', 'lottery.report.section2', 'assemble the Section-2 evidence runs into a '
     'results folder'),
    ('report_transfer', 'lottery.report.transfer', 'assemble the transfer evidence runs (tickets '
     'across datasets) into a results folder'),
    ('report_deconstruction', 'lottery.report.deconstruction', 'assemble the Deconstruction '
     'evidence runs (Zhou et al. 2019) into DECONSTRUCTION.md and a results folder'),
    ('data', 'datasets.prepare', 'fill and verify the dataset cache (before running offline)'),
)


def train_networks() -> List[str]:
  """Every registered network, the default (LeNet-300-100) first."""
  names = list(network_registry.names())
  return sorted(names, key=lambda n: n != DEFAULT_NETWORK)


def table() -> Dict[str, Command]:
  """name -> Command, in listing order, from the registries as they are now."""
  commands = [
      Command('train', 'the lottery experiment: train, prune, reset to theta_0, retrain '
              f'(--network={"|".join(train_networks())})', _train),
      Command('run', 'any registered procedure over a lottery run (--procedure=NAME)',
              _procedure(None)),
  ]
  commands += [Command(name, procedures.get(name).doc, _procedure(name))
               for name in procedures.names() if name != 'lottery']
  fixed = {name for name, _, _ in _MODULES} | {'train', 'run'}
  clash = [c.name for c in commands[2:] if c.name in fixed]
  if clash:
    raise ValueError(f'procedure {clash[0]!r} has the name of a command; register it under '
                     'another name')
  commands += [Command(name, summary, _module_main(module)) for name, module, summary in _MODULES]
  return {c.name: c for c in commands}


def listing() -> List[Tuple[str, str]]:
  """(name, summary) of each line of the command list. A generated procedure family (see
  lottery.procedures.FAMILIES) is one line, `<family>_*`, naming its members; each member
  stays a command of its own."""
  rows, members = [], {}
  for c in table().values():
    family = procedures.get(c.name).family if c.name in procedures.names() else ''
    if not family:
      rows.append((c.name, c.summary, None))
      continue
    if family not in members:
      members[family] = []
      rows.append((f'{family}_*', procedures.FAMILIES.get(family, family), family))
    members[family].append(c.name[len(family) + 1:])
  return [(name, summary if family is None else f'{summary}: {", ".join(members[family])}')
          for name, summary, family in rows]


def usage() -> str:
  lines = [f'usage: python -m {PROG} <command> [--flags]', '',
           f'  python -m {PROG} <command> --help    shows the command\'s flags', '', 'commands:']
  listed = listing()
  width = max(len(name) for name, _ in listed) + 4
  for name, summary in listed:
    lines += textwrap.wrap(summary, 100, initial_indent=f'  {name:<{width - 2}}',
                           subsequent_indent=' ' * width)
  return '\n'.join(lines)


def run(name: str, argv: Sequence[str], usage_name: str,
        network_names: Optional[Sequence[str]] = None) -> int:
  """Runs command `name` on argv (argv[0]: the program); usage_name is what its usage runs."""
  return table()[name].run(list(argv), usage_name, network_names)


def main(argv: Sequence[str]) -> int:
  """argv: [program, command, flags...]; exit 0 for the list, 2 for an unknown command."""
  if len(argv) < 2 or argv[1] in ('--help', '-h', 'help'):
    print(usage())
    return 0
  name, commands = argv[1], table()
  if name not in commands:
    print(f'error: {name}: not a command; expected one of '
          f'{", ".join(n for n, _ in listing())} '
          f'(python -m {PROG} --help lists them)', file=sys.stderr)
    return 2
  return run(name, [f'{PROG} {name}', *argv[2:]], f'{PROG} {name}')


def _main_module() -> str:
  """The dotted name of the module run as __main__ (python -m X: X; a file: its path below ROOT)."""
  main_module = sys.modules['__main__']
  spec = getattr(main_module, '__spec__', None)
  if spec is not None and spec.name:
    return spec.name
  path = os.path.splitext(os.path.relpath(os.path.abspath(main_module.__file__), ROOT))[0]
  return path.replace(os.sep, '.')


def alias(name: str, networks: Optional[Sequence[str]] = None) -> None:
  """Runs command `name` for the runner file run as __main__ and exits with its code.

  networks: the networks the train command offers there (the first is the default).
  """
  sys.exit(run(name, sys.argv, _main_module(), networks))

"""A sweep's task graph: which (procedure, trial, level) runs exist and what each waits for.

No Ray and no TensorFlow here: the plan is plain data, so it is printed by
--dry_run and tested directly.

Trial T uses seed T, as `--trial=T --seed=T` does by hand. A task's
dependencies come from its procedure's `requires(level)`: 'self' levels are
the same procedure's, 'source' levels the lottery run's (same trial). Tasks
that a requested task depends on are added to the plan.
"""

import dataclasses
from typing import Dict, Iterable, List, Mapping, Sequence, Set

from foundations import hparams
from lottery import procedures

LOTTERY = 'lottery'


@dataclasses.dataclass(frozen=True, order=True)
class Task:
  """One level-run. `experiment` is its directory name in <output_dir>/trial<T>/<level>/.

  variant: for a procedure that makes several experiments (transfer: one per start), which;
  its experiment is then <procedure>_<variant>.
  """
  procedure: str
  trial: int
  level: int
  variant: str = ''

  @property
  def experiment(self) -> str:
    # The lottery run is always named 'lottery' in a sweep.
    return f'{self.procedure}_{self.variant}' if self.variant else self.procedure

  def __str__(self) -> str:
    return f'{self.experiment}/trial{self.trial}/level{self.level}'


def trial_desc(desc: hparams.Desc, trial: int, procedure: str = LOTTERY) -> hparams.Desc:
  """The description of `trial`'s run of `procedure` (seed = trial), with the hyperparameters
  the procedure sets itself (Procedure.variant, Procedure.describe: what its hparams.json
  records)."""
  p = procedures.get(procedure)
  return p.describe(p.variant_of(desc)).replace(trial=trial, seed=trial, experiment_name=procedure)


def dependencies(task: Task, roles: Sequence[str] = ('self', 'source')) -> List[Task]:
  """The tasks whose files `task` reads, of the given roles ('self', 'source')."""
  deps = []
  for role, level in procedures.get(task.procedure).requires(task.level):
    if role in roles:
      deps.append(Task(task.procedure, task.trial, level, task.variant) if role == 'self'
                   else Task(LOTTERY, task.trial, level))
  return deps


def plan(procedure_names: Sequence[str], trials: Iterable[int], rounds: int,
         levels: Mapping[str, Sequence[int]]) -> List[Task]:
  """Every task of the sweep, dependencies included, sorted.

  Args:
    procedure_names: registered procedures to run ('lottery' is always planned when any
      procedure needs it).
    trials: trial numbers.
    rounds: the lottery run's levels are 0..rounds.
    levels: procedure -> levels to run (procedures not listed: their levels 1..rounds).
  """
  for name in procedure_names:
    procedures.get(name)  # ValueError naming an unknown procedure
  wanted: Set[Task] = set()
  for trial in trials:
    for name in procedure_names:
      if name == LOTTERY:
        chosen = range(rounds + 1)
      else:
        chosen = levels.get(name, range(1, rounds + 1))
      wanted.update(Task(name, trial, level) for level in chosen)
  closed, todo = set(), list(wanted)
  while todo:
    task = todo.pop()
    if task in closed:
      continue
    closed.add(task)
    todo.extend(dependencies(task))
  return sorted(closed, key=lambda t: (t.trial, t.level, t.procedure != LOTTERY, t.procedure))


def counts(tasks: Iterable[Task]) -> Dict[str, Dict[int, int]]:
  """experiment -> level -> number of tasks (the --dry_run table)."""
  out: Dict[str, Dict[int, int]] = {}
  for task in tasks:
    by_level = out.setdefault(task.experiment, {})
    by_level[task.level] = by_level.get(task.level, 0) + 1
  return out


def describe(tasks: List[Task]) -> str:
  """Counts per procedure and level, and the total, one line per procedure."""
  lines = [f'{len(tasks)} level-runs:']
  by_procedure = counts(tasks)
  width = max([20, *(len(name) for name in by_procedure)])
  for name, by_level in by_procedure.items():
    levels = ', '.join(f'{level}x{n}' for level, n in sorted(by_level.items()))
    lines.append(f'  {name:<{width}} {sum(by_level.values()):>4}  (level x trials: {levels})')
  return '\n'.join(lines)

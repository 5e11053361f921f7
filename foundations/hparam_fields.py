"""The field machinery of typed hyperparameters (foundations.hparams): a dataclass field that
carries its flag's name, help, allowed values, the field it follows and the procedure that sets
it, and the checks every group runs.
"""

import dataclasses
from typing import Optional, Tuple


class HparamsError(ValueError):
  """Invalid hyperparameters; the message is one line."""


def field(default, help_text: str, flag: Optional[str] = None, choices: Tuple[str, ...] = (),
          follows: Optional[Tuple[str, float]] = None, set_by: str = ''):
  """A dataclass field with its flag's help.

  Optional: the flag's name when it differs from the field's, the allowed
  values, `follows=(other, factor)`: the field is factor x the other
  field's value unless given itself, whether the Desc is made by construction,
  `Desc.replace` or flags (its default must then be None), and `set_by`: the
  procedure that sets the field from its own flags (no flag is generated for it).
  """
  return dataclasses.field(default=default, metadata={
      'help': help_text, 'flag': flag, 'choices': choices, 'follows': follows,
      'set_by': set_by})


def check_choices(group) -> None:
  for f in dataclasses.fields(group):
    allowed, value = f.metadata.get('choices'), getattr(group, f.name)
    if allowed and value not in allowed:
      raise HparamsError(f'--{flag_name(f)}={value}: expected one of {", ".join(allowed)}')


def fill_follows(group) -> None:
  """Sets every field of a (frozen) group left at None that `follows` another to its share."""
  for f in dataclasses.fields(group):
    follows = f.metadata.get('follows')
    if follows and getattr(group, f.name) is None:
      object.__setattr__(group, f.name, getattr(group, follows[0]) * follows[1])


def flag_name(f: dataclasses.Field) -> str:
  return f.metadata.get('flag') or f.name


def has_flag(f: dataclasses.Field) -> bool:
  """Whether the field gets a generated flag (fields a procedure sets itself do not)."""
  return not f.metadata.get('set_by')

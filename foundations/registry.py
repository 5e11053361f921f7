"""A name -> entry registry, in registration order (networks, procedures)."""

from typing import Dict, Generic, Tuple, Type, TypeVar

T = TypeVar('T')


class Registry(Generic[T]):
  """Entries with a `name`; looking up an unknown name is a one-line error naming the flag."""

  def __init__(self, flag: str, error: Type[Exception] = ValueError):
    self.flag, self.error = flag, error
    self._entries: Dict[str, T] = {}

  def register(self, entry: T) -> T:
    if entry.name in self._entries:
      raise ValueError(f'{self.flag} {entry.name!r} is registered twice')
    self._entries[entry.name] = entry
    return entry

  def get(self, name: str) -> T:
    if name not in self._entries:
      raise self.error(f'--{self.flag}={name}: expected one of {", ".join(self._entries)}')
    return self._entries[name]

  def names(self) -> Tuple[str, ...]:
    return tuple(self._entries)

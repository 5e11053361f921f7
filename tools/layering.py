"""The package layers, and a check that no import runs up them.

  foundations  <  datasets  <  lottery  <  mnist_fc, cifar_conv

A package may import only packages below it (and itself): `foundations` holds
the machinery and imports none of the others; `datasets` may use
`foundations`; `lottery` may use both; the experiment packages may use all.
Every import statement counts, including those inside functions.

Inside `lottery`, the core (the level loop, its registries and what they use:
CORE) imports none of the sub-packages built on it (SUBPACKAGES: sweep, report,
interop, bench, testing), and only tests (`*_test.py`) import the test fixtures
of `lottery.testing`.

Usage: python -m tools.layering [--root=DIR]   (prints violations, exits 1 if any)
"""

import ast
import os
import sys

LAYERS = {'foundations': 0, 'datasets': 1, 'lottery': 2, 'mnist_fc': 3, 'cifar_conv': 3}

# Files (or directories, ending in '/') of lottery's core, relative to the root.
CORE = ('lottery/levels.py', 'lottery/level_models.py', 'lottery/tensorboard_rows.py',
        'lottery/seeds.py', 'lottery/progress.py', 'lottery/environment.py',
        'lottery/reference_format.py', 'lottery/procedures/', 'lottery/networks/')
SUBPACKAGES = ('lottery.sweep', 'lottery.report', 'lottery.interop', 'lottery.bench',
               'lottery.testing')
TEST_FIXTURES = 'lottery.testing'


def imported_modules(source: str):
  """(line, dotted name) of every import in a module's source; `from a import b` gives a.b."""
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Import):
      for alias in node.names:
        yield node.lineno, alias.name
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
      for alias in node.names:
        yield node.lineno, f'{node.module}.{alias.name}'


def _within(module: str, package: str) -> bool:
  return module == package or module.startswith(package + '.')


def _file_violations(rel: str, package: str, source: str):
  """The violations of one file at `rel` (relative to the root) of `package`."""
  layer = LAYERS[package]
  core = any(rel == c or (c.endswith('/') and rel.startswith(c)) for c in CORE)
  test = rel.endswith('_test.py')
  fixture = rel.startswith(TEST_FIXTURES.replace('.', '/') + '/')
  for line, module in imported_modules(source):
    top = module.split('.')[0]
    if top in LAYERS and top != package and LAYERS[top] >= layer:
      yield f'{rel}:{line}: {package} imports {top}'
    elif core and not test and any(_within(module, p) for p in SUBPACKAGES):
      yield f'{rel}:{line}: lottery core imports {module}'
    elif not test and not fixture and _within(module, TEST_FIXTURES):
      yield f'{rel}:{line}: a non-test module imports {module}'


def violations(root: str):
  """'path:line: <what>' for each import running up the layers or into a sub-package."""
  found = []
  for package in sorted(LAYERS):
    for directory, dirs, files in os.walk(os.path.join(root, package)):
      dirs[:] = sorted(d for d in dirs if d != '__pycache__')
      for name in sorted(files):
        if not name.endswith('.py'):
          continue
        path = os.path.join(directory, name)
        with open(path) as f:
          source = f.read()
        rel = os.path.relpath(path, root).replace(os.sep, '/')
        found.extend(_file_violations(rel, package, source))
  return sorted(found, key=lambda v: (v.split(':')[0], int(v.split(':')[1])))


def main(argv) -> int:
  root = argv[1].split('=', 1)[1] if len(argv) > 1 else os.getcwd()
  found = violations(root)
  for line in found:
    print(line)
  return 1 if found else 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

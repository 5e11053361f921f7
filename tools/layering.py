"""The package layers, and a check that no import runs up them.

  foundations  <  datasets  <  lottery  <  mnist_fc, cifar_conv

A package may import only packages below it (and itself): `foundations` holds
the machinery and imports none of the others; `datasets` may use
`foundations`; `lottery` may use both; the experiment packages may use all.
Every import statement counts, including those inside functions.

Usage: python -m tools.layering [--root=DIR]   (prints violations, exits 1 if any)
"""

import ast
import os
import sys

LAYERS = {'foundations': 0, 'datasets': 1, 'lottery': 2, 'mnist_fc': 3, 'cifar_conv': 3}


def imported_packages(source: str):
  """(line, top-level package) of every import in a module's source."""
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Import):
      for alias in node.names:
        yield node.lineno, alias.name.split('.')[0]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
      yield node.lineno, node.module.split('.')[0]


def violations(root: str):
  """'path:line: <package> imports <higher package>' for each import running up the layers."""
  found = []
  for package, layer in sorted(LAYERS.items()):
    for directory, dirs, files in os.walk(os.path.join(root, package)):
      dirs[:] = sorted(d for d in dirs if d != '__pycache__')
      for name in sorted(files):
        if not name.endswith('.py'):
          continue
        path = os.path.join(directory, name)
        with open(path) as f:
          source = f.read()
        for line, imported in imported_packages(source):
          if imported in LAYERS and imported != package and LAYERS[imported] >= layer:
            found.append(f'{os.path.relpath(path, root)}:{line}: {package} imports {imported}')
  return sorted(found, key=lambda v: (v.split(':')[0], int(v.split(':')[1])))


def main(argv) -> int:
  root = argv[1].split('=', 1)[1] if len(argv) > 1 else os.getcwd()
  found = violations(root)
  for line in found:
    print(line)
  return 1 if found else 0


if __name__ == '__main__':
  sys.exit(main(sys.argv))

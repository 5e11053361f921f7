"""Checks that every `*_test.py` in the repo has a `py_test` target.

`bazel test //...` only runs tests that have a target, so a test file that
was added without one would silently never run in CI. This module finds such
files: for each directory, it parses the BUILD file beside the tests and
collects the `py_test` rules' `name` and `srcs`.

A test file `foo_test.py` counts as covered when
  * its file name appears in some py_test's `srcs`, or
  * a py_test named `foo_test` has no `srcs` (so Bazel's default applies), or
  * a list comprehension makes a py_test per file of `glob([...])` (e.g.
    `[py_test(name = t[:-3], srcs = [t]) for t in glob(["*_test.py"])]`) and
    the file matches one of the glob's patterns, or
  * a py_test (or a macro named *_py_test, e.g. package_py_test) lists it in
    `srcs`, directly, through a top-level `NAME = [...]`, or by `glob([...])`.

Usage: python -m tools.check_bazel_targets [--root=DIR]
"""

import ast
import fnmatch
import os
import re
import sys

# Directories never searched: the venv, Bazel's output symlinks, VCS data and
# vendored Bazel stand-ins (which are separate repositories).
SKIP_DIRS = frozenset([".venv", ".git", "third_party", "__pycache__"])
BUILD_FILE_NAMES = ("BUILD.bazel", "BUILD")
TEST_FILE_SUFFIX = "_test.py"


def _is_py_test_call(node):
    """True for `py_test(...)`, also via a macro name ending in py_test."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        name = func.id
    elif isinstance(func, ast.Attribute):  # e.g. native.py_test(...)
        name = func.attr
    else:
        return False
    return name == "py_test" or name.endswith("_py_test")


def _string_list(node, constants=None):
    """Returns the strings in a list literal (`[...] + [...]` too), else None.

    A name is looked up in `constants` (the BUILD file's top-level `NAME = [...]`).
    None means "not statically known" (e.g. glob()), which the caller treats
    as covering nothing rather than guessing.
    """
    constants = constants or {}
    if isinstance(node, ast.Name) and node.id in constants:
        return _string_list(constants[node.id])
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _string_list(node.left, constants)
        right = _string_list(node.right, constants)
        return (left or []) + (right or [])
    return None


def _top_level_lists(tree):
    """{NAME: value node} of the BUILD file's top-level `NAME = [...]` assignments."""
    return {node.targets[0].id: node.value for node in tree.body
            if isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)}


def _label_file_name(label):
    """'//pkg:foo_test.py', ':foo_test.py' or 'foo_test.py' -> 'foo_test.py'."""
    return label.rsplit(":", 1)[-1]


def parse_py_tests(build_text):
    """Returns [(name, srcs_or_None)] for the py_test rules in a BUILD file.

    Starlark BUILD files are almost always valid Python syntax, so this uses
    Python's parser; srcs is None when the rule does not set `srcs`, and []
    when it is not a plain list of strings.
    """
    try:
        tree = ast.parse(build_text)
    except SyntaxError:
        return _parse_py_tests_by_regex(build_text)
    rules = []
    constants = _top_level_lists(tree)
    for node in ast.walk(tree):
        if not _is_py_test_call(node):
            continue
        kwargs = {kw.arg: kw.value for kw in node.keywords if kw.arg}
        name_node = kwargs.get("name")
        if not (isinstance(name_node, ast.Constant) and
                isinstance(name_node.value, str)):
            continue
        if "srcs" in kwargs:
            srcs = [_label_file_name(s) for s in
                    (_string_list(kwargs["srcs"], constants) or [])]
        else:
            srcs = None
        rules.append((name_node.value, srcs))
    return rules


_RULE_RE = re.compile(r"\bpy_test\s*\((.*?)\n\)", re.S)
_NAME_RE = re.compile(r"\bname\s*=\s*[\"']([^\"']+)[\"']")
_SRCS_RE = re.compile(r"\bsrcs\s*=\s*\[([^\]]*)\]")


def _parse_py_tests_by_regex(build_text):
    """Fallback for BUILD files Python cannot parse (rare Starlark syntax)."""
    rules = []
    for match in _RULE_RE.finditer(build_text):
        body = match.group(1)
        name = _NAME_RE.search(body)
        if not name:
            continue
        srcs = _SRCS_RE.search(body)
        if srcs:
            files = [_label_file_name(s) for s in
                     re.findall(r"[\"']([^\"']+)[\"']", srcs.group(1))]
        else:
            files = None
        rules.append((name.group(1), files))
    return rules


def glob_test_patterns(build_text):
    """Patterns of `[py_test(...) for x in glob([patterns])]` comprehensions and of
    `py_test(srcs = glob([patterns]) + ...)` rules in a BUILD file."""
    try:
        tree = ast.parse(build_text)
    except SyntaxError:
        return []
    patterns = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ListComp) and _is_py_test_call(node.elt):
            for gen in node.generators:
                patterns.extend(_glob_patterns(gen.iter))
        elif _is_py_test_call(node):  # one target for many files: srcs = glob([...]) + [...]
            for kw in node.keywords:
                if kw.arg == "srcs":
                    patterns.extend(_glob_patterns(kw.value))
    return patterns


def _glob_patterns(node):
    """The include patterns of the glob() calls in an expression (glob([...]) + [...])."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _glob_patterns(node.left) + _glob_patterns(node.right)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "glob" and node.args):
        return _string_list(node.args[0]) or []
    return []


def covered_test_files(build_text, dir_files=()):
    """The set of test file names that the BUILD text's py_tests cover.

    dir_files: the directory's file names, matched against glob comprehensions.
    """
    covered = set()
    for pattern in glob_test_patterns(build_text):
        covered.update(f for f in dir_files if fnmatch.fnmatch(f, pattern))
    for name, srcs in parse_py_tests(build_text):
        if srcs is None:
            covered.add(name + ".py")
        else:
            covered.update(srcs)
    return covered


def _read_bazelignore(root):
    """Top-level paths listed in .bazelignore, which Bazel never looks at."""
    path = os.path.join(root, ".bazelignore")
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        return {line.strip().strip("/") for line in f
                if line.strip() and not line.startswith("#")}


def find_uncovered_tests(root):
    """Returns sorted repo-relative paths of *_test.py files without py_test."""
    ignored = _read_bazelignore(root)
    uncovered = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir
        # Prune in place so os.walk does not descend into skipped folders.
        dirnames[:] = sorted(
            d for d in dirnames
            if d not in SKIP_DIRS and not d.startswith("bazel-")
            and os.path.join(rel_dir, d) not in ignored)
        tests = sorted(f for f in filenames if f.endswith(TEST_FILE_SUFFIX))
        if not tests:
            continue
        build_text = ""
        for build_name in BUILD_FILE_NAMES:
            if build_name in filenames:
                with open(os.path.join(dirpath, build_name)) as f:
                    build_text = f.read()
                break
        covered = covered_test_files(build_text, filenames)
        uncovered.extend(os.path.join(rel_dir, t) for t in tests
                         if t not in covered)
    return sorted(uncovered)


def main(argv):
    root = os.getcwd()
    for arg in argv[1:]:
        if arg.startswith("--root="):
            root = arg[len("--root="):]
    uncovered = find_uncovered_tests(root)
    for path in uncovered:
        print("%s: no py_test target in %s/BUILD" %
              (path, os.path.dirname(path) or "."))
    return 1 if uncovered else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

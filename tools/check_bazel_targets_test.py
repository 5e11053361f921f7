"""Tests for check_bazel_targets, and the check itself on this repo."""

import os

from absl.testing import absltest

from tools import check_bazel_targets


def _workspace_root():
    """The real source tree, also when run by `bazel test`.

    Under Bazel this file is a runfiles symlink that resolves back into the
    source tree, so realpath() finds the repo (not the sandbox) even though
    BUILD files of other packages are not inputs of this test. The py_test is
    tagged "external" so Bazel never serves a stale cached result.
    """
    here = os.path.dirname(os.path.realpath(__file__))
    return os.path.dirname(here)


def _write(root, rel_path, text=""):
    path = os.path.join(root, rel_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class ParseTest(absltest.TestCase):

    def test_names_and_srcs(self):
        rules = check_bazel_targets.parse_py_tests("""
load("@rules_python//python:defs.bzl", "py_library")
py_library(name = "lib", srcs = ["lib.py"])
py_test(
    name = "a_test",
    srcs = ["a_test.py", ":helper.py"],
    deps = [":lib"],
)
py_test(name = "b_test")
py_test(name = "c", srcs = glob(["c*.py"]))
""")
        self.assertEqual(rules, [("a_test", ["a_test.py", "helper.py"]),
                                 ("b_test", None),
                                 ("c", [])])

    def test_regex_fallback_for_non_python_syntax(self):
        # `def f(*, x)`-free Starlark is Python; force the fallback anyway.
        text = 'py_test(\n    name = "a_test",\n    srcs = ["a_test.py"],\n)\n'
        self.assertEqual(
            check_bazel_targets._parse_py_tests_by_regex(text),
            [("a_test", ["a_test.py"])])


class FindUncoveredTest(absltest.TestCase):

    def setUp(self):
        super().setUp()
        self.root = self.create_tempdir().full_path

    def test_reports_missing_target(self):
        _write(self.root, "pkg/BUILD",
               'py_test(name = "a_test", srcs = ["a_test.py"])\n')
        _write(self.root, "pkg/a_test.py")
        _write(self.root, "pkg/b_test.py")
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         ["pkg/b_test.py"])

    def test_default_srcs_and_multiple_srcs_cover(self):
        _write(self.root, "pkg/BUILD",
               'py_test(name = "a_test")\n'
               'py_test(name = "bc", srcs = ["b_test.py", "c_test.py"])\n')
        for name in ("a_test.py", "b_test.py", "c_test.py"):
            _write(self.root, "pkg/" + name)
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         [])

    def test_glob_comprehension_covers_matching_files_only(self):
        _write(self.root, "pkg/BUILD",
               '[py_test(name = t[:-3], srcs = [t]) for t in glob(["a*_test.py"])]\n')
        for name in ("a_test.py", "ab_test.py", "b_test.py"):
            _write(self.root, "pkg/" + name)
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         ["pkg/b_test.py"])

    def test_one_target_with_globbed_srcs_covers_matching_files_only(self):
        _write(self.root, "pkg/BUILD",
               'load("//tools:package_suite.bzl", "package_py_test")\n'
               'package_py_test(name = "tests", srcs = glob(["a*_test.py"]))\n')
        for name in ("a_test.py", "ab_test.py", "b_test.py"):
            _write(self.root, "pkg/" + name)
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         ["pkg/b_test.py"])

    def test_srcs_from_a_named_list_cover_its_files(self):
        _write(self.root, "pkg/BUILD",
               'SHARED = ["a_test.py", "b_test.py"]\n'
               'py_test(name = "tests", srcs = ["//tools:package_suite.py"] + SHARED)\n')
        for name in ("a_test.py", "b_test.py", "c_test.py"):
            _write(self.root, "pkg/" + name)
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         ["pkg/c_test.py"])

    def test_directory_without_build_file(self):
        _write(self.root, "a/b/deep_test.py")
        _write(self.root, "top_test.py")
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         ["a/b/deep_test.py", "top_test.py"])

    def test_py_test_in_other_directory_does_not_count(self):
        _write(self.root, "pkg/BUILD",
               'py_test(name = "x_test", srcs = ["sub/x_test.py"])\n')
        _write(self.root, "pkg/sub/x_test.py")
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         ["pkg/sub/x_test.py"])

    def test_skipped_directories(self):
        for d in (".venv/lib", "bazel-out/x", ".git/x", "third_party/x",
                  "ignored/x"):
            _write(self.root, d + "/skip_test.py")
        _write(self.root, ".bazelignore", "ignored\n")
        self.assertEqual(check_bazel_targets.find_uncovered_tests(self.root),
                         [])

    def test_main_exit_code(self):
        _write(self.root, "pkg/a_test.py")
        self.assertEqual(
            check_bazel_targets.main(["x", "--root=" + self.root]), 1)
        _write(self.root, "pkg/BUILD", 'py_test(name = "a_test")\n')
        self.assertEqual(
            check_bazel_targets.main(["x", "--root=" + self.root]), 0)


class RepoTest(absltest.TestCase):

    def test_root_is_the_source_tree(self):
        root = _workspace_root()
        self.assertTrue(os.path.isfile(os.path.join(root, "WORKSPACE")),
                        "no WORKSPACE in %s" % root)
        self.assertTrue(
            os.path.isfile(os.path.join(root, "tools", "BUILD")), root)

    def test_every_test_file_has_a_py_test(self):
        uncovered = check_bazel_targets.find_uncovered_tests(
            _workspace_root())
        self.assertEqual(
            uncovered, [],
            "these *_test.py files have no py_test target in the BUILD file "
            "of their directory, so `bazel test //...` never runs them")


if __name__ == "__main__":
    absltest.main()

"""package_py_test: one py_test target that runs several test files in one process."""

def package_py_test(name, srcs, deps = [], **kwargs):
    """A py_test running the test files `srcs` (of this package) in one process.

    Every py_test target is a process of its own; test files that share
    TensorFlow's start-up and their fixtures run faster as one target. See
    tools/package_suite.py, the main that imports and runs them.
    """
    package = native.package_name().replace("/", ".")
    native.py_test(
        name = name,
        srcs = ["//tools:package_suite.py"] + srcs,
        main = "//tools:package_suite.py",
        args = [package + "." + src[:-len(".py")] for src in srcs],
        deps = deps,
        **kwargs
    )

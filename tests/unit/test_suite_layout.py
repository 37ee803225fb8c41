"""The test tree's own rules. A test module imports helpers from tests/helpers/, never another test module:
importing one runs its module body again under another name and drags its fixtures along, which is how
fixtures came to be imported by name (shadowed parameters, the linter's F811) and helpers to live in
whatever test first needed them. The plugins test themselves with `exaroutes.testing` alone: they ship
without the host's `tests` package, and so does the package itself. An AST walk, function-level imports
included."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def imported_modules(source, filename="<source>"):
    """Every module a source imports, as dotted names (`from a import b` yields `a` and `a.b`)."""
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imports_a_test_module(source):
    return sorted({module for module in imported_modules(source)
                   if any(part.startswith("test_") for part in module.split("."))})


def imports_the_host_tests(source):
    return sorted({module for module in imported_modules(source) if module == "tests" or module.startswith("tests.")})


def python_files(*folders):
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_the_checks_see_what_they_refuse():
    assert imports_a_test_module("from tests.functional.test_errors import assert_error_shape") \
        == ["tests.functional.test_errors", "tests.functional.test_errors.assert_error_shape"]
    assert imports_a_test_module("def f():\n    from tests.functional import test_analytics\n") \
        == ["tests.functional.test_analytics"]
    assert imports_a_test_module("import tests.unit.test_readme_layout") == ["tests.unit.test_readme_layout"]
    assert imports_a_test_module("from tests.helpers.http import assert_error_shape\nimport pytest") == []
    assert imports_the_host_tests("from tests.helpers.qr_decode import decode_image") != []
    assert imports_the_host_tests("from exaroutes.testing import decode_image") == []


def test_no_module_of_the_suite_imports_a_test_module():
    files = python_files("tests", "plugins", "scripts")
    assert ROOT / "tests" / "functional" / "test_bulk_api.py" in files
    offenders = {str(path.relative_to(ROOT)): found for path in files
                 if (found := imports_a_test_module(path.read_text()))}
    assert offenders == {}


def test_the_plugins_and_the_package_do_without_the_host_tests():
    files = python_files("plugins", "exaroutes")
    assert ROOT / "plugins" / "exaroutes-epc" / "tests" / "conftest.py" in files
    offenders = {str(path.relative_to(ROOT)): found for path in files
                 if (found := imports_the_host_tests(path.read_text()))}
    assert offenders == {}

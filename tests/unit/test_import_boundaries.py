"""Arrows point down (STYLE.md §1): `api/`, `scan/` and `dashboard/` call the domain; the domain never
imports a web package. An AST walk over every module of the package, function-level imports included,
so a "lazy" import cannot slip a cycle back in."""
import ast
import pathlib

import exaroutes

PACKAGE = pathlib.Path(exaroutes.__file__).parent
WEB_PACKAGES = ("exaroutes.api", "exaroutes.scan", "exaroutes.dashboard")
#: the composition roots: the app factory includes every package, the server runner warms the scan path
ROOTS = ("exaroutes", "exaroutes.server")


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path, name):
    """Every module `path` imports, as absolute dotted names (relative imports resolved)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


#: a feature package (webhooks/, routing/, domains/) keeps its web side in these modules (STYLE.md §1:
#: "each its own package with models, service, api views"); they may use api/ like api/ itself does
FEATURE_WEB_MODULES = ("api", "views", "schemas")


def is_web(module):
    if any(module == web or module.startswith(web + ".") for web in WEB_PACKAGES):
        return True
    parts = module.split(".")
    return len(parts) == 3 and parts[2] in FEATURE_WEB_MODULES and parts[1] != "schemas"


def domain_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        if "alembic" in path.parts or is_web(name) or name in ROOTS:
            continue
        yield path, name


def test_the_walk_sees_the_domain_and_resolves_imports():
    names = {name for _, name in domain_modules()}
    assert {"exaroutes.codes.lookup", "exaroutes.imaging.design", "exaroutes.bulk.worker",
            "exaroutes.protections.limits", "exaroutes.datatypes.vcard"} <= names
    assert not names & {"exaroutes.api.codes", "exaroutes.scan.gate", "exaroutes.dashboard.forms"}
    assert "exaroutes.schemas.types" in names
    scan_init = PACKAGE / "scan" / "__init__.py"
    assert "exaroutes.scan.gate" in set(imported_modules(scan_init, "exaroutes.scan"))


def test_no_domain_module_imports_a_web_package():
    offenders = [f"{name} imports {module}" for path, name in domain_modules()
                 for module in imported_modules(path, name) if is_web(module)]
    assert offenders == []

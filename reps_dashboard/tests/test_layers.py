"""Which module may import what: the layering the architecture describes, read from the imports."""

import ast
from pathlib import Path

from django.conf import settings

from reps_dashboard import errors
from reps_dashboard.project_apps import project_app_labels, project_apps


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def _domain_modules():
    paths = [Path(errors.__file__)]
    for config in project_apps():
        for name in ("services", "selectors"):
            module = Path(config.path) / f"{name}.py"
            paths += [module] if module.exists() else sorted((Path(config.path) / name).glob("*.py"))
    return paths


def test_no_service_or_selector_module_imports_rest_framework():
    modules = _domain_modules()
    assert len(modules) > 5  # the walk found the apps' modules
    offenders = [f"{path.parent.name}/{path.name}: {name}" for path in modules for name in _imports(path)
                 if name.split(".")[0] == "rest_framework"]
    assert offenders == []


def test_the_shared_api_plumbing_imports_no_app():
    """``reps_dashboard/api`` serves every app; the tenancy base classes live in ``tenants/api``."""
    apps = set(project_app_labels())
    assert "tenants" in apps
    api = Path(settings.BASE_DIR) / "reps_dashboard" / "api"
    offenders = [f"{path.name}: {name}" for path in sorted(api.glob("*.py")) for name in _imports(path)
                 if name.split(".")[0] in apps]
    assert offenders == []


def test_the_tenancy_imports_no_domain_app():
    """Every app builds on ``tenants``; ``tenants`` builds on none of them."""
    domain = set(project_app_labels()) - {"tenants"}
    tenants = Path(settings.BASE_DIR) / "tenants"
    offenders = [f"{path.relative_to(tenants)}: {name}" for path in sorted(tenants.rglob("*.py"))
                 if "tests" not in path.parts and "migrations" not in path.parts
                 for name in _imports(path) if name.split(".")[0] in domain]
    assert offenders == []

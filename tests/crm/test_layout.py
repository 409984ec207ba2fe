"""The CRM shell is not the jobs app: jobs depends on no app built on it."""

import ast
from pathlib import Path

from django.conf import settings

BUILT_ON_JOBS = ("notifications", "reports", "crm")


def imported_modules(app):
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield from ((path.name, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield path.name, node.module


def test_jobs_imports_nothing_from_the_apps_built_on_it():
    wrong = [(name, module) for name, module in imported_modules("jobs") if module.split(".")[0] in BUILT_ON_JOBS]

    assert wrong == []


def test_jobs_templates_name_no_other_app_url():
    templates = (Path(settings.BASE_DIR) / "jobs" / "templates").rglob("*.html")
    wrong = [t.name for t in templates if any(f"'{app}:" in t.read_text() for app in BUILT_ON_JOBS)]

    assert wrong == []

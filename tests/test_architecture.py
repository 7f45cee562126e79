"""The ML package stays Django-free so it can be tested, benchmarked and reused alone."""

import ast
from pathlib import Path

RECOMMENDER = Path(__file__).resolve().parent.parent / "recommender"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_recommender_never_imports_django_or_lnd():
    offenders = {
        str(path.relative_to(RECOMMENDER)): sorted(_imported_modules(path) & {"django", "lnd"})
        for path in RECOMMENDER.rglob("*.py")
        if _imported_modules(path) & {"django", "lnd"}
    }
    assert offenders == {}


def test_architecture_check_sees_a_django_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("from django.db import models\nimport lnd.models\n")
    assert _imported_modules(probe) == {"django", "lnd"}

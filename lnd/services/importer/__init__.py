"""Importing a folder or .zip of contract files (docs: /work/shared/data-contract.md).

    run_import(path, dry_run=False, as_of=None, progress=None) -> ImportResult
"""

from .report import FileReport, ImportResult
from .runner import run_import

__all__ = ["FileReport", "ImportResult", "run_import"]

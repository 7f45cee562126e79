"""What an import reports back: per file, and for the import as a whole."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class FileReport:
    file_name: str
    status: str  # "imported" | "rejected" | "dry_run"
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # "file:line: column: what is wrong"
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    files: list[FileReport] = field(default_factory=list)
    as_of: date | None = None
    errors: list[str] = field(default_factory=list)  # not tied to one file
    warnings: list[str] = field(default_factory=list)  # not tied to one file (unknown files)

    @property
    def ok(self) -> bool:
        return not self.errors and all(f.status != "rejected" for f in self.files)

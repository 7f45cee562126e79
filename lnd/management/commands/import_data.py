"""python manage.py import_data PATH [--dry-run] [--as-of DATE]"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lnd.services.importer import ImportResult, run_import


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of: '{text}' is not an ISO date like 2025-03-31") from None


class Command(BaseCommand):
    help = "Import a folder or .zip of data-contract files (CSV and xAPI JSON lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="folder or .zip holding the files")
        parser.add_argument("--dry-run", action="store_true",
                            help="check everything and report, but write nothing")
        parser.add_argument("--as-of", type=str, default=None,
                            help="rows dated after this date are rejected (default: today)")

    def handle(self, *args, path: Path, dry_run: bool, as_of: str | None, **options) -> None:
        result = run_import(path, dry_run=dry_run, as_of=_as_of(as_of) if as_of else None)
        self.summarise(result)
        if not result.ok:
            rejected = sum(f.status == "rejected" for f in result.files)
            raise CommandError(f"import failed: {rejected} file(s) rejected, "
                               f"{len(result.errors)} other error(s)", returncode=1)

    def summarise(self, result: ImportResult) -> None:
        for message in result.errors:
            self.stderr.write(message)
        for message in result.warnings:
            self.stdout.write(f"warning: {message}")
        for report in result.files:
            self.stdout.write(
                f"{report.file_name}: {report.status}: {report.rows} rows, "
                f"{report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged")
            for message in report.warnings:
                self.stdout.write(f"  warning: {message}")
            for message in report.errors:
                self.stderr.write(message)

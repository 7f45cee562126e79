"""Getting bytes out of a folder or a .zip, and rows out of CSV bytes.

Nothing here touches the database. Every problem becomes a message in the contract's
`file:line: column: what is wrong` shape; nothing raises past this module.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

BOM = b"\xef\xbb\xbf"
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
IGNORED_NAMES = (".ds_store", "thumbs.db", "desktop.ini")

csv.field_size_limit(64 * 1024 * 1024)  # long transcripts are legitimate


def neutralise(text: str) -> str:
    """Make free text inert if exported to a spreadsheet: a leading quote shows as text."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def human_bytes(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


@dataclass
class Source:
    """One contract file found in the import, not yet read."""

    name: str  # the contract name, e.g. "agents.csv"
    size: int
    opener: Callable[[], io.BufferedIOBase]

    def read(self, max_bytes: int) -> bytes:
        """Read at most max_bytes; a zip entry that lies about its size is still cut off."""
        if self.size > max_bytes:
            raise FileTooLarge(self.size)
        with self.opener() as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise FileTooLarge(len(data))
        return data


class FileTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


@dataclass
class Bundle:
    sources: dict[str, Source] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _is_unsafe(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name:
        return True
    if len(name) > 1 and name[1] == ":":  # C:/...
        return True
    return any(part == ".." for part in name.split("/"))


def _is_ignored(parts: tuple[str, ...]) -> bool:
    return (parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)
            or parts[-1].lower() in IGNORED_NAMES)


def _select(entries: dict[tuple[str, ...], Source], contract: set[str], bundle: Bundle,
            where: str) -> None:
    """Apply the layout rule: contract files at the root or inside ONE top-level folder."""
    homes: dict[str, list[tuple[str, ...]]] = {}
    for parts in entries:
        if parts[-1].lower() in contract:
            if len(parts) > 2:
                bundle.errors.append(
                    f"{where}: {'/'.join(parts)}: nested too deep; put the files at the top "
                    "of the archive or inside a single top-level folder")
                continue
            homes.setdefault(parts[0] if len(parts) == 2 else "", []).append(parts)
    if len(homes) > 1:
        places = ", ".join(sorted(f"'{h}/'" if h else "the top level" for h in homes))
        bundle.errors.append(
            f"{where}: contract files are in more than one place ({places}); "
            "an import holds one folder")
        return
    if bundle.errors:
        return
    chosen = next(iter(homes.values()), [])
    for parts in chosen:
        bundle.sources[parts[-1].lower()] = entries[parts]
    for parts in sorted(entries):
        if parts not in chosen:
            bundle.warnings.append(f"{'/'.join(parts)}: not a file of the data contract; ignored")


@contextmanager
def open_import(path: Path, contract: set[str]) -> Iterator[Bundle]:
    """Find the contract files of a folder or a .zip; the zip stays open while in use."""
    bundle = Bundle()
    path = Path(path)
    if path.is_dir():
        entries: dict[tuple[str, ...], Source] = {}
        for file in sorted(path.rglob("*")):
            parts = file.relative_to(path).parts
            if file.is_file() and not _is_ignored(parts):
                entries[parts] = Source(parts[-1].lower(), file.stat().st_size,
                                        lambda f=file: f.open("rb"))
        _select(entries, contract, bundle, path.name)
        yield bundle
        return
    if not path.exists():
        bundle.errors.append(f"{path}: no such file or folder")
        yield bundle
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        bundle.errors.append(f"{path.name}: not a folder or a readable .zip file ({exc})")
        yield bundle
        return
    with archive:
        entries = {}
        for info in archive.infolist():
            if info.is_dir():
                continue
            if _is_unsafe(info.filename):
                bundle.errors.append(
                    f"{path.name}: {info.filename}: unsafe path (absolute or with '..'); "
                    "the archive is refused")
                continue
            parts = PurePosixPath(info.filename).parts
            if not _is_ignored(parts):
                entries[parts] = Source(parts[-1].lower(), info.file_size,
                                        lambda i=info: archive.open(i))
        if not bundle.errors:
            _select(entries, contract, bundle, path.name)
        if bundle.errors:
            bundle.sources.clear()
        yield bundle


# --- CSV ---------------------------------------------------------------------------------


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number of the row's first line, values)


def decode(name: str, data: bytes) -> tuple[str | None, list[str]]:
    """UTF-8 (BOM accepted). On failure report every line holding bad bytes."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    errors = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(
                f"{name}:{number}: encoding: byte 0x{line[exc.start]:02x} at position "
                f"{exc.start + 1} is not valid UTF-8; save the file as UTF-8")
    return None, errors


def parse_csv(name: str, data: bytes) -> tuple[CsvTable | None, list[str]]:
    if not data:
        return None, [f"{name}:1: file: the file is empty (0 bytes); "
                      "a CSV needs at least a header row"]
    text, errors = decode(name, data)
    if text is None:
        return None, errors
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for values in reader:
            first_line, last = last + 1, reader.line_num
            if not values or values == [""]:
                continue
            if header is None:
                header = [v.strip().lower() for v in values]
            else:
                rows.append((first_line, values))
    except csv.Error as exc:
        return None, [f"{name}:{reader.line_num}: file: cannot parse the CSV here ({exc})"]
    if header is None:
        return None, [f"{name}:1: header: no header row (the file holds only blank lines)"]
    return CsvTable(header, rows), []

"""The import: contract files in dependency order, one transaction per file."""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from lnd import models as m
from lnd.services.xapi import ingest_statements

from . import writers
from .derive import derive_weekly
from .reading import FileTooLarge, Source, decode, human_bytes, open_import, parse_csv
from .report import FileReport, ImportResult
from .schema import CONTRACT_FILES, ORDER, SPECS, XAPI_FILE, CellError, converter
from .writers import PENDING, Ctx, Target

logger = logging.getLogger(__name__)
Progress = Callable[[float, str], None]
TICK_ROWS = 10_000
DERIVED_NAME = "weekly_performance (derived from interactions)"


class Row:
    __slots__ = ("fields", "key", "line", "values")

    def __init__(self, line: int, fields: dict, values: dict, key: tuple) -> None:
        self.line, self.fields, self.values, self.key = line, fields, values, key


class Rejected(Exception):
    """The file has bad rows: roll its transaction back."""


def run_import(path: Path, *, dry_run: bool = False, as_of: date | None = None,
               progress: Progress | None = None) -> ImportResult:
    result = ImportResult(as_of=as_of)
    with open_import(Path(path), CONTRACT_FILES) as bundle:
        result.errors += bundle.errors
        result.warnings += bundle.warnings
        if bundle.errors:
            return result
        if not bundle.sources:
            result.errors.append(f"{Path(path).name}: no file of the data contract found "
                                 f"(expected names like agents.csv, performance.csv)")
            return result
        report_progress = progress or (lambda fraction, message: None)
        run = _Run(bundle.sources, as_of or timezone.localdate(), dry_run,
                   lambda fraction, message: report_progress(min(max(fraction, 0.0), 1.0),
                                                             message))
        if dry_run:
            with transaction.atomic():
                run.all()
                transaction.set_rollback(True)
        else:
            run.all()
        result.files = run.reports
    return result


class _Run:
    def __init__(self, sources: dict[str, Source], as_of: date, dry_run: bool,
                 progress: Progress) -> None:
        self.sources, self.as_of, self.dry_run, self.progress = sources, as_of, dry_run, progress
        self.reports: list[FileReport] = []
        self.weeks: set[tuple[int, date]] = set()  # agent-weeks touched, for derivation
        names = [n for n in ORDER if n in sources]
        self.steps = len(names) + (1 if {"performance.csv", "interactions.csv"} & set(names)
                                   else 0)
        self.done = 0
        from lnd.services.governance import erased_ids

        # People erased at their request: the HR export may still carry them.
        self.erased = erased_ids()

    # --- orchestration --------------------------------------------------------------------

    def all(self) -> None:
        for name in ORDER:
            if name == "agents.csv" and "teams.csv" in self.sources:
                continue  # imported inside the teams step
            if name in self.sources:
                if name == "teams.csv":
                    self.teams_and_agents()
                elif name == XAPI_FILE:
                    self.step(name, self.xapi)
                else:
                    self.step(name, self.table)
            if name == "interactions.csv" and self.weeks:
                self.derive()
        self.progress(1.0, "import finished")

    def step(self, name: str, body: Callable[[FileReport], None]) -> FileReport:
        report = FileReport(name, "rejected")
        self.reports.append(report)
        self.progress(self.done / self.steps, f"importing {name}")
        try:
            with transaction.atomic():
                body(report)
                if report.errors:
                    raise Rejected
        except Rejected:
            report.status = "rejected"
        except DatabaseError as exc:  # a constraint the checks above did not foresee
            report.errors.append(f"{name}:1: file: the database refused the file ({exc})")
            report.status = "rejected"
        except Exception as exc:  # a bug of ours must not become a half-import or a traceback
            logger.exception("importing %s failed", name)
            report.errors.append(f"{name}:1: file: internal error, the file was not imported "
                                 f"({type(exc).__name__}: {exc})")
            report.status = "rejected"
        else:
            report.status = "dry_run" if self.dry_run else "imported"
        if report.status == "rejected":
            report.created = report.updated = report.unchanged = 0
        self.done += 1
        self.progress(self.done / self.steps, f"{name}: {report.status}")
        return report

    def tick(self, name: str, total: int, start: float, span: float):
        def call(done: int) -> None:
            if done % TICK_ROWS < writers.BATCH or done == total:
                share = min(done / max(total, 1), 1.0)
                self.progress((self.done + start + span * share) / self.steps,
                              f"{name}: {min(done, total)} of {total} rows")
        return call

    # --- reading --------------------------------------------------------------------------

    def read(self, name: str, report: FileReport) -> bytes | None:
        limit = settings.LND_IMPORT_MAX_FILE_BYTES
        try:
            return self.sources[name].read(limit)
        except FileTooLarge as exc:
            report.errors.append(
                f"{name}:1: file: {human_bytes(exc.size)} is over the import limit of "
                f"{human_bytes(limit)} (LND_IMPORT_MAX_FILE_BYTES); split the file")
        except (OSError, RuntimeError, zipfile.BadZipFile, EOFError) as exc:
            report.errors.append(f"{name}:1: file: cannot read the file ({exc})")
        return None

    def rows(self, name: str, report: FileReport, ctx: Ctx,
             target: Target) -> tuple[list[Row], list[str]]:
        """Parse and check every row; returns ([(line, model fields)], header)."""
        data = self.read(name, report)
        if data is None:
            return [], []
        table, errors = parse_csv(name, data)
        report.errors += errors
        if table is None:
            return [], []
        spec = SPECS[name]
        if not self.header_ok(name, table.header, report):
            return [], table.header
        report.rows = len(table.rows)
        columns = [(i, spec.by_name[h], converter(spec.by_name[h], self.as_of))
                   for i, h in enumerate(table.header) if h in spec.by_name]
        width, build, key, out = len(table.header), target.builder(ctx), target.key, []
        tick = self.tick(name, len(table.rows), 0.0, 0.5)
        for count, (line, cells) in enumerate(table.rows, start=1):
            if count % TICK_ROWS == 0:
                tick(count)
            if len(cells) != width:
                report.errors.append(f"{name}:{line}: row: has {len(cells)} values but the "
                                     f"header has {width} columns")
                continue
            values, bad = {}, False
            for i, col, convert in columns:
                text = cells[i].strip()
                if not text:
                    if col.required:
                        report.errors.append(f"{name}:{line}: {col.name}: a value is required")
                        bad = True
                    continue
                try:
                    values[col.name] = convert(text)
                except CellError as exc:
                    report.errors.append(f"{name}:{line}: {col.name}: {exc}")
                    bad = True
            if bad:
                continue
            if self.erased and self.skip_erased(name, line, values, report):
                continue
            ctx.row_errors = []
            fields = build(values)
            if ctx.row_errors:
                report.errors += [f"{name}:{line}: {c}: {msg}" for c, msg in ctx.row_errors]
                continue
            out.append(Row(line, fields, values, tuple([fields[k] for k in key])))
        self.duplicates(name, target, out, report)
        report.errors.sort(key=_line_of)
        return out, table.header

    def skip_erased(self, name: str, line: int, values: dict, report: FileReport) -> bool:
        """A row about an erased person is skipped; a reference to one as coach, evaluator
        or lead is dropped. Either way with a warning, never an error."""
        if values.get("employee_id") in self.erased:
            report.warnings.append(f"{name}:{line}: employee_id: erased person, row skipped")
            return True
        for column in ("coach_employee_id", "evaluator_employee_id", "lead_employee_id"):
            if values.get(column) in self.erased:
                del values[column]
                report.warnings.append(f"{name}:{line}: {column}: erased person, left empty")
        return False

    def header_ok(self, name: str, header: list[str], report: FileReport) -> bool:
        spec = SPECS[name]
        repeated = sorted({h for h in header if header.count(h) > 1})
        if repeated:
            report.errors.append(f"{name}:1: header: column(s) named twice: "
                                 f"{', '.join(repeated)}")
        missing = [c for c in spec.required if c not in header]
        if missing:
            report.errors.append(f"{name}:1: header: missing required column(s): "
                                 f"{', '.join(missing)}")
        for column in header:
            if column not in spec.by_name:
                report.warnings.append(f"{name}:1: {column or '(blank)'}: unknown column; "
                                       "ignored")
        return not (repeated or missing)

    def duplicates(self, name: str, target: Target, rows: list[Row],
                   report: FileReport) -> None:
        seen: dict[tuple, list[int]] = {}
        for row in rows:
            seen.setdefault(row.key, []).append(row.line)
        if len(seen) == len(rows):
            return
        for lines in seen.values():
            if len(lines) > 1:
                others = ", ".join(map(str, lines))
                report.errors += [f"{name}:{line}: {target.key_label}: duplicate key (the same "
                                  f"key is on lines {others})" for line in lines]

    # --- writing --------------------------------------------------------------------------

    def table(self, report: FileReport, ctx: Ctx | None = None) -> None:
        name = report.file_name
        ctx = ctx or Ctx()
        target = writers.CAREER_STEP if name == "career_paths.csv" else writers.TARGETS[name]
        rows, header = self.rows(name, report, ctx, target)
        extra = getattr(self, "check_" + name.removesuffix(".csv"), None)
        if extra and not report.errors:
            extra(rows, report)
            report.errors.sort(key=_line_of)
        if report.errors:
            return
        if name == "career_paths.csv":
            self.write_career_paths(rows, header, report)
            return
        if name == "teams.csv":
            self.attach_sites(rows, header)
        fields = target.present_fields(header)
        done = writers.upsert(target, [r.fields for r in rows], fields,
                              self.tick(name, len(rows), 0.5, 0.5),
                              keys=None if name == "teams.csv" else [r.key for r in rows])
        report.created, report.updated, report.unchanged = done.created, done.updated, \
            done.unchanged
        after = getattr(self, "after_" + name.removesuffix(".csv"), None)
        if after:
            after(rows, header, report, done)

    def teams_and_agents(self) -> None:
        """A team's lead may be an agent of the same import: teams, agents, then leads."""
        later = frozenset()
        if "agents.csv" in self.sources:
            later = frozenset(_agent_ids(self.sources["agents.csv"]))
        pending: list[tuple[int, str]] = []

        def teams(report: FileReport) -> None:
            self.table(report, Ctx(later_employees=later))
            if report.errors:
                return
            if "agents.csv" in self.sources:
                self.step("agents.csv", self.table)
            leads = m.Employee.objects.filter(employee_id__in=[e for _, e in pending])
            found = dict(leads.values_list("employee_id", "pk"))
            codes = {line: code for line, code in self.pending_codes}
            for line, employee in pending:
                if employee in found:
                    m.Team.objects.filter(code=codes[line]).update(lead_id=found[employee])
                else:
                    report.errors.append(
                        f"teams.csv:{line}: lead_employee_id: employee '{employee}' is in "
                        "agents.csv, but agents.csv was rejected")

        self.pending_leads = pending
        self.pending_codes: list[tuple[int, str]] = []
        self.step("teams.csv", teams)
        if "agents.csv" in self.sources and not any(r.file_name == "agents.csv"
                                                    for r in self.reports):
            self.step("agents.csv", self.table)  # teams.csv was rejected before agents ran

    def attach_sites(self, rows: list[Row], header: list[str]) -> None:
        names = {r.values["site"] for r in rows if "site" in r.values}
        sites = writers.ensure_sites(names) if names else {}
        for row in rows:
            row.fields["site_id"] = sites.get(row.values.get("site"))
            if row.fields.get("lead_id") == PENDING:
                self.pending_leads.append((row.line, row.values["lead_employee_id"]))
                self.pending_codes.append((row.line, row.fields["code"]))

    def after_agents(self, rows, header, report, done) -> None:
        ids = [r.fields["employee_id"] for r in rows]
        writers.recompute_status(pk for part in writers.chunks(ids) for pk in
                                 m.Employee.objects.filter(employee_id__in=part)
                                 .values_list("pk", flat=True))

    def after_role_history(self, rows, header, report, done) -> None:
        writers.recompute_status({r.fields["employee_id"] for r in rows})

    def after_separations(self, rows, header, report, done) -> None:
        writers.recompute_status({r.fields["employee_id"] for r in rows})

    def after_performance(self, rows, header, report, done) -> None:
        self.weeks |= {(r.fields["employee_id"], r.fields["period_start"]) for r in rows}

    def after_interactions(self, rows, header, report, done) -> None:
        self.weeks |= {(r.fields["employee_id"], r.fields["period_start"]) for r in rows}
        old_week = writers.TARGETS["interactions.csv"].present_fields(header).index(
            "period_start")
        employees = dict(m.Interaction.objects.filter(
            interaction_id__in=[k[0] for k in done.old]).values_list("interaction_id",
                                                                      "employee_id"))
        for key, before in done.old.items():  # a moved interaction leaves its old week
            self.weeks.add((employees[key[0]], before[old_week]))

    def check_learning_items(self, rows, report: FileReport) -> None:
        codes = {r.fields["code"] for r in rows}
        known_items = set(m.LearningItem.objects.values_list("code", flat=True)) | codes
        skills = dict(m.Skill.objects.values_list("code", "pk"))
        activities = dict(m.LearningItem.objects.exclude(xapi_activity_id="")
                          .values_list("xapi_activity_id", "code"))
        seen: dict[str, int] = {}
        for row in rows:
            line, r, values = row.line, row.fields, row.values
            for code in values.get("skill_codes", []):
                if code not in skills:
                    report.errors.append(f"learning_items.csv:{line}: skill_codes: unknown "
                                         f"skill '{code}' (not in the database nor in an "
                                         "accepted skills.csv)")
            for code in values.get("prerequisite_codes", []):
                if code == r["code"]:
                    report.errors.append(f"learning_items.csv:{line}: prerequisite_codes: an "
                                         "item cannot be its own prerequisite")
                elif code not in known_items:
                    report.errors.append(f"learning_items.csv:{line}: prerequisite_codes: "
                                         f"unknown item '{code}'")
            activity = r["xapi_activity_id"]
            if activity:
                owner = activities.get(activity)
                if activity in seen:
                    report.errors.append(f"learning_items.csv:{line}: xapi_activity_id: also "
                                         f"on line {seen[activity]}")
                elif owner not in (None, r["code"]) and owner not in codes:
                    report.errors.append(f"learning_items.csv:{line}: xapi_activity_id: "
                                         f"already used by item '{owner}'")
                seen[activity] = line

    def after_learning_items(self, rows, header, report, done) -> None:
        pks = dict(m.LearningItem.objects.filter(code__in=[r.fields["code"] for r in rows])
                   .values_list("code", "pk"))
        changed: set[int] = set()
        if "skill_codes" in header:
            skills = dict(m.Skill.objects.values_list("code", "pk"))
            changed |= writers.sync_m2m(
                m.LearningItem.skills.through, "learningitem_id", "skill_id",
                {pks[r.fields["code"]]: {skills[c] for c in r.values.get("skill_codes", [])}
                 for r in rows})
        if "prerequisite_codes" in header:
            every = dict(m.LearningItem.objects.values_list("code", "pk"))
            changed |= writers.sync_m2m(
                m.LearningItem.prerequisites.through, "from_learningitem_id",
                "to_learningitem_id",
                {pks[r.fields["code"]]:
                 {every[c] for c in r.values.get("prerequisite_codes", [])}
                 for r in rows})
        _promote(report, done, {(code,) for code, pk in pks.items() if pk in changed})

    def check_career_paths(self, rows, report: FileReport) -> None:
        names: dict[str, tuple[int, str]] = {}
        for row in rows:
            line, code, name = row.line, row.values["path_code"], row.values["name"]
            first = names.setdefault(code, (line, name))
            if first[1] != name:
                report.errors.append(f"career_paths.csv:{line}: name: '{name}' differs from "
                                     f"'{first[1]}' on line {first[0]} for path '{code}'")

    def write_career_paths(self, rows, header, report: FileReport) -> None:
        path_rows = {r.values["path_code"]: {"code": r.values["path_code"],
                                             "name": r.values["name"]} for r in rows}
        paths = writers.upsert(writers.Target(m.CareerPath, ("code",), "path_code"),
                               list(path_rows.values()), ["name"])
        pks = dict(m.CareerPath.objects.filter(code__in=path_rows).values_list("code", "pk"))
        steps = [r.fields | {"path_id": pks[r.fields["path_id"]]} for r in rows]
        done = writers.upsert(writers.CAREER_STEP, steps,
                              writers.CAREER_STEP.present_fields(header))
        report.created, report.updated, report.unchanged = done.created, done.updated, \
            done.unchanged
        renamed = {pks[k[0]] for k in paths.old}  # paths whose name changed
        _promote(report, done, {(r["path_id"], r["step"]) for r in steps
                                if r["path_id"] in renamed})

    def xapi(self, report: FileReport) -> None:
        data = self.read(XAPI_FILE, report)
        if data is None:
            return
        if not data:
            report.errors.append(f"{XAPI_FILE}:1: file: the file is empty (0 bytes)")
            return
        text, errors = decode(XAPI_FILE, data)
        report.errors += errors
        if text is None:
            return
        statements, lines = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                statements.append(json.loads(line))
                lines.append(number)
            except json.JSONDecodeError as exc:
                report.errors.append(f"{XAPI_FILE}:{number}: statement: not valid JSON "
                                     f"({exc.msg} at column {exc.colno})")
        report.rows = len(statements) + len(report.errors)
        if report.errors:
            return
        result = ingest_statements(statements, as_of=self.as_of)
        report.errors += [f"{XAPI_FILE}:{lines[e.index]}: {e.field}: {e.message}"
                          for e in result.errors]
        report.created, report.unchanged = result.stored, result.unchanged

    def derive(self) -> None:
        def body(report: FileReport) -> None:
            done = derive_weekly(self.weeks)
            report.rows = done.values
            report.created, report.updated, report.unchanged = done.created, done.updated, \
                done.unchanged
            if done.removed:
                report.warnings.append(f"{done.removed} derived value(s) removed: their "
                                       "interactions no longer support them")
        self.step(DERIVED_NAME, body)


def _line_of(message: str) -> int:
    try:
        return int(message.split(":", 2)[1])
    except (IndexError, ValueError):
        return 0


def _promote(report: FileReport, done: writers.Upserted, keys: set) -> None:
    """Rows whose own fields were unchanged but whose links changed count as updated."""
    moved = len({k for k in keys if k not in done.changed_keys})
    report.unchanged -= moved
    report.updated += moved


def _agent_ids(source: Source) -> set[str]:
    """employee_id values of agents.csv, read early so teams.csv may name them as leads."""
    try:
        table, _ = parse_csv("agents.csv", source.read(settings.LND_IMPORT_MAX_FILE_BYTES))
    except (FileTooLarge, OSError, RuntimeError, zipfile.BadZipFile, EOFError):
        return set()
    if table is None or "employee_id" not in table.header:
        return set()
    i = table.header.index("employee_id")
    return {cells[i].strip() for _, cells in table.rows if len(cells) > i}

"""Per-file column specifications of the data contract, and turning text cells into values.

A column parser takes the cell text (stripped, never empty) and returns a value or raises
`CellError` with a message meant for the person who made the file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from .reading import FORMULA_PREFIXES, neutralise

CODE_MAX = 64
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CellError(ValueError):
    pass


@dataclass(frozen=True)
class Col:
    name: str
    kind: str  # see PARSERS
    required: bool = False  # column must be present and every value non-empty
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    max_len: int | None = None  # text length limit (after neutralising)


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Col, ...]

    @property
    def by_name(self) -> dict[str, Col]:
        return {c.name: c for c in self.columns}

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


# --- cell parsers -------------------------------------------------------------------------


def parse_code(text: str) -> str:
    if len(text) > CODE_MAX:
        raise CellError(f"longer than {CODE_MAX} characters ({len(text)})")
    if text.startswith(FORMULA_PREFIXES):
        # Codes are exported as they are; one a spreadsheet would run as a formula is refused.
        raise CellError(f"'{text}' may not start with = + - @ or a tab")
    return text


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise CellError(f"'{text}' is not a whole number") from None
    if not math.isfinite(number) or number != int(number):
        raise CellError(f"'{text}' is not a whole number")
    return int(number)  # "3.0" as written by pandas


def parse_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise CellError(f"'{text}' is not a number") from None
    if not math.isfinite(number):
        raise CellError(f"'{text}' is not a finite number")
    return number


def parse_decimal(text: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{text}' is not a number") from None
    if not number.is_finite():
        raise CellError(f"'{text}' is not a finite number")
    if abs(number) >= Decimal("1e10"):
        raise CellError(f"'{text}' is too large")
    return number.quantize(Decimal("0.01"))


def parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise CellError(f"'{text}' is not true or false")


def parse_date(text: str) -> date:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise CellError(f"'{text}' is not an ISO date like 2025-03-31")


def parse_timestamp(text: str) -> datetime:
    if len(text) <= 10:
        raise CellError(f"'{text}' is not a timestamp like 2025-03-31T14:05:00+02:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CellError(
            f"'{text}' is not an ISO timestamp like 2025-03-31T14:05:00+02:00") from None
    if moment.tzinfo is None:  # no offset: local time of the deployment
        moment = timezone.make_aware(moment)
    return moment


def parse_date_or_timestamp(text: str) -> tuple[date, datetime | None]:
    """The date that counts is the timestamp's date in its own offset."""
    try:
        if len(text) == 10:
            return parse_date(text), None
        moment = parse_timestamp(text)
    except CellError:
        raise CellError(f"'{text}' is not an ISO date or timestamp "
                        "(2025-03-31 or 2025-03-31T14:05:00+02:00)") from None
    return moment.date(), moment


def parse_codes(text: str) -> list[str]:
    return [parse_code(part.strip()) for part in text.split(";") if part.strip()]


def parse_email(text: str) -> str:
    if not _EMAIL.match(text) or len(text) > 254:
        raise CellError(f"'{text}' is not an email address")
    return text


def parse_iri(text: str) -> str:
    if ":" not in text or any(ch.isspace() for ch in text) or len(text) > 500:
        raise CellError(f"'{text}' is not an IRI like https://lms.example.com/course/42")
    return text


PARSERS = {
    "code": parse_code, "int": parse_int, "float": parse_float, "decimal": parse_decimal,
    "bool": parse_bool, "date": parse_date, "timestamp": parse_timestamp,
    "date_or_ts": parse_date_or_timestamp, "codes": parse_codes, "email": parse_email,
    "iri": parse_iri,
}


def converter(col: Col, as_of: date) -> Callable[[str], object]:
    """A function parsing one non-empty cell of this column; raises CellError.

    Built once per column and file: the performance file has half a million rows.
    """
    if col.kind == "text":
        def text(value: str) -> object:
            value = neutralise(value)
            if col.max_len and len(value) > col.max_len:
                raise CellError(f"longer than {col.max_len} characters ({len(value)})")
            return value
        return text
    if col.kind == "choice":
        def choice(value: str) -> object:
            if value not in col.choices:
                raise CellError(f"'{value}' is not one of: {', '.join(col.choices)}")
            return value
        return choice
    parse = PARSERS[col.kind]
    if col.kind in ("date", "timestamp", "date_or_ts"):
        monday = col.name == "period_start"

        def when(text: str) -> object:
            value = parse(text)
            day = value[0] if isinstance(value, tuple) else (
                value.date() if isinstance(value, datetime) else value)
            if day > as_of:
                raise CellError(f"{day.isoformat()} is in the future (after {as_of.isoformat()})")
            if monday and day.weekday() != 0:
                first = day - timedelta(days=day.weekday())
                raise CellError(f"{day.isoformat()} is a {day:%A}; period_start must be the "
                                f"Monday of the ISO week ({first.isoformat()})")
            return value
        return when
    if col.lo is None and col.hi is None:
        return parse
    lo = -math.inf if col.lo is None else col.lo
    hi = math.inf if col.hi is None else col.hi

    def ranged(text: str) -> object:
        value = parse(text)
        if not lo <= value <= hi:
            raise CellError(f"{text} is out of range ({_range(col)})")
        return value
    return ranged


def _range(col: Col) -> str:
    def fmt(x: float) -> str:
        return f"{x:g}"
    if col.hi is None:
        return f"must be ≥ {fmt(col.lo)}"
    return f"must be {fmt(col.lo)}–{fmt(col.hi)}"


# --- the contract -------------------------------------------------------------------------


def _spec(name: str, *columns: Col) -> FileSpec:
    return FileSpec(name, columns)


def _code(name: str, required: bool = True) -> Col:
    return Col(name, "code", required=required)


def _text(name: str, max_len: int | None = None, required: bool = False) -> Col:
    return Col(name, "text", required=required, max_len=max_len)


def _choice(name: str, choices, required: bool = True) -> Col:
    return Col(name, "choice", required=required, choices=tuple(choices))


SPECS: dict[str, FileSpec] = {s.name: s for s in [
    _spec("skills.csv", _code("skill_code"), _text("name", 200, True), _text("category", 100),
          _text("description")),
    _spec("roles.csv", _code("role_code"), _text("name", 200, True),
          _choice("family", ["frontline", "specialist", "leadership", "outside_cc"]),
          Col("level", "int", lo=1, hi=32767)),
    _spec("role_requirements.csv", _code("role_code"), _code("skill_code"),
          Col("min_level", "int", required=True, lo=1, hi=5)),
    _spec("career_paths.csv", _code("path_code"), _text("name", 200, True),
          Col("step", "int", required=True, lo=1, hi=32767), _code("role_code")),
    _spec("learning_items.csv", _code("item_code"), _text("title", 300, True),
          _choice("kind", ["course", "microlearning", "simulation", "shadowing", "coaching"]),
          Col("duration_minutes", "int", required=True, lo=0, hi=2_000_000_000),
          Col("cost", "decimal", lo=0), Col("skill_codes", "codes"), _text("description"),
          Col("prerequisite_codes", "codes"), Col("xapi_activity_id", "iri"),
          _choice("delivery", ["online", "in_person", "blended"], required=False),
          Col("active", "bool"), Col("mandatory", "bool"),
          Col("recertify_months", "int", lo=1, hi=32767)),
    _spec("metrics.csv", _code("metric_code"), _text("name", 200, True), _text("unit", 50),
          Col("higher_is_better", "bool"), Col("weight", "float", lo=0)),
    _spec("teams.csv", _code("team_code"), _text("name", 200, True), _text("site", 200),
          _code("lead_employee_id", required=False)),
    _spec("agents.csv", _code("employee_id"), _text("name", 200, True), Col("email", "email"),
          _code("team_code", required=False), _code("role_code", required=False),
          Col("hire_date", "date", required=True),
          _choice("work_arrangement", ["onsite", "remote", "hybrid"]),
          _choice("employment_type", ["full_time", "part_time", "outsourced", "gig"]),
          _code("goal_role_code", required=False), Col("hourly_cost", "decimal", lo=0)),
    _spec("role_history.csv", _code("employee_id"), Col("from_date", "date", required=True),
          _code("role_code", required=False)),
    _spec("separations.csv", _code("employee_id"),
          Col("separation_date", "date", required=True),
          _choice("reason", ["voluntary", "involuntary"])),
    _spec("performance.csv", _code("employee_id"), Col("period_start", "date", required=True),
          _code("metric_code"), Col("value", "float", required=True)),
    _spec("qa_evaluations.csv", _code("evaluation_id"), _code("skill_code"),
          _code("employee_id"), Col("evaluated_at", "date_or_ts", required=True),
          _code("evaluator_employee_id", required=False),
          Col("score", "float", required=True, lo=0, hi=100)),
    _spec("interactions.csv", _code("interaction_id"), _code("employee_id"),
          Col("started_at", "timestamp", required=True),
          _choice("channel", ["voice", "chat", "email", "social"]), _text("topic", 200),
          Col("customer_sentiment", "float", lo=-1, hi=1), _text("transcript"),
          Col("handle_seconds", "float", lo=0), Col("resolved", "bool"),
          Col("csat", "float", lo=1, hi=5)),
    _spec("pulse_surveys.csv", _code("employee_id"), Col("answered_at", "date", required=True),
          Col("engagement", "int", required=True, lo=1, hi=5),
          Col("wellbeing", "int", required=True, lo=1, hi=5),
          Col("enps", "int", required=True, lo=0, hi=10), _text("comment")),
    _spec("skill_assessments.csv", _code("employee_id"), _code("skill_code"),
          Col("assessed_at", "date", required=True),
          Col("level", "int", required=True, lo=1, hi=5),
          _choice("source", ["qa", "lead", "self", "test"])),
    _spec("completions.csv", _code("employee_id"), _code("item_code"),
          Col("completed_at", "date_or_ts", required=True), Col("score", "float", lo=0, hi=100),
          _choice("assigned_by", ["system", "lead", "self", "campaign"], required=False)),
    _spec("coaching_sessions.csv", _code("session_id"), _code("employee_id"),
          _code("coach_employee_id", required=False),
          Col("held_at", "date_or_ts", required=True), _code("item_code", required=False),
          _text("notes")),
]}

XAPI_FILE = "xapi_statements.jsonl"

# Dependency order: catalogue, metrics, teams, agents, people history, then signals.
ORDER = [
    "skills.csv", "roles.csv", "role_requirements.csv", "career_paths.csv",
    "learning_items.csv", "metrics.csv", "teams.csv", "agents.csv", "role_history.csv",
    "separations.csv", "performance.csv", "qa_evaluations.csv", "interactions.csv",
    "pulse_surveys.csv", "skill_assessments.csv", "completions.csv", XAPI_FILE,
    "coaching_sessions.csv",
]
CONTRACT_FILES = set(ORDER)

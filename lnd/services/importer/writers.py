"""Rows → model fields (references resolved), then one bulk upsert per file.

Each contract file has a `Target`: which model, its natural key, which column fills which
field. A column absent from the header leaves that field alone on existing rows (so a
roster export without hourly_cost does not wipe it); new rows get the model default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connections, router
from django.db.models import Max, Model

from lnd import models as m

from .reading import FORMULA_PREFIXES
from .sentiment import transcript_sentiment

BATCH = 2000
CHUNK = 500  # ids per IN (...) when reading existing rows

# Where a key is defined, for "unknown X" messages.
DEFINED_IN = {
    "employee": "agents.csv", "team": "teams.csv", "role": "roles.csv", "skill": "skills.csv",
    "item": "learning_items.csv", "metric": "metrics.csv",
}
_LOOKUP_MODELS = {
    "employee": (m.Employee, "employee_id"), "team": (m.Team, "code"),
    "role": (m.Role, "code"), "skill": (m.Skill, "code"), "item": (m.LearningItem, "code"),
    "metric": (m.Metric, "code"),
}
PENDING = -1  # a team lead defined later in the same import (agents.csv)


def chunks(seq: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


class Ctx:
    """Natural key → pk maps, each loaded once per file; collects one row's reference errors."""

    def __init__(self, *, later_employees: frozenset[str] = frozenset()):
        self._maps: dict[str, dict[str, int]] = {}
        self.row_errors: list[tuple[str, str]] = []
        self.later_employees = later_employees  # employee ids of this import's agents.csv

    def lookup(self, kind: str) -> dict[str, int]:
        if kind not in self._maps:
            model, code_field = _LOOKUP_MODELS[kind]
            self._maps[kind] = dict(model.objects.values_list(code_field, "pk"))
        return self._maps[kind]

    def ref(self, kind: str, code: str | None, column: str) -> int | None:
        if code is None:
            return None
        pk = self.lookup(kind).get(code)
        if pk is None:
            if kind == "employee" and column == "lead_employee_id" and \
                    code in self.later_employees:
                return PENDING
            self.row_errors.append((column, f"unknown {kind} '{code}' (not in the database "
                                            f"nor in an accepted {DEFINED_IN[kind]})"))
        return pk


@dataclass
class Target:
    model: type[Model]
    key: tuple[str, ...]  # attnames of the natural key
    key_label: str  # the key as the file's columns, for messages
    simple: dict[str, str] = field(default_factory=dict)  # column -> attname
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (attname, kind)
    computed: Callable[[dict, Ctx], dict] | None = None
    computed_from: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> attnames
    always: tuple[str, ...] = ()  # computed attnames written whatever the header holds

    def defaults(self) -> dict[str, object]:
        opts = self.model._meta
        return {att: opts.get_field(att).get_default() for att in self.simple.values()}

    def present_fields(self, header: Iterable[str]) -> list[str]:
        fields = list(self.always)
        for column in header:
            fields += [self.simple[column]] if column in self.simple else []
            fields += [self.refs[column][0]] if column in self.refs else []
            fields += list(self.computed_from.get(column, ()))
        return [f for f in dict.fromkeys(fields) if f not in self.key]

    def builder(self, ctx: Ctx) -> Callable[[dict], dict]:
        """values of one row (column -> parsed value) -> model fields; refs resolved via ctx.

        Built once per file: lookups are bound here, not searched per row.
        """
        simple = [(column, att, default) for (column, att), default in
                  zip(self.simple.items(), self.defaults().values(), strict=True)]
        refs = [(column, att, kind, ctx.lookup(kind))
                for column, (att, kind) in self.refs.items()]
        computed = self.computed

        def build(values: dict) -> dict:
            row = {att: values.get(column, default) for column, att, default in simple}
            for column, att, kind, known in refs:
                code = values.get(column)
                pk = None if code is None else known.get(code)
                row[att] = pk if pk is not None or code is None else ctx.ref(kind, code, column)
            if computed:
                row.update(computed(values, ctx))
            return row
        return build


# --- computed fields ------------------------------------------------------------------------


def _split(values: dict, column: str, on: str, at: str) -> dict:
    day, moment = values.get(column, (None, None))
    return {on: day, at: moment}


def _interaction(values: dict, ctx: Ctx) -> dict:
    started = values["started_at"]
    day = started.date()  # in the timestamp's own offset
    fields = {"period_start": day - timedelta(days=day.weekday())}
    given = values.get("customer_sentiment")
    transcript = values.get("transcript", "")
    if given is not None:
        fields.update(customer_sentiment=given, sentiment_source="given")
    elif transcript:
        # Score what the customer said, not the quote added to keep it inert.
        raw = transcript[1:] if transcript[1:2] in FORMULA_PREFIXES and transcript[:1] == "'" \
            else transcript
        fields.update(customer_sentiment=round(transcript_sentiment(raw), 4),
                      sentiment_source="computed")
    else:
        fields.update(customer_sentiment=None, sentiment_source="none")
    return fields


TARGETS: dict[str, Target] = {
    "skills.csv": Target(m.Skill, ("code",), "skill_code", simple={
        "skill_code": "code", "name": "name", "category": "category",
        "description": "description"}),
    "roles.csv": Target(m.Role, ("code",), "role_code", simple={
        "role_code": "code", "name": "name", "family": "family", "level": "level"}),
    "role_requirements.csv": Target(
        m.RoleRequirement, ("role_id", "skill_id"), "role_code, skill_code",
        simple={"min_level": "min_level"},
        refs={"role_code": ("role_id", "role"), "skill_code": ("skill_id", "skill")}),
    "learning_items.csv": Target(m.LearningItem, ("code",), "item_code", simple={
        "item_code": "code", "title": "title", "kind": "kind",
        "duration_minutes": "duration_minutes", "cost": "cost", "description": "description",
        "xapi_activity_id": "xapi_activity_id", "delivery": "delivery", "active": "active",
        "mandatory": "mandatory", "recertify_months": "recertify_months"}),
    "metrics.csv": Target(m.Metric, ("code",), "metric_code", simple={
        "metric_code": "code", "name": "name", "unit": "unit",
        "higher_is_better": "higher_is_better", "weight": "weight"}),
    "teams.csv": Target(m.Team, ("code",), "team_code",
                        simple={"team_code": "code", "name": "name"},
                        refs={"lead_employee_id": ("lead_id", "employee")},
                        computed_from={"site": ("site_id",)}),
    "agents.csv": Target(
        m.Employee, ("employee_id",), "employee_id",
        simple={"employee_id": "employee_id", "name": "name", "email": "email",
                "hire_date": "hire_date", "work_arrangement": "work_arrangement",
                "employment_type": "employment_type", "hourly_cost": "hourly_cost"},
        refs={"team_code": ("team_id", "team"), "role_code": ("role_id", "role"),
              "goal_role_code": ("goal_role_id", "role")}),
    "role_history.csv": Target(
        m.RoleHistory, ("employee_id", "from_date"), "employee_id, from_date",
        simple={"from_date": "from_date"},
        refs={"employee_id": ("employee_id", "employee"), "role_code": ("role_id", "role")}),
    "separations.csv": Target(
        m.Separation, ("employee_id", "separation_date"), "employee_id, separation_date",
        simple={"separation_date": "separation_date", "reason": "reason"},
        refs={"employee_id": ("employee_id", "employee")}),
    "performance.csv": Target(
        m.WeeklyPerformance, ("employee_id", "period_start", "metric_id"),
        "employee_id, period_start, metric_code",
        simple={"period_start": "period_start", "value": "value"},
        refs={"employee_id": ("employee_id", "employee"), "metric_code": ("metric_id", "metric")},
        computed=lambda v, c: {"source": "reported"}, always=("source",)),
    "qa_evaluations.csv": Target(
        m.QAEvaluation, ("evaluation_id", "skill_id"), "evaluation_id, skill_code",
        simple={"evaluation_id": "evaluation_id", "score": "score"},
        refs={"skill_code": ("skill_id", "skill"), "employee_id": ("employee_id", "employee"),
              "evaluator_employee_id": ("evaluator_id", "employee")},
        computed=lambda v, c: _split(v, "evaluated_at", "evaluated_on", "evaluated_at"),
        computed_from={"evaluated_at": ("evaluated_on", "evaluated_at")}),
    "interactions.csv": Target(
        m.Interaction, ("interaction_id",), "interaction_id",
        simple={"interaction_id": "interaction_id", "started_at": "started_at",
                "channel": "channel", "topic": "topic", "transcript": "transcript",
                "handle_seconds": "handle_seconds", "resolved": "resolved", "csat": "csat"},
        refs={"employee_id": ("employee_id", "employee")},
        computed=_interaction,
        always=("period_start", "customer_sentiment", "sentiment_source")),
    "pulse_surveys.csv": Target(
        m.PulseSurvey, ("employee_id", "answered_at"), "employee_id, answered_at",
        simple={"answered_at": "answered_at", "engagement": "engagement",
                "wellbeing": "wellbeing", "enps": "enps", "comment": "comment"},
        refs={"employee_id": ("employee_id", "employee")}),
    "skill_assessments.csv": Target(
        m.SkillAssessment, ("employee_id", "skill_id", "assessed_at"),
        "employee_id, skill_code, assessed_at",
        simple={"assessed_at": "assessed_at", "level": "level", "source": "source"},
        refs={"employee_id": ("employee_id", "employee"), "skill_code": ("skill_id", "skill")}),
    "completions.csv": Target(
        m.Completion, ("employee_id", "item_id", "completed_on"),
        "employee_id, item_code, completed_at (date)",
        simple={"score": "score", "assigned_by": "assigned_by"},
        refs={"employee_id": ("employee_id", "employee"), "item_code": ("item_id", "item")},
        computed=lambda v, c: {**_split(v, "completed_at", "completed_on", "completed_at"),
                               "source": "csv"},
        computed_from={"completed_at": ("completed_on", "completed_at")}, always=("source",)),
    "coaching_sessions.csv": Target(
        m.CoachingSession, ("session_id",), "session_id",
        simple={"session_id": "session_id", "notes": "notes"},
        refs={"employee_id": ("employee_id", "employee"),
              "coach_employee_id": ("coach_id", "employee"), "item_code": ("item_id", "item")},
        computed=lambda v, c: _split(v, "held_at", "held_on", "held_at"),
        computed_from={"held_at": ("held_on", "held_at")}),
}
# career_paths.csv writes two tables; see write_career_paths.
CAREER_STEP = Target(m.CareerPathStep, ("path_id", "step"), "path_code, step",
                     simple={"step": "step"}, refs={"role_code": ("role_id", "role")},
                     # the path's code until the path row exists; then its pk
                     computed=lambda v, c: {"path_id": v["path_code"]})


# --- the bulk upsert --------------------------------------------------------------------------


@dataclass
class Upserted:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_keys: set = field(default_factory=set)
    old: dict = field(default_factory=dict)  # key -> previous values of the compared fields


def upsert(target: Target, rows: list[dict], fields: list[str],
           tick: Callable[[int], None] = lambda n: None,
           keys: list[tuple] | None = None) -> Upserted:
    """Compare with what is stored (in bulk), then insert new and update changed rows."""
    model, key = target.model, target.key
    if keys is None:
        keys = [tuple(row[f] for f in key) for row in rows]
    result = Upserted()
    existing: dict[tuple, tuple] = {}
    firsts = sorted({r[key[0]] for r in rows}, key=str)
    narrow = {}  # e.g. one new week of performance need not load two years of it
    for att in key[1:]:
        seen = {r[att] for r in rows}
        if seen and all(isinstance(v, date) for v in seen):
            narrow[f"{att}__range"] = (min(seen), max(seen))
    for part in chunks(firsts):
        for record in model.objects.filter(**{f"{key[0]}__in": part}, **narrow).values_list(
                *key, *fields):
            existing[record[:len(key)]] = record[len(key):]
    to_write = []
    for k, row in zip(keys, rows, strict=True):
        values = tuple([row[f] for f in fields])
        before = existing.get(k)
        if before is None:
            result.created += 1
        elif before == values:
            result.unchanged += 1
            continue
        else:
            result.updated += 1
            result.old[k] = before
        result.changed_keys.add(k)
        to_write.append(row)
    write_rows(model, key, to_write, fields, tick)
    return result


def _adapter(field, connection) -> Callable[[object], object]:
    """How one column's Python value goes to the driver; plain types pass through."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return lambda v: v
    if kind == "DateField" and connection.vendor == "sqlite":
        return lambda v: None if v is None else v.isoformat()
    if kind == "DateField":
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, connection)


def _lead(value: object) -> object:
    return None if value == PENDING else value  # set once agents.csv is in


_PLAIN = {"CharField", "TextField", "IntegerField", "BigIntegerField", "SmallIntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
          "FloatField", "BooleanField", "ForeignKey", "EmailField"}


def write_rows(model: type[Model], key: tuple[str, ...], rows: list[dict], update: list[str],
               tick: Callable[[int], None] = lambda n: None) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, in batches.

    The ORM's bulk_create builds a model instance per row and compiles SQL per batch; for
    the 500k-row performance file that was two thirds of the time. The statement is the
    one bulk_create(update_conflicts=True) emits. SQLite runs a prepared statement over
    executemany fastest; on PostgreSQL one INSERT … SELECT FROM unnest(array per column)
    per batch avoids both a round trip per row and a query string with 10k placeholders.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    opts = model._meta
    given = set(rows[0])
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    columns = [f for f in fields if f.attname in given or f.attname in defaults]
    adapt = [(f.attname, _lead if f.attname == "lead_id" else _adapter(f, connection))
             for f in columns]
    one = f"({', '.join(['%s'] * len(columns))})"
    arrays = connection.vendor == "postgresql"
    size = 10_000 if arrays else BATCH
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in columns)})"
    if arrays:  # one array parameter per column: a short query, whatever the batch size
        one = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
    tail = ""
    if update:
        conflict = ", ".join(quote(opts.get_field(a).column) for a in key)
        sets = ", ".join(f"{quote(opts.get_field(a).column)} = EXCLUDED."
                         f"{quote(opts.get_field(a).column)}" for a in update)
        tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        for done, part in enumerate(chunks(rows, size), start=1):
            params = []
            for row in part:
                values = defaults | row if defaults else row
                params.append([convert(values[a]) for a, convert in adapt])
            if arrays:
                cursor.execute(f"{head} SELECT * FROM unnest({one}){tail}",
                               [list(column) for column in zip(*params, strict=True)])
            else:
                cursor.executemany(f"{head} VALUES {one}{tail}", params)
            tick(done * size)


# --- per-file extras ---------------------------------------------------------------------------


def sync_m2m(through: type[Model], owner: str, other: str,
             wanted: dict[int, set[int]]) -> set[int]:
    """Make each owner's set of links exactly `wanted`; returns the owners that changed."""
    have: dict[int, set[int]] = defaultdict(set)
    for part in chunks(list(wanted)):
        for a, b in through.objects.filter(**{f"{owner}__in": part}).values_list(owner, other):
            have[a].add(b)
    changed = {pk for pk, links in wanted.items() if links != have[pk]}
    for pk in changed:
        gone = have[pk] - wanted[pk]
        if gone:
            through.objects.filter(**{owner: pk, f"{other}__in": gone}).delete()
    through.objects.bulk_create(
        [through(**{owner: pk, other: b}) for pk in changed for b in wanted[pk] - have[pk]],
        batch_size=BATCH)
    return changed


def ensure_sites(names: set[str]) -> dict[str, int]:
    sites = dict(m.Site.objects.filter(name__in=names).values_list("name", "pk"))
    missing = names - set(sites)
    if missing:
        m.Site.objects.bulk_create([m.Site(name=n) for n in sorted(missing)])
        sites = dict(m.Site.objects.filter(name__in=names).values_list("name", "pk"))
    return sites


def recompute_status(employee_pks: Iterable[int]) -> None:
    """Left if the latest separation is after the latest role change (a rehire), else active."""
    pks = sorted(set(employee_pks))
    left, active = [], []
    for part in chunks(pks):
        seps = dict(m.Separation.objects.filter(employee_id__in=part).values("employee_id")
                    .annotate(d=Max("separation_date")).values_list("employee_id", "d"))
        moves = dict(m.RoleHistory.objects.filter(employee_id__in=part).values("employee_id")
                     .annotate(d=Max("from_date")).values_list("employee_id", "d"))
        for pk in part:
            sep: date | None = seps.get(pk)
            gone = sep is not None and (moves.get(pk) is None or sep > moves[pk])
            (left if gone else active).append(pk)
    for status, group in (("left", left), ("active", active)):
        for part in chunks(group):
            m.Employee.objects.filter(pk__in=part).exclude(status=status).update(status=status)

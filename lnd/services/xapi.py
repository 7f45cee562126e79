"""xAPI 1.0.3 statements from the LMS: validate, store raw (idempotent by id), and turn
completing verbs into completions.

A batch is all-or-nothing, as an LRS treats a POSTed batch: if any statement is invalid,
nothing is stored and every problem is returned.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from lnd.models import Completion, Employee, LearningItem, XapiStatement

COMPLETING = {"completed", "passed"}
VOIDED = "voided"
# Properties an LRS may add or change when it stores a statement: not part of its content.
_LRS_PROPERTIES = {"stored", "authority", "version"}


@dataclass
class XapiError:
    index: int  # 0-based position in the batch
    statement_id: str
    field: str
    message: str

    def __str__(self) -> str:
        ident = f" ({self.statement_id})" if self.statement_id else ""
        return f"statement {self.index + 1}{ident}: {self.field}: {self.message}"


@dataclass
class XapiResult:
    stored: int = 0
    unchanged: int = 0  # already stored with the same content
    completions_created: int = 0
    completions_withdrawn: int = 0
    skipped_erased: int = 0  # statements about people erased at their request
    errors: list[XapiError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass
class _Parsed:
    index: int
    statement_id: uuid.UUID
    raw: dict
    verb: str
    employee_id: int | None = None
    activity_id: str = ""
    item_id: int | None = None
    timestamp: datetime | None = None
    score: float | None = None
    voids: uuid.UUID | None = None


def verb_name(verb_id: str) -> str:
    return verb_id.rstrip("/").rsplit("/", 1)[-1].lower()


def _content(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k not in _LRS_PROPERTIES}


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        return None


class _Lookups:
    def __init__(self, statements: list) -> None:
        dicts = [s for s in statements if isinstance(s, dict)]
        names = {s.get("actor", {}).get("account", {}).get("name") for s in dicts
                 if isinstance(s.get("actor"), dict)
                 and isinstance(s["actor"].get("account"), dict)}
        self.by_id = dict(Employee.objects.filter(employee_id__in=[n for n in names if n])
                          .values_list("employee_id", "pk"))
        self.by_email: dict[str, list[int]] = {}
        if any(isinstance(s.get("actor"), dict) and "mbox" in s["actor"] for s in dicts):
            for email, pk in Employee.objects.exclude(email="").values_list("email", "pk"):
                self.by_email.setdefault(email.lower(), []).append(pk)
        self.items = dict(LearningItem.objects.exclude(xapi_activity_id="")
                          .values_list("xapi_activity_id", "pk"))
        ids = {_uuid(s.get("id")) for s in dicts}
        ids |= {_uuid(s.get("object", {}).get("id")) for s in dicts
                if isinstance(s.get("object"), dict)}
        ids.discard(None)
        self.stored = {row.statement_id: row for row in
                       XapiStatement.objects.filter(statement_id__in=ids)}


def _check(index: int, raw: object, look: _Lookups, batch: dict[uuid.UUID, _Parsed],
           as_of: date) -> tuple[_Parsed | None, list[XapiError]]:
    if not isinstance(raw, dict):
        return None, [XapiError(index, "", "statement", "must be a JSON object")]
    sid = _uuid(raw.get("id"))
    label = str(raw.get("id", ""))[:80]
    errors: list[XapiError] = []

    def bad(where: str, message: str) -> None:
        errors.append(XapiError(index, label, where, message))

    if sid is None:
        bad("id", "missing or not a UUID (the statement id is the key)")
    verb = raw.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(verb_id, str) or ":" not in verb_id:
        bad("verb.id", "missing or not an IRI")
        verb_id = ""
    parsed = _Parsed(index, sid or uuid.UUID(int=0), raw, verb_id)
    _check_actor(raw.get("actor"), look, parsed, bad)
    _check_object(raw.get("object"), look, batch, parsed, bad)
    _check_result(raw.get("result"), parsed, bad)
    stamp = raw.get("timestamp")
    if stamp is None:
        if verb_name(verb_id) in COMPLETING:
            bad("timestamp", "missing; a completion needs its time")
    else:
        try:
            parsed.timestamp = datetime.fromisoformat(str(stamp))
        except ValueError:
            bad("timestamp", f"'{stamp}' is not an ISO 8601 timestamp")
        else:
            if parsed.timestamp.tzinfo is None:
                parsed.timestamp = timezone.make_aware(parsed.timestamp)
            if parsed.timestamp.date() > as_of:
                bad("timestamp", f"{parsed.timestamp.date()} is in the future "
                                 f"(after {as_of.isoformat()})")
    if sid is not None:
        if sid in batch:
            bad("id", f"appears twice in this batch (statement {batch[sid].index + 1})")
        elif sid in look.stored and _content(look.stored[sid].raw) != _content(raw):
            bad("id", "already stored with different content; statements are immutable "
                      "(send a voiding statement and a new statement instead)")
    return (None if errors else parsed), errors


def _check_actor(actor: object, look: _Lookups, parsed: _Parsed, bad) -> None:
    if not isinstance(actor, dict):
        bad("actor", "missing; give account.name (the employee_id) or mbox")
        return
    account = actor.get("account")
    if isinstance(account, dict) and account.get("name"):
        parsed.employee_id = look.by_id.get(str(account["name"]))
        if parsed.employee_id is None:
            bad("actor.account.name", f"unknown employee '{account['name']}'")
        return
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.lower().startswith("mailto:"):
        matches = look.by_email.get(mbox[7:].lower(), [])
        if len(matches) == 1:
            parsed.employee_id = matches[0]
        else:
            bad("actor.mbox", f"{'no' if not matches else 'more than one'} employee has the "
                              f"email {mbox[7:]}")
        return
    bad("actor", "needs account.name (the employee_id) or mbox (mailto:email)")


def _check_object(obj: object, look: _Lookups, batch: dict[uuid.UUID, _Parsed],
                  parsed: _Parsed, bad) -> None:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
        bad("object.id", "missing")
        return
    if verb_name(parsed.verb) == VOIDED:
        target = _uuid(obj["id"])
        if obj.get("objectType") != "StatementRef" or target is None:
            bad("object", "a voided statement's object must be a StatementRef with the "
                          "voided statement's id")
            return
        known = batch.get(target) or look.stored.get(target)
        if known is None:
            bad("object.id", f"voids statement {target}, which is not stored")
        elif verb_name(known.verb) == VOIDED:
            bad("object.id", "a voiding statement cannot itself be voided")
        parsed.voids = target
        return
    parsed.activity_id = obj["id"]
    parsed.item_id = look.items.get(obj["id"])
    if parsed.item_id is None:
        bad("object.id", f"no learning item has xapi_activity_id '{obj['id'][:200]}'")


def _check_result(result: object, parsed: _Parsed, bad) -> None:
    if result is None:
        return
    score = result.get("score") if isinstance(result, dict) else None
    scaled = score.get("scaled") if isinstance(score, dict) else None
    if scaled is None:
        return
    if isinstance(scaled, bool) or not isinstance(scaled, int | float) \
            or not math.isfinite(scaled) or not 0 <= scaled <= 1:
        bad("result.score.scaled", f"{scaled!r} must be a number 0–1 (× 100 is the score)")
        return
    parsed.score = round(float(scaled) * 100, 4)


def erased_ids() -> set[str]:
    from lnd.services.governance import erased_ids as tombstoned

    return tombstoned()


def ingest_statements(statements: list[dict], *, as_of: date | None = None) -> XapiResult:
    """Validate every statement; store the batch only if all are valid."""
    as_of = as_of or timezone.localdate()
    result = XapiResult()
    erased = erased_ids()
    kept = [s for s in statements if not _about_erased(s, erased)]
    result.skipped_erased = len(statements) - len(kept)
    statements = kept
    look = _Lookups(statements)
    batch: dict[uuid.UUID, _Parsed] = {}
    for index, raw in enumerate(statements):
        parsed, errors = _check(index, raw, look, batch, as_of)
        result.errors += errors
        if parsed is not None:
            batch[parsed.statement_id] = parsed
    if result.errors:
        return result
    with transaction.atomic():
        _store(list(batch.values()), look, result)
    return result


def _about_erased(statement: object, erased: set[str]) -> bool:
    """An erased person's old statements are dropped, never stored or errors (their
    employee_id now lives only in the tombstone)."""
    actor = statement.get("actor") if isinstance(statement, dict) else None
    account = actor.get("account") if isinstance(actor, dict) else None
    name = account.get("name") if isinstance(account, dict) else None
    return isinstance(name, str) and name in erased


def _store(batch: list[_Parsed], look: _Lookups, result: XapiResult) -> None:
    new = [p for p in batch if p.statement_id not in look.stored]
    result.unchanged = len(batch) - len(new)
    rows = XapiStatement.objects.bulk_create([XapiStatement(
        statement_id=p.statement_id, verb=p.verb, employee_id=p.employee_id,
        activity_id=p.activity_id, item_id=p.item_id, timestamp=p.timestamp, score=p.score,
        voided_statement_id=p.voids, raw=p.raw) for p in new])
    result.stored = len(rows)
    if rows and rows[0].pk is None:  # backends without RETURNING
        rows = list(XapiStatement.objects.filter(statement_id__in=[p.statement_id for p in new]))
    saved = {row.statement_id: row for row in rows}
    _complete([p for p in new if verb_name(p.verb) in COMPLETING], saved, result)
    voids = [p.voids for p in new if p.voids is not None]
    if voids:
        XapiStatement.objects.filter(statement_id__in=voids).update(voided=True)
        withdrawn, _ = Completion.objects.filter(
            xapi_statement__statement_id__in=voids, source=Completion.Source.XAPI).delete()
        result.completions_withdrawn = withdrawn


def _complete(completing: list[_Parsed], saved: dict, result: XapiResult) -> None:
    """One completion per employee, item and day; an existing one (csv or earlier) stays."""
    if not completing:
        return
    employees = {p.employee_id for p in completing}
    have = set(Completion.objects.filter(employee_id__in=employees)
               .values_list("employee_id", "item_id", "completed_on"))
    new = []
    for p in completing:
        key = (p.employee_id, p.item_id, p.timestamp.date())
        if key in have:
            continue
        have.add(key)
        new.append(Completion(
            employee_id=p.employee_id, item_id=p.item_id, completed_on=key[2],
            completed_at=p.timestamp, score=p.score, source=Completion.Source.XAPI,
            xapi_statement=saved[p.statement_id]))
    Completion.objects.bulk_create(new)
    result.completions_created = len(new)

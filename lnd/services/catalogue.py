"""What L&D authors: skills, roles and requirements, career paths, learning items and
metric weights. Every change is written to the ChangeLog (who, what, which fields)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from lnd.models import (
    CareerPath,
    CareerPathStep,
    ChangeLog,
    LearningItem,
    Metric,
    Role,
    RoleRequirement,
    Skill,
    User,
)
from lnd.services import registry

AUTHORS = {User.Role.LD_SPECIALIST, User.Role.ADMIN}


# --- generic create / update / delete with a ChangeLog row -------------------------

def _check_author(by_user: User) -> None:
    if not by_user.is_authenticated or by_user.role not in AUTHORS:
        raise PermissionDenied("Only L&D specialists and admins edit the catalogue.")


def _value(obj: models.Model, name: str):
    value = getattr(obj, name)
    return value if isinstance(value, bool | int | float | str | type(None)) else str(value)


def _log(by_user: User, obj: models.Model, action: str, changes: dict) -> None:
    ChangeLog.objects.create(user=by_user, model=obj._meta.model_name, object_pk=str(obj.pk),
                             object_repr=str(obj)[:300], action=action, changes=changes)


@contextmanager
def _saving(obj: models.Model):
    """One transaction for the save and its ChangeLog row. A concurrent request may take
    the same key between `full_clean` and the write: the check then runs again and names
    the field, as it would have a moment later, instead of a database error."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        obj.full_clean()
        raise


def _create(by_user: User, model: type[models.Model], **fields) -> models.Model:
    _check_author(by_user)
    obj = model(**fields)
    obj.full_clean()
    with _saving(obj):
        obj.save()
        _log(by_user, obj, ChangeLog.Action.CREATE,
             {name: [None, _value(obj, name)] for name in fields})
    return obj


def _update(by_user: User, obj: models.Model, **fields) -> models.Model:
    _check_author(by_user)
    before = {name: _value(obj, name) for name in fields}
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    changes = {name: [before[name], _value(obj, name)] for name in fields
               if before[name] != _value(obj, name)}
    with _saving(obj):
        obj.save()
        if changes:
            _log(by_user, obj, ChangeLog.Action.UPDATE, changes)
    return obj


def _delete(by_user: User, obj: models.Model) -> None:
    _check_author(by_user)
    with transaction.atomic():
        _log(by_user, obj, ChangeLog.Action.DELETE, {})
        try:
            obj.delete()
        except ProtectedError as exc:
            raise ValidationError(
                f"{obj} is still in use ({len(exc.protected_objects)} references); "
                "remove those first.") from None


# --- skills --------------------------------------------------------------------------

def skill_create(*, by_user: User, code: str, name: str, category: str = "",
                 description: str = "") -> Skill:
    return _create(by_user, Skill, code=code, name=name, category=category,
                   description=description)


def skill_update(*, by_user: User, skill: Skill, **fields) -> Skill:
    return _update(by_user, skill, **fields)


def skill_delete(*, by_user: User, skill: Skill) -> None:
    _delete(by_user, skill)


# --- roles and requirements -------------------------------------------------------------

def role_create(*, by_user: User, code: str, name: str, family: str, level: int = 1) -> Role:
    return _create(by_user, Role, code=code, name=name, family=family, level=level)


def role_update(*, by_user: User, role: Role, **fields) -> Role:
    return _update(by_user, role, **fields)


def role_delete(*, by_user: User, role: Role) -> None:
    _delete(by_user, role)


def role_requirement_set(*, by_user: User, role: Role, skill: Skill, min_level: int
                         ) -> RoleRequirement:
    """Add the requirement or change its level (one per role and skill)."""
    existing = RoleRequirement.objects.filter(role=role, skill=skill).first()
    if existing:
        return _update(by_user, existing, min_level=min_level)
    try:
        return _create(by_user, RoleRequirement, role=role, skill=skill, min_level=min_level)
    except ValidationError:
        existing = RoleRequirement.objects.filter(role=role, skill=skill).first()
        if existing is None:  # the level itself was wrong
            raise
        # a concurrent request added it first: setting the level is still what was asked
        return _update(by_user, existing, min_level=min_level)


def role_requirement_delete(*, by_user: User, requirement: RoleRequirement) -> None:
    _delete(by_user, requirement)


# --- career paths ----------------------------------------------------------------------

def career_path_create(*, by_user: User, code: str, name: str) -> CareerPath:
    return _create(by_user, CareerPath, code=code, name=name)


def career_path_update(*, by_user: User, path: CareerPath, **fields) -> CareerPath:
    return _update(by_user, path, **fields)


def career_path_delete(*, by_user: User, path: CareerPath) -> None:
    _delete(by_user, path)


def career_path_set_steps(*, by_user: User, path: CareerPath, role_codes: list[str]
                          ) -> list[CareerPathStep]:
    """Replace the steps with `role_codes` in order (step 1 first)."""
    _check_author(by_user)
    if len(set(role_codes)) != len(role_codes):
        raise ValidationError({"role_codes": "A role can appear only once in a path."})
    roles = Role.objects.in_bulk(role_codes, field_name="code")
    missing = [code for code in role_codes if code not in roles]
    if missing:
        raise ValidationError({"role_codes": f"Unknown roles: {', '.join(missing)}."})
    before = list(path.steps.order_by("step").values_list("role__code", flat=True))
    with transaction.atomic():
        path.steps.all().delete()
        steps = CareerPathStep.objects.bulk_create(
            CareerPathStep(path=path, step=n, role=roles[code])
            for n, code in enumerate(role_codes, start=1))
        if before != role_codes:
            _log(by_user, path, ChangeLog.Action.UPDATE, {"steps": [before, role_codes]})
    return steps


# --- learning items ----------------------------------------------------------------------

ITEM_FIELDS = {"code", "title", "kind", "duration_minutes", "cost", "description",
               "xapi_activity_id", "delivery", "active", "mandatory", "recertify_months"}


def learning_item_create(*, by_user: User, skills: Iterable[Skill] = (),
                         prerequisites: Iterable[LearningItem] = (), **fields) -> LearningItem:
    _check_fields(fields)
    with transaction.atomic():
        item = _create(by_user, LearningItem, **fields)
        _set_relations(by_user, item, list(skills), list(prerequisites))
    return item


def learning_item_update(*, by_user: User, item: LearningItem, skills=None, prerequisites=None,
                         **fields) -> LearningItem:
    _check_fields(fields)
    with transaction.atomic():
        item = _update(by_user, item, **fields)
        _set_relations(by_user, item,
                       list(item.skills.all()) if skills is None else list(skills),
                       list(item.prerequisites.all()) if prerequisites is None
                       else list(prerequisites))
    return item


def learning_item_delete(*, by_user: User, item: LearningItem) -> None:
    _delete(by_user, item)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - ITEM_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")


def _set_relations(by_user: User, item: LearningItem, skills: list[Skill],
                   prerequisites: list[LearningItem]) -> None:
    _check_no_cycle(item, prerequisites)
    before = {"skills": sorted(item.skills.values_list("code", flat=True)),
              "prerequisites": sorted(item.prerequisites.values_list("code", flat=True))}
    after = {"skills": sorted(s.code for s in skills),
             "prerequisites": sorted(p.code for p in prerequisites)}
    item.skills.set(skills)
    item.prerequisites.set(prerequisites)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        _log(by_user, item, ChangeLog.Action.UPDATE, changes)


def _check_no_cycle(item: LearningItem, prerequisites: list[LearningItem]) -> None:
    """Walk the prerequisite graph from the new prerequisites; reaching `item` is a cycle."""
    edges: dict[int, list[int]] = {}
    for src, dst in LearningItem.prerequisites.through.objects.values_list(
            "from_learningitem_id", "to_learningitem_id"):
        edges.setdefault(src, []).append(dst)
    edges[item.pk] = [p.pk for p in prerequisites]
    seen, stack = set(), list(edges[item.pk])
    while stack:
        node = stack.pop()
        if node == item.pk:
            raise ValidationError(
                {"prerequisites": "These prerequisites would make the item depend on itself."})
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, []))


# --- metric weights -------------------------------------------------------------------------

def metric_set_weight(*, by_user: User, metric: Metric, weight: float) -> Metric:
    if not _is_weight(weight):
        raise ValidationError({"weight": "A weight is a number of 0 or more."})
    metric = _update(by_user, metric, weight=float(weight))
    # The gain models predict a composite built from these weights.
    registry.models_mark_stale()
    return metric


def metric_weights_set(*, by_user: User, weights: dict[str, float]) -> list[Metric]:
    """Set every metric's weight at once. The mapping must name every metric and no
    other: a client working from an old list notices a metric added since. At least one
    weight must be positive, or the performance composite has nothing in it."""
    _check_author(by_user)
    metrics = {m.code: m for m in Metric.objects.order_by("code")}
    problems = [f"Unknown metric {code}." for code in sorted(set(weights) - set(metrics))]
    problems += [f"No weight for {code}." for code in sorted(set(metrics) - set(weights))]
    problems += [f"{code}: a weight is a number of 0 or more." for code, w
                 in sorted(weights.items()) if code in metrics and not _is_weight(w)]
    if not problems and metrics and not any(w > 0 for w in weights.values()):
        problems.append("At least one weight must be above 0.")
    if problems:
        raise ValidationError({"weights": problems})
    with transaction.atomic():
        for code, metric in metrics.items():
            if metric.weight != float(weights[code]):
                _update(by_user, metric, weight=float(weights[code]))
        # The gain models predict a composite built from these weights.
        registry.models_mark_stale()
    return list(metrics.values())


def _is_weight(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value) and value >= 0

"""L&D authoring: skills, roles and requirements, career paths, learning items, metric
weights, and the change history. Forms validate; lnd.services.catalogue writes."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lnd.models import CareerPath, LearningItem, Metric, Role, RoleRequirement, Skill
from lnd.selectors import portal_staff
from lnd.services import catalogue as svc
from lnd.views import forms
from lnd.views.access import STAFF, roles


@dataclass(frozen=True)
class Kind:
    """One authorable kind of catalogue entry and the services that write it."""

    slug: str
    title: str
    model: type
    form: type
    create: object
    update: object
    delete: object
    key: str  # keyword the update/delete services take the object by
    columns: tuple[str, ...]


def _item_create(*, by_user, skills=(), prerequisites=(), **fields):
    return svc.learning_item_create(by_user=by_user, skills=skills, prerequisites=prerequisites,
                                    **fields)


KINDS = {k.slug: k for k in [
    Kind("skills", "Skills", Skill, forms.SkillForm, svc.skill_create, svc.skill_update,
         svc.skill_delete, "skill", ("code", "name", "category")),
    Kind("roles", "Roles", Role, forms.RoleForm, svc.role_create, svc.role_update,
         svc.role_delete, "role", ("code", "name", "family", "level")),
    Kind("paths", "Career paths", CareerPath, forms.CareerPathForm, svc.career_path_create,
         svc.career_path_update, svc.career_path_delete, "path", ("code", "name")),
    Kind("items", "Learning items", LearningItem, forms.LearningItemForm, _item_create,
         svc.learning_item_update, svc.learning_item_delete, "item",
         ("code", "title", "kind", "duration_minutes", "mandatory", "active")),
]}


def _kind(slug: str) -> Kind:
    if slug not in KINDS:
        raise Http404("No such catalogue")
    return KINDS[slug]


@roles(*STAFF)
def catalogue_index(request):
    return render(request, "catalogue/index.html", {
        "kinds": KINDS.values(), "history": portal_staff.change_history(limit=20)})


@roles(*STAFF)
def catalogue_list(request, kind: str):
    spec = _kind(kind)
    form = spec.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            obj = spec.create(by_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Created {obj}.")
            return redirect("catalogue_edit", kind=kind, pk=obj.pk)
    rows = [(obj, [obj._meta.get_field(c).value_from_object(obj) for c in spec.columns])
            for obj in spec.model.objects.all()]
    return render(request, "catalogue/list.html", {
        "spec": spec, "rows": rows, "form": form,
        "headers": [spec.model._meta.get_field(c).verbose_name for c in spec.columns]})


@roles(*STAFF)
def catalogue_edit(request, kind: str, pk: int):
    spec = _kind(kind)
    obj = get_object_or_404(spec.model, pk=pk)
    form = spec.form(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        # The ModelForm has already copied the input onto `obj`; reload so the service
        # sees the stored values and logs the real changes.
        fresh = spec.model.objects.get(pk=pk)
        try:
            spec.update(by_user=request.user, **{spec.key: fresh},
                        **{name: form.cleaned_data[name] for name in form.fields})
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Saved {fresh}.")
            return redirect("catalogue_edit", kind=kind, pk=pk)
    return render(request, "catalogue/edit.html", {
        "spec": spec, "obj": obj, "form": form, **_extras(kind, obj),
        "history": portal_staff.change_history(model=spec.model._meta.model_name,
                                               object_pk=str(pk))})


@roles(*STAFF)
@require_POST
def catalogue_delete(request, kind: str, pk: int):
    spec = _kind(kind)
    obj = get_object_or_404(spec.model, pk=pk)
    try:
        spec.delete(by_user=request.user, **{spec.key: obj})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalogue_edit", kind=kind, pk=pk)
    messages.success(request, f"Deleted {obj}.")
    return redirect("catalogue_list", kind=kind)


def _extras(kind: str, obj) -> dict:
    if kind == "roles":
        return {"requirements": obj.requirements.select_related("skill").order_by("skill__name"),
                "requirement_form": forms.RequirementForm()}
    if kind == "paths":
        return {"steps": obj.steps.select_related("role").order_by("step"),
                "step_form": forms.StepForm()}
    return {}


@roles(*STAFF)
@require_POST
def requirement_set(request, pk: int):
    role = get_object_or_404(Role, pk=pk)
    form = forms.RequirementForm(request.POST)
    if form.is_valid():
        try:
            svc.role_requirement_set(by_user=request.user, role=role, **form.cleaned_data)
            messages.success(request, "Requirement saved.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _form_errors(form))
    return redirect("catalogue_edit", kind="roles", pk=pk)


@roles(*STAFF)
@require_POST
def requirement_delete(request, pk: int):
    requirement = get_object_or_404(RoleRequirement, pk=pk)
    svc.role_requirement_delete(by_user=request.user, requirement=requirement)
    messages.success(request, "Requirement removed.")
    return redirect("catalogue_edit", kind="roles", pk=requirement.role_id)


@roles(*STAFF)
@require_POST
def path_steps(request, pk: int):
    """Add, move or remove one step; the whole ordered list is written back."""
    path = get_object_or_404(CareerPath, pk=pk)
    codes = list(path.steps.order_by("step").values_list("role__code", flat=True))
    op, code = request.POST.get("op"), request.POST.get("role", "")
    if op == "add":
        form = forms.StepForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("catalogue_edit", kind="paths", pk=pk)
        codes.append(form.cleaned_data["role"].code)
    elif code in codes and op in ("up", "down", "remove"):
        i = codes.index(code)
        if op == "remove":
            codes.pop(i)
        else:
            j = i - 1 if op == "up" else i + 1
            if 0 <= j < len(codes):
                codes[i], codes[j] = codes[j], codes[i]
    else:
        messages.error(request, "Choose a step and what to do with it.")
        return redirect("catalogue_edit", kind="paths", pk=pk)
    try:
        svc.career_path_set_steps(by_user=request.user, path=path, role_codes=codes)
        messages.success(request, "Steps saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("catalogue_edit", kind="paths", pk=pk)


@roles(*STAFF)
def metric_weights(request):
    metrics = list(Metric.objects.order_by("code"))
    if request.method == "POST":
        metric = get_object_or_404(Metric, pk=request.POST.get("metric"))
        form = forms.MetricWeightForm(request.POST)
        if form.is_valid():
            try:
                svc.metric_set_weight(by_user=request.user, metric=metric,
                                      weight=form.cleaned_data["weight"])
                messages.success(request, f"Weight of {metric} set. Gain models trained with "
                                          "other weights are now marked stale.")
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, f"{metric}: {_form_errors(form)}")
        return redirect("metric_weights")
    total = sum(m.weight for m in metrics) or 0
    return render(request, "catalogue/metrics.html", {
        "metrics": [(m, m.weight / total if total else None) for m in metrics],
        "history": portal_staff.change_history(model="metric")})


@roles(*STAFF)
def change_history(request):
    return render(request, "catalogue/history.html", {
        "history": portal_staff.change_history(limit=200)})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_errors(form) -> str:
    return " ".join(f"{form.fields[name].label}: {e}" if name in form.fields else str(e)
                    for name, errs in form.errors.items() for e in errs)

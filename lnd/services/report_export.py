"""The cached retention report as people read it: one flat table per section (the page's
table alternatives and the CSV downloads are the same rows) and the charts' data.

Everything here reads the payload that lnd.services.retention.retention_report_build
cached; nothing is recomputed. Groups the report suppressed (fewer than `min_group_size`
agents) stay without numbers, and ROI programmes with fewer development events than that
are suppressed here too: their paid time would reveal a few agents' hourly cost.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from lnd.models import Employee, LearningItem
from recommender.suppression import MIN_GROUP

SUPPRESSED = "fewer than {n} agents: not shown"
GROUPINGS = {"work_arrangement": "Work arrangement", "employment_type": "Employment type",
             "hire_cohort": "Hire year (tenure cohort)", "team_code": "Team"}
OUTCOMES = {"voluntary": "Voluntary leaving", "involuntary": "Involuntary leaving",
            "any": "Any leaving"}
# Spreadsheets run a cell that starts like a formula; titles and names come from imports.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Labels:
    """Names for the ids in the payload: coaches by employee id, items by code."""

    names: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


NO_LABELS = Labels()


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    columns: tuple[str, ...]
    rows: Callable[[dict, Labels], list[dict]]


def report_labels(payload: dict) -> Labels:
    """Two queries: the coaches' names and the programmes' item titles."""
    coaches = {c.get("coach_employee_id") for c in payload.get("coaches") or []}
    codes = {p.get("item_code") for p in (payload.get("roi") or {}).get("programmes") or []}
    return Labels(
        names=dict(Employee.objects.filter(employee_id__in=coaches).values_list(
            "employee_id", "name")),
        titles=dict(LearningItem.objects.filter(code__in=codes).values_list("code", "title")))


def min_group(payload: dict) -> int:
    return int(payload.get("min_group_size") or MIN_GROUP)


# -- development and retention -----------------------------------------------------------

def development_rows(payload: dict, labels: Labels = NO_LABELS) -> list[dict]:
    dev = payload.get("development") or {}
    if not dev:
        return []
    common = {"n_agents": dev.get("n_agents"), "window_weeks": dev.get("window_weeks")}
    rows = [
        {"outcome": OUTCOMES["voluntary"], "model": "adjusted", "term": "recent development",
         **_ratio(dev), "n_events": dev.get("n_events"), **common},
        {"outcome": OUTCOMES["voluntary"], "model": "naive (development only)",
         "term": "recent development", "hazard_ratio": dev.get("naive_hazard_ratio"),
         "ci_low": dev.get("naive_ci_low"), "ci_high": dev.get("naive_ci_high"),
         "p_value": None, "n_events": dev.get("n_events"), **common},
    ]
    for name, res in (dev.get("by_outcome") or {}).items():
        rows.append({"outcome": OUTCOMES.get(name, name), "model": "adjusted",
                     "term": "recent development", **_ratio(res),
                     "n_events": res.get("n_events"), **common})
        rows.append({"outcome": OUTCOMES.get(name, name), "model": "naive (development only)",
                     "term": "recent development", "hazard_ratio": res.get("naive_hazard_ratio"),
                     "ci_low": None, "ci_high": None, "p_value": None,
                     "n_events": res.get("n_events"), **common})
    for cov in dev.get("covariates") or []:
        if cov.get("covariate") == "exposed":
            continue  # already the first row
        rows.append({"outcome": OUTCOMES["voluntary"], "model": "adjusted",
                     "term": cov.get("covariate"), **_ratio(cov),
                     "n_events": dev.get("n_events"), **common})
    return rows


def _ratio(res: dict) -> dict:
    return {k: res.get(k) for k in ("hazard_ratio", "ci_low", "ci_high", "p_value")}


# -- survival curves ---------------------------------------------------------------------

def survival_rows(payload: dict, labels: Labels = NO_LABELS) -> list[dict]:
    surv = payload.get("survival") or {}
    n = min_group(payload)
    rows: list[dict] = []
    for grouping, groups in (surv.get("kaplan_meier") or {}).items():
        for g in groups:
            method = ("Breslow–Fleming–Harrington" if g.get("estimator") ==
                      "breslow_fleming_harrington" else "Kaplan–Meier")
            rows += _curve_rows(method, GROUPINGS.get(grouping, grouping), g, n)
    for g in surv.get("by_exposure_simon_makuch") or []:
        rows += _curve_rows("Simon–Makuch", "Recent development", g, n)
    for cause, points in (surv.get("cumulative_incidence") or {}).items():
        for p in points:
            rows.append({"method": "Aalen–Johansen", "grouping": "Cause of leaving",
                         "group": cause, "t_weeks": p.get("t_weeks"),
                         "cumulative_incidence": p.get("cumulative_incidence"),
                         "suppressed": False})
    return rows


def _curve_rows(method: str, grouping: str, g: dict, n: int) -> list[dict]:
    base = {"method": method, "grouping": grouping, "group": g.get("group")}
    if g.get("suppressed"):
        return [{**base, "suppressed": True, "note": SUPPRESSED.format(n=n)}]
    base |= {"n_agents": g.get("n_agents"), "n_events": g.get("n_events"),
             "suppressed": False}
    return [{**base, **{k: p.get(k) for k in CURVE_KEYS}} for p in g.get("curve") or []]


CURVE_KEYS = ("t_weeks", "survival", "ci_low", "ci_high")


# -- attrition model quality -------------------------------------------------------------

MODEL_MEASURES = (("roc_auc", "ROC-AUC (0.5 = chance)"),
                  ("pr_auc", "PR-AUC (compare with the base rate)"),
                  ("base_rate", "Base rate: share who left within 90 days"),
                  ("brier", "Brier score (lower is better)"),
                  ("brier_baseline", "Brier score of always predicting the base rate"),
                  ("mean_abs_calibration_error", "Mean absolute calibration error"),
                  ("n_test", "Held-out snapshots"))


def model_rows(payload: dict, labels: Labels = NO_LABELS) -> list[dict]:
    model = payload.get("attrition_model") or {}
    if not model:
        return []
    values = dict(model)
    base = model.get("base_rate")
    values["brier_baseline"] = base * (1 - base) if base is not None else None
    rows = [{"kind": "summary", "name": label, "value": values.get(key)}
            for key, label in MODEL_MEASURES]
    weeks = model.get("test_weeks") or []
    if len(weeks) == 2:
        rows.append({"kind": "summary", "name": "Held-out weeks",
                     "value": f"{weeks[0]} to {weeks[1]}"})
    rows += [{"kind": "reliability", "name": f"risk decile {i}", "n": b.get("n"),
              "mean_predicted": b.get("mean_predicted"), "observed_rate": b.get("observed_rate")}
             for i, b in enumerate(model.get("reliability") or [], start=1)]
    return rows


# -- item effectiveness ------------------------------------------------------------------

# The list's evidence tiers (recommender.retention.effectiveness.rank_by_evidence), as the
# page heads them; suppressed items follow in a group of their own.
EVIDENCE = {
    "positive": ("Measurable benefit",
                 "The 95% interval is above 0 and q < 0.05, so the benefit holds after "
                 "allowing for the number of items tested. Best shrunk estimate first."),
    "none": ("No measurable effect",
             "The interval includes 0, or q is 0.05 or more: each may help a little or not "
             "at all, and their order among themselves is mostly noise, so none is ranked "
             "above an item with a measurable benefit, whatever its estimate."),
    "negative": ("Measurable harm",
                 "The interval is below 0 (q < 0.05): agents' performance fell after these "
                 "compared with matched agents who had not taken them."),
}


def item_evidence(item: dict) -> str | None:
    """The item's tier; a report cached before the tiers existed has the same decision in
    `no_measurable_effect`."""
    if item.get("suppressed"):
        return None
    if item.get("evidence"):
        return item["evidence"]
    if item.get("no_measurable_effect", True) or item.get("effect") is None:
        return "none"
    return "positive" if item["effect"] > 0 else "negative"


def item_tiers(payload: dict) -> list[dict]:
    """The items grouped by tier in the tiers' order (each keeps the report's order inside
    it), then the suppressed ones; empty tiers left out."""
    items = payload.get("items") or []
    groups = [{"evidence": key, "heading": heading, "note": note,
               "items": [i for i in items if item_evidence(i) == key]}
              for key, (heading, note) in EVIDENCE.items()]
    groups.append({"evidence": None, "heading": "Too few agents to estimate",
                   "note": SUPPRESSED.format(n=min_group(payload)).capitalize() + ".",
                   "items": [i for i in items if item_evidence(i) is None]})
    return [g for g in groups if g["items"]]


def item_rows(payload: dict, labels: Labels = NO_LABELS) -> list[dict]:
    n = min_group(payload)
    rows: list[dict] = []
    for item in (i for tier in item_tiers(payload) for i in tier["items"]):
        base = {"item_code": item.get("item_code"), "title": item.get("title"),
                "n_treated": item.get("n_treated")}
        if item.get("suppressed"):
            rows.append({**base, "outcome": "composite", "suppressed": True,
                         "note": SUPPRESSED.format(n=n)})
            continue
        arrangement, tenure = item.get("by_work_arrangement") or {}, item.get("by_tenure") or {}
        rows.append({**base, "outcome": "composite", "evidence": item_evidence(item),
                     "suppressed": False, **_effect(item),
                     "q_value": item.get("q_value"),
                     "shrunk_effect": item.get("shrunk_effect"),
                     "shrunk_ci_low": item.get("shrunk_ci_low"),
                     "shrunk_ci_high": item.get("shrunk_ci_high"),
                     "no_measurable_effect": item.get("no_measurable_effect"),
                     "differs_by_work_arrangement": arrangement.get("differs"),
                     "differs_by_tenure": tenure.get("differs")})
        for metric, res in sorted((item.get("metrics") or {}).items()):
            rows.append({**base, "outcome": metric, "suppressed": False, **_effect(res)})
        for label, het in (("work arrangement", arrangement), ("tenure", tenure)):
            for group, effect in sorted((het.get("by_group") or {}).items()):
                rows.append({**base, "outcome": "composite", "subgroup": f"{label}: {group}",
                             "suppressed": False, "effect": effect,
                             "p_value": het.get("p_value"), "q_value": het.get("q_value")})
        campaign = item.get("campaign") or {}
        if campaign.get("effect") is not None:
            rows.append({**base, "outcome": "composite",
                         "subgroup": f"randomised (campaign) assignments, n={campaign.get('n')}",
                         "suppressed": False, **_effect(campaign)})
    return rows


def _effect(res: dict) -> dict:
    return {k: res.get(k) for k in ("effect", "ci_low", "ci_high", "p_value")}


# -- coaches -----------------------------------------------------------------------------

def coach_rows(payload: dict, labels: Labels = NO_LABELS) -> list[dict]:
    n = min_group(payload)
    rows = []
    for c in payload.get("coaches") or []:
        coach = c.get("coach_employee_id")
        base = {"coach_employee_id": coach, "coach_name": labels.names.get(coach, ""),
                "n_coached": c.get("n_coached")}
        if c.get("suppressed"):
            rows.append({**base, "suppressed": True, "note": SUPPRESSED.format(n=n)})
            continue
        rows.append({**base, "suppressed": False, **_effect(c),
                     **{k: c.get(k) for k in ("shrunk_effect", "shrunk_ci_low",
                                              "shrunk_ci_high", "shrinkage_weight")}})
    return rows


# -- ROI ---------------------------------------------------------------------------------

def roi_rows(payload: dict, labels: Labels = NO_LABELS) -> list[dict]:
    roi = payload.get("roi") or {}
    if not roi:
        return []
    n = min_group(payload)
    rows = []
    for p in roi.get("programmes") or []:
        code = p.get("item_code")
        base = {"row_type": "programme", "item_code": code, "title": labels.titles.get(code, code),
                "n_events": p.get("n_events")}
        if (p.get("n_events") or 0) < n:
            rows.append({**base, "suppressed": True,
                         "note": f"fewer than {n} development events: not shown"})
            continue
        rows.append({**base, "suppressed": False,
                     **{k: p.get(k) for k in ("separations_avoided", "retention_value",
                                              "kpi_value", "cost", "net_value", "roi")}})
    low, high = (roi.get("separations_avoided_range") or [None, None])[:2]
    rows.append({"row_type": "total", "title": f"All programmes since {roi.get('since')}",
                 "separations_avoided": roi.get("separations_avoided"),
                 "separations_avoided_low": low, "separations_avoided_high": high,
                 "cost": roi.get("total_cost"), "net_value": roi.get("total_net_value"),
                 "suppressed": False})
    rows += [{"row_type": "assumption", "note": text} for text in roi.get("assumptions") or []]
    return rows


SECTIONS: dict[str, Section] = {s.slug: s for s in (
    Section("development", "Development and retention",
            ("outcome", "model", "term", "hazard_ratio", "ci_low", "ci_high", "p_value",
             "n_agents", "n_events", "window_weeks"), development_rows),
    Section("survival", "Survival curves",
            ("method", "grouping", "group", "n_agents", "n_events", "t_weeks", "survival",
             "ci_low", "ci_high", "cumulative_incidence", "suppressed", "note"),
            survival_rows),
    Section("attrition-model", "Attrition model quality",
            ("kind", "name", "value", "n", "mean_predicted", "observed_rate"), model_rows),
    Section("items", "Item effectiveness",
            ("item_code", "title", "n_treated", "outcome", "subgroup", "evidence", "effect",
             "ci_low", "ci_high", "p_value", "q_value", "shrunk_effect", "shrunk_ci_low",
             "shrunk_ci_high", "no_measurable_effect", "differs_by_work_arrangement",
             "differs_by_tenure", "suppressed", "note"), item_rows),
    Section("coaches", "Coaches",
            ("coach_employee_id", "coach_name", "n_coached", "effect", "ci_low", "ci_high",
             "p_value", "shrunk_effect", "shrunk_ci_low", "shrunk_ci_high",
             "shrinkage_weight", "suppressed", "note"), coach_rows),
    Section("roi", "Return on investment",
            ("row_type", "item_code", "title", "n_events", "separations_avoided",
             "separations_avoided_low", "separations_avoided_high", "retention_value",
             "kpi_value", "cost", "net_value", "roi", "suppressed", "note"), roi_rows),
)}


def section_write_csv(out: TextIO, *, payload: dict, section: str) -> int:
    """One section of the cached report as CSV; returns the number of data rows."""
    spec = SECTIONS[section]
    rows = spec.rows(payload, report_labels(payload))
    writer = csv.writer(out)
    writer.writerow(spec.columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in spec.columns])
    return len(rows)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # plain decimals (money must not turn into 1.2e+06); tiny p-values keep exponents
        if value != 0 and abs(value) < 1e-4:
            return f"{value:.3e}"
        return f"{value:.6f}".rstrip("0").rstrip(".")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# -- charts (drawn by static/js/charts.js from json_script) ------------------------------

def hazard_chart(payload: dict) -> dict | None:
    """Hazard ratios of recent development with their 95% intervals: adjusted and naive,
    for voluntary, involuntary and any leaving (naive has an interval for voluntary only)."""
    rows = [r for r in development_rows(payload)
            if r["term"] == "recent development" and r["hazard_ratio"] is not None]
    if not rows:
        return None
    return _interval_chart([f"{r['outcome'].split()[0]}, {r['model'].split()[0]}"
                            for r in rows],
                           [r["hazard_ratio"] for r in rows],
                           [(r["ci_low"], r["ci_high"]) for r in rows],
                           point_label="Hazard ratio", axis="Hazard ratio (1 = no difference)")


def survival_charts(payload: dict) -> list[dict]:
    """One line chart per grouping (suppressed groups left out), then Simon–Makuch."""
    surv = payload.get("survival") or {}
    charts = []
    for grouping, title in GROUPINGS.items():
        groups = (surv.get("kaplan_meier") or {}).get(grouping) or []
        charts.append(_survival_chart(f"chart-km-{grouping}", f"Staying, by {title.lower()}",
                                      groups))
    charts.append(_survival_chart("chart-sm-exposure", "Staying, by recent development "
                                  "(Simon–Makuch)", surv.get("by_exposure_simon_makuch") or []))
    return charts


def _survival_chart(chart_id: str, title: str, groups: list[dict]) -> dict:
    shown = [g for g in groups if not g.get("suppressed")]
    weeks = sorted({p["t_weeks"] for g in shown for p in g.get("curve") or []})
    # points on a linear time axis: the grid weeks are not evenly spaced
    datasets = [{"label": f"{g['group']} (n={g.get('n_agents')})",
                 "data": [{"x": p["t_weeks"], "y": p["survival"]}
                          for p in g.get("curve") or []]} for g in shown]
    spec = {"type": "line", "datasets": datasets,
            "options": {"scales": {"y": {"min": 0, "max": 1,
                                         "title": {"display": True,
                                                   "text": "Share still employed"}},
                                   "x": {"type": "linear", "min": 0,
                                         "title": {"display": True,
                                                   "text": "Weeks since hire"}}}}}
    return {"id": chart_id, "title": title, "spec": spec, "weeks": weeks,
            "rows": [_table_row(g, weeks) for g in groups],
            "suppressed": [g["group"] for g in groups if g.get("suppressed")]}


def _point(group: dict, t: float) -> dict | None:
    return next(({k: p.get(k) for k in CURVE_KEYS} for p in group.get("curve") or []
                 if p["t_weeks"] == t), None)


def _table_row(group: dict, weeks: list[float]) -> dict:
    if group.get("suppressed"):
        return {"group": group.get("group"), "suppressed": True}
    return {"group": group.get("group"), "suppressed": False,
            "n_agents": group.get("n_agents"), "n_events": group.get("n_events"),
            "estimator": group.get("estimator"), "cells": [_point(group, t) for t in weeks]}


def reliability_chart(payload: dict) -> dict | None:
    bins = (payload.get("attrition_model") or {}).get("reliability") or []
    if not bins:
        return None
    top = max(max(b["mean_predicted"], b["observed_rate"]) for b in bins)
    return {"type": "scatter", "datasets": [
        {"label": "Risk decile: predicted vs observed", "showLine": False, "pointRadius": 4,
         "data": [{"x": b["mean_predicted"], "y": b["observed_rate"]} for b in bins]},
        {"label": "Perfect calibration", "showLine": True, "pointRadius": 0,
         "borderDash": [4, 4], "data": [{"x": 0, "y": 0}, {"x": top, "y": top}]}],
        "options": {"scales": {
            "x": {"type": "linear", "min": 0,
                  "title": {"display": True, "text": "Mean predicted 90-day risk"}},
            "y": {"min": 0, "title": {"display": True, "text": "Observed share who left"}}}}}


def item_chart(payload: dict) -> dict | None:
    shown = [i for tier in item_tiers(payload) for i in tier["items"]
             if not i.get("suppressed") and i.get("effect") is not None]
    if not shown:
        return None
    return _interval_chart([i["item_code"] for i in shown], [i["effect"] for i in shown],
                           [(i["ci_low"], i["ci_high"]) for i in shown],
                           point_label="Effect on the composite",
                           axis="Change in composite (0 = no effect)")


def coach_chart(payload: dict, names: dict[str, str]) -> dict | None:
    shown = [c for c in payload.get("coaches") or [] if not c.get("suppressed")
             and c.get("shrunk_effect") is not None]
    if not shown:
        return None
    return _interval_chart(
        [names.get(c["coach_employee_id"]) or c["coach_employee_id"] for c in shown],
        [c["shrunk_effect"] for c in shown],
        [(c["shrunk_ci_low"], c["shrunk_ci_high"]) for c in shown],
        point_label="Shrunk effect", axis="Change in composite (0 = no effect)")


def roi_chart(rows: list[dict]) -> dict | None:
    shown = [r for r in rows if r.get("row_type") == "programme" and not r.get("suppressed")]
    if not shown:
        return None
    return {"type": "bar", "labels": [r["item_code"] for r in shown], "datasets": [
        {"label": "Value (retention + KPI)",
         "data": [(r["retention_value"] or 0) + (r["kpi_value"] or 0) for r in shown]},
        {"label": "Cost", "data": [r["cost"] for r in shown]},
        {"label": "Net value", "data": [r["net_value"] for r in shown]}]}


def _interval_chart(labels: list[str], points: list[float],
                    intervals: Iterable[tuple[float | None, float | None]], *,
                    point_label: str, axis: str) -> dict:
    """Horizontal bars spanning each 95% interval, with the estimate as a point."""
    return {"type": "bar", "labels": labels, "datasets": [
        {"label": "95% interval", "data": [[lo, hi] if lo is not None and hi is not None
                                           else None for lo, hi in intervals],
         "barPercentage": 0.5, "backgroundColor": "#0b3d5c55"},
        {"label": point_label, "type": "line", "showLine": False, "pointRadius": 5,
         "pointStyle": "rectRot", "backgroundColor": "#c9731d", "borderColor": "#c9731d",
         "data": points}],
        "options": {"indexAxis": "y",
                    "scales": {"x": {"title": {"display": True, "text": axis}}}},
        "height": max(8, 2.2 * len(labels) + 4)}


def report_page(payload: dict) -> dict:
    """Everything the report page shows, from the cached payload."""
    n = min_group(payload)
    labels = report_labels(payload)
    tiers = item_tiers(payload)
    items = [i for tier in tiers for i in tier["items"]]  # the order of the page's table
    metrics = sorted({m for i in items for m in (i.get("metrics") or {})})
    coaches = coach_rows(payload, labels)
    roi = roi_rows(payload, labels)
    charts = {"hazard": hazard_chart(payload), "reliability": reliability_chart(payload),
              "item_effects": item_chart(payload), "coaches": coach_chart(payload, labels.names),
              "roi": roi_chart(roi)}
    return {
        "min_group": n, "suppressed_note": SUPPRESSED.format(n=n),
        "development": payload.get("development") or {},
        "hazard_rows": [r for r in development_rows(payload)
                        if r["term"] == "recent development"],
        "covariate_rows": [r for r in development_rows(payload)
                           if r["term"] != "recent development"],
        "survival_charts": survival_charts(payload),
        "incidence": incidence_table((payload.get("survival") or {}).get(
            "cumulative_incidence") or {}),
        "model": _model_view(payload.get("attrition_model") or {}),
        "items": items, "item_tiers": tiers, "item_metrics": metrics,
        "item_metric_rows": [{"item": i, "cells": [(i.get("metrics") or {}).get(m)
                                                   for m in metrics]}
                             for i in items if not i.get("suppressed")],
        "coaches": coaches, "roi": payload.get("roi") or {}, "roi_rows": roi,
        "charts": {k: v for k, v in charts.items() if v is not None},
        "sections": [(s.slug, s.title) for s in SECTIONS.values()],
    }


def incidence_table(incidence: dict[str, list[dict]]) -> dict:
    """Aalen–Johansen points as one row per week with a column per cause."""
    causes = sorted(incidence)
    weeks = sorted({p["t_weeks"] for points in incidence.values() for p in points})
    by = {c: {p["t_weeks"]: p["cumulative_incidence"] for p in incidence[c]} for c in causes}
    return {"causes": causes,
            "rows": [{"t_weeks": t, "values": [by[c].get(t) for c in causes]} for t in weeks]}


def _model_view(model: dict) -> dict:
    if not model:
        return {}
    base = model.get("base_rate")
    return {**model, "brier_baseline": base * (1 - base) if base is not None else None,
            "pr_lift": (model["pr_auc"] / base if model.get("pr_auc") is not None and base
                        else None)}

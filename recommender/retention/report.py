"""The retention report: one JSON-serialisable dict for the pages and the API."""

from __future__ import annotations

from recommender.dataset import Dataset
from recommender.json_safe import json_safe
from recommender.retention import attrition_model, cox, effectiveness, roi, survival
from recommender.retention.panel import build_panel, development_events
from recommender.suppression import MIN_GROUP

KM_GROUPS = ("work_arrangement", "employment_type", "team_code", "hire_cohort")


def build_retention_report(ds: Dataset, *, window_weeks: int = 12,
                           replacement_cost=roi.DEFAULT_REPLACEMENT_COST,
                           default_hourly_cost: float = roi.DEFAULT_HOURLY_COST,
                           value_per_composite_week: float = 0.0,
                           include_risk_model: bool = True) -> dict:
    panel = build_panel(ds)
    pp = survival.person_period(ds, window_weeks=window_weeks, panel=panel)
    spells = survival.agent_spells(pp)
    report: dict = {"as_of": str(ds.as_of.date()), "data_start": str(panel.data_start.date()),
                    "min_group_size": MIN_GROUP}
    if len(spells) < MIN_GROUP:
        report["suppressed"] = True
        return json_safe(report)
    development = cox.development_effect(pp, window_weeks=window_weeks)
    report["development"] = development
    report["survival"] = {
        "time_scale": "weeks since hire (agents hired before the data start enter late)",
        "kaplan_meier": {g: survival.km_by_group(spells, g) for g in KM_GROUPS},
        "by_exposure_simon_makuch": survival.simon_makuch(pp),
        "cumulative_incidence": survival.cumulative_incidence(spells),
    }
    if include_risk_model:
        report["attrition_model"] = attrition_model.evaluate(ds, panel=panel)
    reactive = effectiveness.reactive_counts(panel, development_events(ds))
    matcher = effectiveness.Matcher(panel, reactive=reactive)
    report["items"] = effectiveness.item_effects(ds, panel=panel, matcher=matcher)
    report["coaches"] = effectiveness.coach_effects(ds, panel=panel, matcher=matcher)
    report["roi"] = roi.programme_roi(
        ds, panel=panel, pp=pp, development=development, items=report["items"],
        replacement_cost=replacement_cost, default_hourly_cost=default_hourly_cost,
        value_per_composite_week=value_per_composite_week)
    return json_safe(report)

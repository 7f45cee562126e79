"""Return on development programmes: leavers avoided and KPI gains against their cost.

Every number rests on assumptions, which are returned with the result:
- Leavers avoided come from the adjusted hazard ratio (an association, not proof): the
  voluntary leavers observed during exposed agent-weeks in the last 52 weeks, E, would
  have been E / HR without exposure, so E·(1/HR − 1) were avoided. They are shared
  between items in proportion to how many development events each item contributed.
- Replacement cost per leaver defaults to DEFAULT_REPLACEMENT_COST, an ASSUMPTION
  (published contact-centre estimates of recruiting, training and lost productivity run
  from several thousand to over fifteen thousand in local currency); set it per site.
- KPI gains are valued only if the site sets a value for one composite point per agent-
  week (default 0: no gain is monetised unless someone owns that number).
- Cost = item cost + paid time (hourly_cost × duration) for each completion or session;
  agents with no hourly_cost use DEFAULT_HOURLY_COST (an ASSUMPTION).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.dataset import Dataset
from recommender.retention.panel import Panel, development_events

DEFAULT_REPLACEMENT_COST = 10_000.0
DEFAULT_HOURLY_COST = 20.0
LOOKBACK_WEEKS = 52


def _replacement_cost(site: str, replacement_cost) -> float:
    if isinstance(replacement_cost, dict):
        return float(replacement_cost.get(site, replacement_cost.get("default",
                                                                     DEFAULT_REPLACEMENT_COST)))
    return float(replacement_cost)


def _avoided(pp: pd.DataFrame, hr: float | None, since) -> float:
    if hr is None or hr <= 0:
        return 0.0
    recent = pp[(pp["week"] >= since) & (pp["exposed"] == 1)]
    return float(recent["event_voluntary"].sum() * (1.0 / hr - 1.0))


def programme_roi(ds: Dataset, *, panel: Panel, pp: pd.DataFrame, development: dict,
                  items: list[dict], replacement_cost=DEFAULT_REPLACEMENT_COST,
                  default_hourly_cost: float = DEFAULT_HOURLY_COST,
                  value_per_composite_week: float = 0.0) -> dict:
    since = panel.weeks[max(0, len(panel.weeks) - LOOKBACK_WEEKS)]
    hr, lo, hi = (development.get(k) for k in ("hazard_ratio", "ci_low", "ci_high"))
    avoided = _avoided(pp, hr, since)
    avoided_range = sorted([_avoided(pp, hi, since), _avoided(pp, lo, since)])
    exposed_sites = pp.loc[(pp["week"] >= since) & (pp["exposed"] == 1), "site"]
    unit = (float(np.mean([_replacement_cost(s, replacement_cost) for s in exposed_sites]))
            if len(exposed_sites) else _replacement_cost("default", replacement_cost))
    ev = development_events(ds)
    ev = ev[ev["date"] >= since] if len(ev) else ev
    catalogue = ds.learning_items.drop_duplicates("item_code").set_index("item_code")
    hourly = pd.to_numeric(ds.agents.set_index("employee_id")["hourly_cost"], errors="coerce")
    effects = {r["item_code"]: r for r in items if not r.get("suppressed")}
    programmes = []
    n_events = max(len(ev), 1)
    for code, g in (ev.groupby("item_code") if len(ev) else []):
        cost_each = float(pd.to_numeric(catalogue["cost"], errors="coerce").get(code, 0) or 0)
        minutes = float(pd.to_numeric(catalogue["duration_minutes"],
                                      errors="coerce").get(code, 0) or 0)
        rates = hourly.reindex(g["employee_id"]).fillna(default_hourly_cost).to_numpy()
        paid = float(np.sum(rates * minutes / 60.0))
        coach_ids = g["coach"].dropna()
        if len(coach_ids):  # the coach's hour is paid too
            paid += float(np.sum(hourly.reindex(coach_ids).fillna(default_hourly_cost)
                                 * minutes / 60.0))
        share = len(g) / n_events
        kpi_effect = (effects.get(code) or {}).get("effect") or 0.0
        kpi_value = float(max(kpi_effect, 0.0) * 8 * len(g) * value_per_composite_week)
        cost = cost_each * len(g) + paid
        benefit = avoided * share * unit + kpi_value
        programmes.append({
            "item_code": str(code), "n_events": int(len(g)),
            "separations_avoided": avoided * share, "retention_value": avoided * share * unit,
            "kpi_value": kpi_value, "cost": cost, "net_value": benefit - cost,
            "roi": (benefit - cost) / cost if cost > 0 else None})
    programmes.sort(key=lambda r: -r["net_value"])
    total_cost = sum(p["cost"] for p in programmes)
    total_benefit = sum(p["retention_value"] + p["kpi_value"] for p in programmes)
    return {
        "lookback_weeks": LOOKBACK_WEEKS, "since": str(since.date()),
        "separations_avoided": avoided, "separations_avoided_range": avoided_range,
        "replacement_cost_per_leaver": unit, "total_cost": total_cost,
        "total_net_value": total_benefit - total_cost, "programmes": programmes,
        "assumptions": [
            "Leavers avoided use the adjusted hazard ratio, which is an association in "
            "observational data, not a proven effect.",
            f"Replacement cost per leaver: {unit:,.0f}"
            + (" (default assumption, set it per site)"
               if not isinstance(replacement_cost, dict)
               and replacement_cost == DEFAULT_REPLACEMENT_COST else " (configured)"),
            f"Paid time valued at each agent's hourly_cost, or {default_hourly_cost:,.0f} an "
            "hour where missing (assumption).",
            "KPI gains valued at " + (f"{value_per_composite_week:,.2f} per composite point "
                                      "per agent-week over 8 weeks"
                                      if value_per_composite_week else
                                      "zero: no value per composite point was configured"),
            "Leavers avoided are shared between items by their number of development events.",
        ]}

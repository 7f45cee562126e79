"""Contract exports (data-contract.md, "Exports")."""

from __future__ import annotations

import csv
from typing import TextIO

from lnd.models import Recommendation, RecommendationRun

REASON_SEPARATOR = " | "
RECOMMENDATION_COLUMNS = ["employee_id", "rank", "item_code", "score", "expected_gain",
                          "gain_low", "gain_high", "model_version", "reasons", "generated_at"]


def recommendations_write_csv(out: TextIO, *, employees=None) -> int:
    """Write the current run; `employees` (a queryset) scopes it for a caller."""
    run = RecommendationRun.objects.filter(is_current=True).select_related(
        "model_version").first()
    writer = csv.writer(out)
    writer.writerow(RECOMMENDATION_COLUMNS)
    if run is None:
        return 0
    version = f"gain-{run.model_version_id}" if run.model_version_id else "rule:skill_gap"
    generated = (run.finished_at or run.created_at).isoformat()
    recs = Recommendation.objects.filter(run=run).order_by("employee__employee_id", "rank")
    if employees is not None:
        recs = recs.filter(employee__in=employees)
    count = 0
    for row in recs.values_list("employee__employee_id", "rank", "item__code", "score",
                                "expected_gain", "gain_low", "gain_high", "reasons"
                                ).iterator(chunk_size=5000):
        employee_id, rank, item_code, score, gain, low, high, reasons = row
        writer.writerow([employee_id, rank, item_code, f"{score:.6f}", _fmt(gain), _fmt(low),
                         _fmt(high), version,
                         REASON_SEPARATOR.join(r.replace("|", "/") for r in reasons),
                         generated])
        count += 1
    return count


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


RISK_COLUMNS = ["employee_id", "risk_90d", "model_version", "drivers", "generated_at"]


def risk_write_csv(out: TextIO, *, employees=None) -> int:
    """The current risk run. Drivers never quote pulse answers (recommender.retention)."""
    from lnd.models import RiskRun, RiskScore

    run = RiskRun.objects.filter(is_current=True).first()
    writer = csv.writer(out)
    writer.writerow(RISK_COLUMNS)
    if run is None:
        return 0
    scores = RiskScore.objects.filter(run=run).order_by("employee__employee_id")
    if employees is not None:
        scores = scores.filter(employee__in=employees)
    count = 0
    for employee_id, risk, drivers, action in scores.values_list(
            "employee__employee_id", "risk_90d", "drivers", "suggested_action").iterator(
            chunk_size=5000):
        sentences = [*drivers, action] if action else list(drivers)
        writer.writerow([employee_id, f"{risk:.6f}", f"risk-{run.model_version_id}",
                         REASON_SEPARATOR.join(s.replace("|", "/") for s in sentences),
                         run.created_at.isoformat()])
        count += 1
    return count

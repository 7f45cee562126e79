"""Retention analytics: survival by development exposure, attrition risk, effectiveness of
items and coaches, randomised pilots and ROI. See docs/retention.md."""

from recommender.retention.attrition_model import RiskModel, Suggestion, score_agents
from recommender.retention.pilots import analyse_pilot, assign_pilot
from recommender.retention.report import build_retention_report

__all__ = ["RiskModel", "analyse_pilot", "assign_pilot", "build_retention_report",
           "Suggestion", "score_agents"]

"""Retention analytics: survival by development exposure, attrition risk, effectiveness of
items and coaches, randomised pilots and ROI. See docs/retention.md."""

from recommender.retention.attrition_model import RiskModel, score_agents
from recommender.retention.pilots import analyse_pilot, assign_pilot
from recommender.retention.report import build_retention_report

__all__ = ["RiskModel", "analyse_pilot", "assign_pilot", "build_retention_report",
           "score_agents"]

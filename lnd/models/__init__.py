from .accounts import User
from .catalogue import (
    CareerPath,
    CareerPathStep,
    LearningItem,
    Metric,
    Role,
    RoleRequirement,
    Skill,
)
from .development import AssignedBy, Assignment, CoachingSession, Completion, XapiStatement
from .governance import AccessLog, ChangeLog, ErasureTombstone
from .jobs import ImportFileReport, Job
from .ml import (
    ModelVersion,
    Recommendation,
    RecommendationFeedback,
    RecommendationRun,
    ScoringChunk,
)
from .people import Employee, RoleHistory, Separation, Site, Team
from .retention import Pilot, PilotMember, ReportCache, RiskRun, RiskScore
from .signals import (
    Interaction,
    PulseSurvey,
    QAEvaluation,
    SkillAssessment,
    WeeklyPerformance,
)

__all__ = [
    "AccessLog", "ChangeLog", "ErasureTombstone", "Pilot", "PilotMember", "ReportCache",
    "RiskRun", "RiskScore",
    "AssignedBy", "Assignment", "CareerPath", "CareerPathStep", "CoachingSession",
    "Completion", "Employee", "ImportFileReport", "Interaction", "Job", "LearningItem",
    "Metric", "ModelVersion", "PulseSurvey", "QAEvaluation", "Recommendation",
    "RecommendationFeedback", "RecommendationRun", "Role", "RoleHistory", "RoleRequirement",
    "ScoringChunk", "Separation", "Site", "Skill", "SkillAssessment", "Team", "User",
    "WeeklyPerformance",
    "XapiStatement",
]

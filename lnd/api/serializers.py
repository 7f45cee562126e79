"""Input and output serializers. Output serializers are read-only; input serializers
name exactly the fields a caller may set (no role, team, owner or status from a body)."""

from __future__ import annotations

from rest_framework import serializers

from lnd.api.fields import CodeField
from lnd.models import (
    AccessLog,
    Assignment,
    CareerPath,
    CoachingSession,
    Completion,
    Employee,
    ImportFileReport,
    Job,
    LearningItem,
    Metric,
    ModelVersion,
    PulseSurvey,
    Recommendation,
    RecommendationFeedback,
    ReportCache,
    RiskScore,
    Role,
    Skill,
    Team,
)

ADVICE_NOTICE = ("Advice only: a suggestion for the person and their lead to consider. "
                 "Nothing is decided or changed automatically from it.")


# --- catalogue ----------------------------------------------------------------------------

class SkillOut(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["code", "name", "category", "description"]
        read_only_fields = fields


class SkillIn(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["code", "name", "category", "description"]


class SkillUpdateIn(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["name", "category", "description"]


class RequirementOut(serializers.Serializer):
    skill = serializers.CharField(source="skill.code", read_only=True)
    min_level = serializers.IntegerField(read_only=True)


class RoleOut(serializers.ModelSerializer):
    requirements = RequirementOut(many=True, read_only=True)

    class Meta:
        model = Role
        fields = ["code", "name", "family", "level", "requirements"]
        read_only_fields = fields


class RoleIn(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["code", "name", "family", "level"]


class RoleUpdateIn(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["name", "family", "level"]


class RequirementIn(serializers.Serializer):
    min_level = serializers.IntegerField(min_value=1, max_value=5)


class StepOut(serializers.Serializer):
    step = serializers.IntegerField(read_only=True)
    role = serializers.CharField(source="role.code", read_only=True)


class CareerPathOut(serializers.ModelSerializer):
    steps = StepOut(many=True, read_only=True)

    class Meta:
        model = CareerPath
        fields = ["code", "name", "steps"]
        read_only_fields = fields


class CareerPathIn(serializers.ModelSerializer):
    role_codes = serializers.ListField(child=serializers.CharField(max_length=64),
                                       required=False, help_text="Steps in order, first first")

    class Meta:
        model = CareerPath
        fields = ["code", "name", "role_codes"]


class CareerPathUpdateIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    role_codes = serializers.ListField(child=serializers.CharField(max_length=64),
                                       required=False)


class LearningItemOut(serializers.ModelSerializer):
    skills = CodeField(many=True, read_only=True, slug_field="code")
    prerequisites = CodeField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = LearningItem
        fields = ["code", "title", "kind", "duration_minutes", "cost", "skills",
                  "prerequisites", "description", "xapi_activity_id", "delivery", "active",
                  "mandatory", "recertify_months"]
        read_only_fields = fields


class LearningItemIn(serializers.ModelSerializer):
    skills = CodeField(many=True, slug_field="code",
                                          queryset=Skill.objects.all(), required=False)
    prerequisites = CodeField(
        many=True, slug_field="code", queryset=LearningItem.objects.all(), required=False)

    class Meta:
        model = LearningItem
        fields = LearningItemOut.Meta.fields


# --- people ---------------------------------------------------------------------------------

class AgentOut(serializers.ModelSerializer):
    team = serializers.CharField(source="team.code", read_only=True, allow_null=True,
                                 default=None)
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True,
                                      default=None)
    role = serializers.CharField(source="role.code", read_only=True, allow_null=True,
                                 default=None)
    goal_role = serializers.CharField(source="goal_role.code", read_only=True, allow_null=True,
                                      default=None)

    class Meta:
        model = Employee
        fields = ["employee_id", "name", "email", "team", "team_name", "role", "goal_role",
                  "hire_date", "work_arrangement", "employment_type", "status"]
        read_only_fields = fields


class GoalRoleIn(serializers.Serializer):
    goal_role = CodeField(slug_field="code", queryset=Role.objects.all(),
                                             allow_null=True)


class TeamOut(serializers.ModelSerializer):
    site = serializers.CharField(source="site.name", read_only=True, allow_null=True,
                                 default=None)
    lead = serializers.CharField(source="lead.employee_id", read_only=True, allow_null=True,
                                 default=None)

    class Meta:
        model = Team
        fields = ["code", "name", "site", "lead"]
        read_only_fields = fields


class PerformanceRowOut(serializers.Serializer):
    period_start = serializers.DateField()
    metric = serializers.CharField()
    value = serializers.FloatField()


class PerformanceOut(serializers.Serializer):
    employee_id = serializers.CharField()
    weeks = PerformanceRowOut(many=True)


class TeamPerformanceRowOut(serializers.Serializer):
    period_start = serializers.DateField()
    metric = serializers.CharField()
    mean = serializers.FloatField()
    agents = serializers.IntegerField()


class TeamPerformanceOut(serializers.Serializer):
    team = serializers.CharField()
    min_group_size = serializers.IntegerField()
    weeks = TeamPerformanceRowOut(many=True)


class MetricOut(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["code", "name", "unit", "higher_is_better", "weight"]
        read_only_fields = fields


# --- development ------------------------------------------------------------------------------

class AssignmentOut(serializers.ModelSerializer):
    employee = serializers.CharField(source="employee.employee_id", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "employee", "item", "item_title", "due_date", "status", "assigned_by",
                  "campaign", "reason", "created_at", "completed_at"]
        read_only_fields = fields


class AssignmentIn(serializers.Serializer):
    employee = serializers.CharField(max_length=64, help_text="employee_id")
    item = CodeField(slug_field="code",
                                        queryset=LearningItem.objects.all())
    due_date = serializers.DateField(required=False, allow_null=True)
    assigned_by = serializers.ChoiceField(choices=["lead", "self"], default="lead")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   default="")


class AssignmentStatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Assignment.Status.choices)


class CompletionOut(serializers.ModelSerializer):
    employee = serializers.CharField(source="employee.employee_id", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)

    class Meta:
        model = Completion
        fields = ["id", "employee", "item", "completed_on", "completed_at", "score",
                  "assigned_by", "source"]
        read_only_fields = fields


class CoachingSessionOut(serializers.ModelSerializer):
    employee = serializers.CharField(source="employee.employee_id", read_only=True)
    coach = serializers.CharField(source="coach.employee_id", read_only=True, allow_null=True,
                                  default=None)
    item = serializers.CharField(source="item.code", read_only=True, allow_null=True,
                                 default=None)
    focus_skill = serializers.CharField(source="focus_skill.code", read_only=True,
                                        allow_null=True, default=None)
    target_metric = serializers.CharField(source="target_metric.code", read_only=True,
                                          allow_null=True, default=None)

    class Meta:
        model = CoachingSession
        fields = ["id", "session_id", "employee", "coach", "held_on", "item", "focus_skill",
                  "target_metric", "agenda", "notes", "agreed_actions", "follow_up_date",
                  "acknowledged_at"]
        read_only_fields = fields


class CoachingSessionIn(serializers.Serializer):
    employee = serializers.CharField(max_length=64, help_text="employee_id")
    held_on = serializers.DateField()
    item = CodeField(slug_field="code", queryset=LearningItem.objects.all(),
                                        required=False, allow_null=True)
    focus_skill = CodeField(slug_field="code", queryset=Skill.objects.all(),
                                               required=False, allow_null=True)
    target_metric = CodeField(
        slug_field="code", queryset=Metric.objects.all(), required=False, allow_null=True)
    agenda = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    agreed_actions = serializers.CharField(required=False, allow_blank=True, default="")
    follow_up_date = serializers.DateField(required=False, allow_null=True)


class CoachingSessionUpdateIn(serializers.Serializer):
    """The fields lnd.services.coaching.EDITABLE names, no others (PATCH: each optional)."""

    held_on = serializers.DateField()
    item = CodeField(slug_field="code", queryset=LearningItem.objects.all(), allow_null=True)
    focus_skill = CodeField(slug_field="code", queryset=Skill.objects.all(), allow_null=True)
    target_metric = CodeField(slug_field="code", queryset=Metric.objects.all(),
                              allow_null=True)
    agenda = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    agreed_actions = serializers.CharField(allow_blank=True)
    follow_up_date = serializers.DateField(allow_null=True)


# --- recommendations and risk ---------------------------------------------------------------------

class RecommendationOut(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="employee.employee_id", read_only=True)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    model_version = serializers.IntegerField(source="run.model_version_id", read_only=True,
                                             allow_null=True)
    generated_at = serializers.DateTimeField(source="run.created_at", read_only=True)

    class Meta:
        model = Recommendation
        fields = ["id", "employee_id", "rank", "item_code", "item_title", "score",
                  "expected_gain", "gain_low", "gain_high", "model_version", "reasons",
                  "on_path", "path_note", "generated_at"]
        read_only_fields = fields


class RecommendationListOut(serializers.Serializer):
    advice = serializers.BooleanField(help_text="Always true: recommendations are advice")
    notice = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    fallback = serializers.BooleanField()
    results = RecommendationOut(many=True)


class FeedbackIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["accepted", "dismissed", "rated"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   default="")
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)


class FeedbackOut(serializers.ModelSerializer):
    class Meta:
        model = RecommendationFeedback
        fields = ["id", "recommendation", "action", "reason", "rating", "created_at"]
        read_only_fields = fields


class RiskOut(serializers.ModelSerializer):
    employee_id = serializers.CharField(source="employee.employee_id", read_only=True)
    name = serializers.CharField(source="employee.name", read_only=True)
    team = serializers.CharField(source="employee.team.code", read_only=True, allow_null=True,
                                 default=None)
    model_version = serializers.IntegerField(source="run.model_version_id", read_only=True,
                                             allow_null=True)
    generated_at = serializers.DateTimeField(source="run.created_at", read_only=True)
    advice = serializers.SerializerMethodField()

    class Meta:
        model = RiskScore
        fields = ["employee_id", "name", "team", "risk_90d", "model_version", "drivers",
                  "suggested_action", "generated_at", "advice"]
        read_only_fields = fields

    def get_advice(self, obj) -> str:
        return ADVICE_NOTICE


# --- operations ----------------------------------------------------------------------

class FileReportOut(serializers.ModelSerializer):
    class Meta:
        model = ImportFileReport
        fields = ["file_name", "status", "rows", "created", "updated", "unchanged", "errors",
                  "warnings"]
        read_only_fields = fields


class JobOut(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True,
                                  default=None)

    class Meta:
        model = Job
        fields = ["id", "kind", "state", "owner", "progress", "message", "error", "result",
                  "attempts", "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class ImportJobOut(JobOut):
    file_reports = FileReportOut(many=True, read_only=True)

    class Meta(JobOut.Meta):
        fields = [*JobOut.Meta.fields, "file_reports"]
        read_only_fields = fields


class ImportIn(serializers.Serializer):
    file = serializers.FileField(help_text="A .zip of the CSV files (data contract)")
    dry_run = serializers.BooleanField(default=False)


class TrainIn(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)
    seed = serializers.IntegerField(required=False, default=0)


class ScoreIn(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True,
                                  help_text="Default: the latest week of performance data")


class JobConflictOut(serializers.Serializer):
    detail = serializers.CharField()
    job = serializers.IntegerField(help_text="The live job: poll jobs/{id}/")


class ModelVersionOut(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = ["id", "kind", "status", "created_at", "data_start", "data_end", "as_of",
                  "seed", "params", "library_versions", "feature_names", "metrics",
                  "metric_weights", "artifact_sha256", "decision", "stale"]
        read_only_fields = fields


class ReportOut(serializers.ModelSerializer):
    class Meta:
        model = ReportCache
        fields = ["kind", "data_version", "params", "payload", "created_at"]
        read_only_fields = fields


class ReportSummaryOut(serializers.ModelSerializer):
    class Meta:
        model = ReportCache
        fields = ["kind", "data_version", "created_at"]
        read_only_fields = fields


# --- me ----------------------------------------------------------------------------

class MeOut(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()
    employee_id = serializers.CharField(allow_null=True)


class AccessLogOut(serializers.ModelSerializer):
    viewer = serializers.CharField(source="viewer.username", read_only=True, allow_null=True,
                                   default=None)
    viewer_role = serializers.CharField(source="viewer.role", read_only=True, allow_null=True,
                                        default=None)

    class Meta:
        model = AccessLog
        fields = ["viewer", "viewer_role", "what", "via", "at"]
        read_only_fields = fields


class PulseOut(serializers.ModelSerializer):
    class Meta:
        model = PulseSurvey
        fields = ["answered_at", "engagement", "wellbeing", "enps", "comment"]
        read_only_fields = fields


class TokenIn(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenOut(serializers.Serializer):
    token = serializers.CharField()


class ErasureOut(serializers.Serializer):
    erased_employee_id = serializers.CharField()
    erased_at = serializers.DateTimeField()

"""What the contact centre measures: weekly KPIs, QA, interactions, pulse, assessments."""

from django.db import models
from django.db.models import Q


class WeeklyPerformance(models.Model):
    class Source(models.TextChoices):
        REPORTED = "reported"  # from performance.csv
        DERIVED = "derived"  # computed from that week's sampled interactions

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(help_text="Monday of the ISO week")
    # Indexed by the composite below, metric first (a lead's trend reads one metric for a
    # list of agents and their latest weeks).
    metric = models.ForeignKey("Metric", on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    value = models.FloatField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REPORTED)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "period_start", "metric"],
                                    name="performance_natural_key"),
        ]
        indexes = [models.Index(fields=["period_start"], name="performance_period"),
                   models.Index(fields=["metric", "employee", "period_start"],
                                name="performance_metric_agent")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.period_start} {self.metric_id}"


class QAEvaluation(models.Model):
    """One criterion of one evaluation; criteria are mapped to skills."""

    evaluation_id = models.CharField(max_length=64)
    skill = models.ForeignKey("Skill", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    evaluated_on = models.DateField()
    evaluated_at = models.DateTimeField(null=True, blank=True)
    evaluator = models.ForeignKey("Employee", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation_id", "skill"], name="qa_natural_key"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100),
                                   name="qa_score_0_100"),
        ]
        indexes = [models.Index(fields=["employee", "evaluated_on"], name="qa_employee_date")]

    def __str__(self) -> str:
        return f"{self.evaluation_id}/{self.skill_id}"


class Interaction(models.Model):
    class Channel(models.TextChoices):
        VOICE = "voice"
        CHAT = "chat"
        EMAIL = "email"
        SOCIAL = "social"

    class SentimentSource(models.TextChoices):
        GIVEN = "given"
        COMPUTED = "computed", "Computed from transcript"
        NONE = "none"

    interaction_id = models.CharField(max_length=64, unique=True)
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    period_start = models.DateField(help_text="Monday of the week of started_at, in its offset")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    topic = models.CharField(max_length=200, blank=True)
    customer_sentiment = models.FloatField(null=True, blank=True)
    sentiment_source = models.CharField(max_length=10, choices=SentimentSource.choices,
                                        default=SentimentSource.NONE)
    transcript = models.TextField(blank=True)
    handle_seconds = models.FloatField(null=True, blank=True)
    resolved = models.BooleanField(null=True, blank=True)
    csat = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(customer_sentiment__gte=-1, customer_sentiment__lte=1)
                | Q(customer_sentiment=None), name="interaction_sentiment_range"),
            models.CheckConstraint(condition=Q(csat__gte=1, csat__lte=5) | Q(csat=None),
                                   name="interaction_csat_1_5"),
        ]
        indexes = [models.Index(fields=["employee", "period_start"],
                                name="interaction_employee_week")]

    def __str__(self) -> str:
        return self.interaction_id


class PulseSurvey(models.Model):
    """Confidential: only the agent sees an individual answer (data contract)."""

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateField()
    engagement = models.PositiveSmallIntegerField()
    wellbeing = models.PositiveSmallIntegerField()
    enps = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "answered_at"], name="pulse_natural_key"),
            models.CheckConstraint(
                condition=Q(engagement__gte=1, engagement__lte=5, wellbeing__gte=1,
                            wellbeing__lte=5, enps__lte=10), name="pulse_ranges"),
        ]

    def __str__(self) -> str:
        return f"pulse {self.pk}"  # never the answers


class SkillAssessment(models.Model):
    class Source(models.TextChoices):
        QA = "qa", "QA"
        LEAD = "lead"
        SELF = "self"
        TEST = "test"

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey("Skill", on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateField()
    level = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "skill", "assessed_at"],
                                    name="assessment_natural_key"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5),
                                   name="assessment_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.skill_id} {self.assessed_at}"

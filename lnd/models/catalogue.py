"""What L&D authors: skills, roles and their requirements, career paths, learning items."""

from django.db import models
from django.db.models import Q


class Skill(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    class Family(models.TextChoices):
        FRONTLINE = "frontline"
        SPECIALIST = "specialist"
        LEADERSHIP = "leadership"
        OUTSIDE_CC = "outside_cc", "Outside the contact centre"

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    family = models.CharField(max_length=20, choices=Family.choices)
    level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["family", "level", "name"]

    def __str__(self) -> str:
        return self.name


class RoleRequirement(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="requirements")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    min_level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "skill"], name="rolereq_natural_key"),
            models.CheckConstraint(
                condition=Q(min_level__gte=1, min_level__lte=5), name="rolereq_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.role_id}: {self.skill_id} ≥ {self.min_level}"


class CareerPath(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class CareerPathStep(models.Model):
    path = models.ForeignKey(CareerPath, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField()
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="path_steps")

    class Meta:
        ordering = ["path", "step"]
        constraints = [
            models.UniqueConstraint(fields=["path", "step"], name="pathstep_natural_key"),
            models.CheckConstraint(condition=Q(step__gte=1), name="pathstep_step_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.path_id} step {self.step}"


class LearningItem(models.Model):
    class Kind(models.TextChoices):
        COURSE = "course"
        MICROLEARNING = "microlearning"
        SIMULATION = "simulation"
        SHADOWING = "shadowing"
        COACHING = "coaching"

    class Delivery(models.TextChoices):
        ONLINE = "online"
        IN_PERSON = "in_person", "In person"
        BLENDED = "blended"

    code = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    duration_minutes = models.PositiveIntegerField()
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    skills = models.ManyToManyField(Skill, blank=True, related_name="learning_items")
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks")
    description = models.TextField(blank=True)
    xapi_activity_id = models.CharField(max_length=500, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, blank=True)
    active = models.BooleanField(default=True)
    mandatory = models.BooleanField(default=False)
    recertify_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="item_cost_non_negative"),
            models.UniqueConstraint(
                fields=["xapi_activity_id"], condition=~Q(xapi_activity_id=""),
                name="item_xapi_activity_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Metric(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=50, blank=True)
    higher_is_better = models.BooleanField(default=True)
    weight = models.FloatField(default=0)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="metric_weight_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name

"""The roster: sites, teams, employees (agents, leads and other staff), their history."""

from django.db import models
from django.db.models import Q


class Site(models.Model):
    name = models.CharField(max_length=200, unique=True)
    # Works-council setting: hide individual risk and performance views at this site.
    hide_individual_views = models.BooleanField(default=False)
    replacement_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="Cost of replacing one leaver; empty = the documented default.")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="teams",
                             null=True, blank=True)
    lead = models.ForeignKey("Employee", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="teams_led")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Employee(models.Model):
    """Anyone on the roster (agents.csv): agents, team leads, QA, trainers…"""

    class WorkArrangement(models.TextChoices):
        ONSITE = "onsite"
        REMOTE = "remote"
        HYBRID = "hybrid"

    class EmploymentType(models.TextChoices):
        FULL_TIME = "full_time", "Full time"
        PART_TIME = "part_time", "Part time"
        OUTSOURCED = "outsourced"
        GIG = "gig"

    class Status(models.TextChoices):
        ACTIVE = "active"
        LEFT = "left"

    employee_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="members")
    role = models.ForeignKey("Role", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")
    goal_role = models.ForeignKey("Role", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    hire_date = models.DateField()
    work_arrangement = models.CharField(max_length=10, choices=WorkArrangement.choices)
    employment_type = models.CharField(max_length=12, choices=EmploymentType.choices)
    hourly_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["team", "status"], name="employee_team_status")]
        constraints = [
            models.CheckConstraint(condition=Q(hourly_cost__gte=0) | Q(hourly_cost=None),
                                   name="employee_hourly_cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_id})"


class RoleHistory(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="role_history")
    from_date = models.DateField()
    role = models.ForeignKey("Role", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+")

    class Meta:
        ordering = ["employee", "from_date"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "from_date"],
                                    name="rolehistory_natural_key"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} from {self.from_date}"


class Separation(models.Model):
    class Reason(models.TextChoices):
        VOLUNTARY = "voluntary"
        INVOLUNTARY = "involuntary"

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="separations")
    separation_date = models.DateField()
    reason = models.CharField(max_length=12, choices=Reason.choices)

    class Meta:
        ordering = ["employee", "separation_date"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "separation_date"],
                                    name="separation_natural_key"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} left {self.separation_date}"

"""Forms validate and render; writes go through lnd.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from lnd.models import (
    CareerPath,
    CoachingSession,
    Employee,
    LearningItem,
    Role,
    Site,
    Skill,
    Team,
)
from lnd.services.pilots import MAX_HIRED_WITHIN_MONTHS


class DateInput(forms.DateInput):
    input_type = "date"


class SessionForm(forms.ModelForm):
    class Meta:
        model = CoachingSession
        fields = ["held_on", "focus_skill", "target_metric", "item", "agenda", "notes",
                  "agreed_actions", "follow_up_date"]
        widgets = {"held_on": DateInput(), "follow_up_date": DateInput(),
                   "agenda": forms.Textarea(attrs={"rows": 3}),
                   "notes": forms.Textarea(attrs={"rows": 4}),
                   "agreed_actions": forms.Textarea(attrs={"rows": 3})}
        labels = {"item": "Coaching topic", "held_on": "Held on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = LearningItem.objects.filter(
            kind=LearningItem.Kind.COACHING, active=True)
        self.fields["held_on"].initial = timezone.localdate()


class AssignForm(forms.Form):
    item = forms.ModelChoiceField(LearningItem.objects.filter(active=True), label="Learning item")
    due_date = forms.DateField(required=False, widget=DateInput(), label="Due date")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason")


class SkillForm(forms.ModelForm):
    class Meta:
        model = Skill
        fields = ["code", "name", "category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RoleForm(forms.ModelForm):
    class Meta:
        model = Role
        fields = ["code", "name", "family", "level"]


class RequirementForm(forms.Form):
    skill = forms.ModelChoiceField(Skill.objects.all(), label="Skill")
    min_level = forms.IntegerField(min_value=1, max_value=5, label="Minimum level (1–5)")


class CareerPathForm(forms.ModelForm):
    class Meta:
        model = CareerPath
        fields = ["code", "name"]


class StepForm(forms.Form):
    role = forms.ModelChoiceField(Role.objects.all(), to_field_name="code", label="Role to add",
                                  empty_label="— choose a role —")


class LearningItemForm(forms.ModelForm):
    class Meta:
        model = LearningItem
        fields = ["code", "title", "kind", "duration_minutes", "cost", "delivery", "skills",
                  "prerequisites", "description", "xapi_activity_id", "active", "mandatory",
                  "recertify_months"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"xapi_activity_id": "xAPI activity id (IRI)",
                  "recertify_months": "Recertify every (months)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["prerequisites"].queryset = LearningItem.objects.exclude(
                pk=self.instance.pk)


class MetricWeightForm(forms.Form):
    weight = forms.FloatField(min_value=0, label="Weight")


class UploadForm(forms.Form):
    file = forms.FileField(label="Import file (.zip of CSV files)")
    dry_run = forms.BooleanField(required=False, label="Check only (dry run)")




class PilotForm(forms.Form):
    """A randomised pilot: the item, who is eligible, when it starts. Half of the
    eligible agents (chosen by the seed) get the item assigned; the other half wait."""

    name = forms.CharField(max_length=200, label="Pilot name")
    item = forms.ModelChoiceField(
        LearningItem.objects.filter(active=True, mandatory=False).order_by("title"),
        label="Learning item to test",
        help_text="Mandatory items are left out: everyone must take them, so there is no "
                  "control group.")
    team = forms.ModelChoiceField(Team.objects.order_by("name"), required=False,
                                  label="Only this team", empty_label="any team")
    site = forms.ModelChoiceField(Site.objects.order_by("name"), required=False,
                                  label="Only this site", empty_label="any site")
    work_arrangement = forms.ChoiceField(
        choices=[("", "any arrangement"), *Employee.WorkArrangement.choices], required=False,
        label="Work arrangement")
    employment_type = forms.ChoiceField(
        choices=[("", "any employment type"), *Employee.EmploymentType.choices],
        required=False, label="Employment type")
    hired_within_months = forms.IntegerField(
        min_value=1, max_value=MAX_HIRED_WITHIN_MONTHS, required=False,
        label="Hired in the last (months)",
        help_text="Empty = any tenure.")
    start_date = forms.DateField(widget=DateInput(), label="Start date",
                                 help_text="Today or later, within a year. Outcomes are "
                                           "compared from this week on.")
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False,
                              label="Random seed",
                              help_text="Empty = a new random number; it is recorded so the "
                                        "split can be reproduced.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = timezone.localdate()

    def criteria(self) -> dict:
        """The keywords of lnd.services.pilots.pilot_create: one team or site here is a
        list of one there."""
        data = self.cleaned_data
        return {"teams": [data["team"].code] if data["team"] else [],
                "sites": [data["site"].name] if data["site"] else [],
                **{k: data[k] for k in ("work_arrangement", "employment_type",
                                        "hired_within_months")}}

    def add_service_errors(self, error: ValidationError) -> None:
        """Show the service's field errors on this form's fields; the rest on top."""
        fields = {"teams": "team", "sites": "site"}
        for key, messages in error.message_dict.items():
            field = fields.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

"""Forms validate and render; writes go through lnd.services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from lnd.models import (
    CareerPath,
    CoachingSession,
    LearningItem,
    Role,
    Skill,
)


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



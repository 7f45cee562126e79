"""Catalogue: read for every person using the product; write for L&D and admin, through
lnd.services.catalogue (which checks the author and writes the ChangeLog)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lnd.api import serializers as s
from lnd.api.permissions import PEOPLE, STAFF, roles
from lnd.models import CareerPath, LearningItem, Metric, Role, RoleRequirement, Skill
from lnd.services import catalogue

CataloguePermission = roles(*PEOPLE, write=STAFF)


class _CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    permission_classes = [CataloguePermission]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    input_class = None
    update_class = None

    def _valid(self, serializer_class, instance=None, partial=False) -> dict:
        serializer = serializer_class(instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _out(self, obj, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(obj).data, status=code)


@extend_schema(tags=["catalogue"])
class SkillViewSet(_CatalogueViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                   mixins.DestroyModelMixin):
    queryset = Skill.objects.all()
    serializer_class = s.SkillOut
    filterset_fields = ["category"]
    ordering_fields = ["code", "name", "category"]

    def get_serializer_class(self):
        return {"create": s.SkillIn, "update": s.SkillUpdateIn,
                "partial_update": s.SkillUpdateIn}.get(self.action, s.SkillOut)

    @extend_schema(responses={201: s.SkillOut})
    def create(self, request, *args, **kwargs):
        data = self._valid(s.SkillIn)
        return Response(s.SkillOut(catalogue.skill_create(by_user=request.user, **data)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.SkillOut})
    def update(self, request, *args, **kwargs):
        skill = self.get_object()
        data = self._valid(s.SkillUpdateIn, skill, partial=kwargs.get("partial", False))
        return Response(s.SkillOut(catalogue.skill_update(
            by_user=request.user, skill=skill, **data)).data)

    def perform_destroy(self, instance):
        catalogue.skill_delete(by_user=self.request.user, skill=instance)


@extend_schema(tags=["catalogue"])
class RoleViewSet(_CatalogueViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                  mixins.DestroyModelMixin):
    queryset = Role.objects.prefetch_related("requirements__skill")
    serializer_class = s.RoleOut
    filterset_fields = ["family", "level"]
    ordering_fields = ["code", "name", "family", "level"]

    def get_serializer_class(self):
        return {"create": s.RoleIn, "update": s.RoleUpdateIn,
                "partial_update": s.RoleUpdateIn,
                "requirement": s.RequirementIn}.get(self.action, s.RoleOut)

    @extend_schema(responses={201: s.RoleOut})
    def create(self, request, *args, **kwargs):
        data = self._valid(s.RoleIn)
        return Response(s.RoleOut(catalogue.role_create(by_user=request.user, **data)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.RoleOut})
    def update(self, request, *args, **kwargs):
        role = self.get_object()
        data = self._valid(s.RoleUpdateIn, role, partial=kwargs.get("partial", False))
        return Response(s.RoleOut(catalogue.role_update(
            by_user=request.user, role=role, **data)).data)

    def perform_destroy(self, instance):
        catalogue.role_delete(by_user=self.request.user, role=instance)

    @extend_schema(request=s.RequirementIn, responses={200: s.RoleOut, 204: None})
    @action(detail=True, methods=["put", "delete"],
            url_path=r"requirements/(?P<skill_code>[^/]+)", url_name="requirement")
    def requirement(self, request, code=None, skill_code=None):
        role = self.get_object()
        skill = get_object_or_404(Skill, code=skill_code)
        if request.method == "DELETE":
            requirement = get_object_or_404(RoleRequirement, role=role, skill=skill)
            catalogue.role_requirement_delete(by_user=request.user, requirement=requirement)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = self._valid(s.RequirementIn)
        catalogue.role_requirement_set(by_user=request.user, role=role, skill=skill,
                                       min_level=data["min_level"])
        return Response(s.RoleOut(self.get_queryset().get(pk=role.pk)).data)


@extend_schema(tags=["catalogue"])
class CareerPathViewSet(_CatalogueViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                        mixins.DestroyModelMixin):
    queryset = CareerPath.objects.prefetch_related("steps__role").order_by("name")
    serializer_class = s.CareerPathOut
    ordering_fields = ["code", "name"]

    def get_serializer_class(self):
        return {"create": s.CareerPathIn, "update": s.CareerPathUpdateIn,
                "partial_update": s.CareerPathUpdateIn}.get(self.action, s.CareerPathOut)

    @extend_schema(responses={201: s.CareerPathOut})
    def create(self, request, *args, **kwargs):
        data = self._valid(s.CareerPathIn)
        role_codes = data.pop("role_codes", [])
        path = catalogue.career_path_create(by_user=request.user, **data)
        if role_codes:
            catalogue.career_path_set_steps(by_user=request.user, path=path,
                                            role_codes=role_codes)
        return Response(s.CareerPathOut(self.get_queryset().get(pk=path.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.CareerPathOut})
    def update(self, request, *args, **kwargs):
        path = self.get_object()
        data = self._valid(s.CareerPathUpdateIn, partial=kwargs.get("partial", False))
        role_codes = data.pop("role_codes", None)
        if data:
            catalogue.career_path_update(by_user=request.user, path=path, **data)
        if role_codes is not None:
            catalogue.career_path_set_steps(by_user=request.user, path=path,
                                            role_codes=role_codes)
        return Response(s.CareerPathOut(self.get_queryset().get(pk=path.pk)).data)

    def perform_destroy(self, instance):
        catalogue.career_path_delete(by_user=self.request.user, path=instance)


@extend_schema(tags=["catalogue"])
class LearningItemViewSet(_CatalogueViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                          mixins.DestroyModelMixin):
    queryset = LearningItem.objects.prefetch_related("skills", "prerequisites")
    serializer_class = s.LearningItemOut
    filterset_fields = ["kind", "active", "mandatory", "delivery"]
    ordering_fields = ["code", "title", "duration_minutes", "cost"]

    def get_serializer_class(self):
        writing = self.action in ("create", "update", "partial_update")
        return s.LearningItemIn if writing else s.LearningItemOut

    @extend_schema(responses={201: s.LearningItemOut})
    def create(self, request, *args, **kwargs):
        data = self._valid(s.LearningItemIn)
        item = catalogue.learning_item_create(by_user=request.user, **data)
        return Response(s.LearningItemOut(self.get_queryset().get(pk=item.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.LearningItemOut})
    def update(self, request, *args, **kwargs):
        item = self.get_object()
        data = self._valid(s.LearningItemIn, item, partial=kwargs.get("partial", False))
        catalogue.learning_item_update(by_user=request.user, item=item, **data)
        return Response(s.LearningItemOut(self.get_queryset().get(pk=item.pk)).data)

    def perform_destroy(self, instance):
        catalogue.learning_item_delete(by_user=self.request.user, item=instance)


@extend_schema(tags=["catalogue"])
class MetricViewSet(_CatalogueViewSet):
    queryset = Metric.objects.all()
    serializer_class = s.MetricOut
    ordering_fields = ["code", "weight"]

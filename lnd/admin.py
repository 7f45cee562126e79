"""Admin for every model, usable on tables of millions of rows: raw id fields for every
foreign key, no full-table counts, and an estimated count on PostgreSQL."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.paginator import Paginator
from django.db import connection, models
from django.utils.functional import cached_property

from lnd.models import User


class EstimatedCountPaginator(Paginator):
    """An unfiltered PostgreSQL table is counted from the planner's estimate."""

    @cached_property
    def count(self) -> int:
        query = self.object_list.query
        if connection.vendor == "postgresql" and not query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                               [self.object_list.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] > 100_000:
                return int(row[0])
        return super().count


class BigTableAdmin(admin.ModelAdmin):
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50

    def __init__(self, model, admin_site):
        fields = model._meta.get_fields()
        self.raw_id_fields = [f.name for f in fields
                              if isinstance(f, models.ForeignKey | models.OneToOneField)]
        self.list_display = ["__str__", *[
            f.name for f in fields
            if f.concrete and not f.is_relation and f.name != "id"
            and not isinstance(f, models.TextField | models.JSONField)][:6]]
        super().__init__(model, admin_site)


@admin.register(User)
class LndUserAdmin(UserAdmin):
    raw_id_fields = ["employee"]
    list_display = ["username", "role", "employee", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*UserAdmin.fieldsets, ("Product role", {"fields": ("role", "employee")}))


for model in apps.get_app_config("lnd").get_models():
    if model is not User:
        admin.site.register(model, BigTableAdmin)

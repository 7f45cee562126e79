from django.contrib import admin
from django.urls import include, path

from lnd.health import health

urlpatterns = [
    path("", include("lnd.views.urls")),
    path("api/", include("lnd.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]

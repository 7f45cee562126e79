from django.contrib import admin
from django.urls import include, path

from lnd.views import portal

urlpatterns = [
    path("", portal.home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

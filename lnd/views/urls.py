"""Portal routes."""

from django.urls import path

from lnd.views import portal

urlpatterns = [
    path("", portal.home, name="home"),
]

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from keyworker.api.api import api
from keyworker.core.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="diary:my_week", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("keyworker.diary.urls")),
    path("", include("keyworker.casework.urls")),
    path("", include("keyworker.people.urls")),
]

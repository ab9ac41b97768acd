from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView

from keyworker.api.api import api
from keyworker.bench.views import bench_patterns
from keyworker.core.views import healthz, notifications

# The admin signs in through the same allauth page as everyone else (its rate limits, later its MFA),
# never through Django admin's own unthrottled form.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="diary:my_week", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("notifications/", include(([path("", notifications, name="notifications")], "core"))),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("audit/", include("keyworker.audit.urls")),
    path("staff/", include("keyworker.accounts.urls")),
    path("", include("keyworker.safeguarding.urls")),
    path("", include("keyworker.outcomes.urls")),
    path("", include("keyworker.intake.urls")),
    path("", include("keyworker.funding.urls")),
    path("", include("keyworker.custody.urls")),
    path("", include("keyworker.services.urls")),
    path("", include("keyworker.diary.urls")),
    path("", include("keyworker.casework.urls")),
    path("", include("keyworker.people.urls")),
    path("data-protection/", include("keyworker.privacy.urls")),
]
# /bench/floor only when KEYWORKER_BENCH=1 (docs/decisions/0031).
urlpatterns += bench_patterns()

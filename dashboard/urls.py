from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from dashboard import health, metrics

urlpatterns = [
    path("", include("apps.ui.urls")),
    path("", include("apps.batch.urls")),
    path("omics/", include("apps.omics.urls")),
    path("account/", include("apps.accounts.urls")),
    path("actions/", include("apps.actions.urls")),
    path("audit/", include("apps.audit.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("apps.batch.urls")),
    path("omics/", include("apps.omics.urls")),
    path("admin/", admin.site.urls),
]

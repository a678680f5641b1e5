from __future__ import annotations

from django.urls import path

from apps.omics import views

app_name = "omics"
urlpatterns = [
    path("", views.run_group_list, name="run-group-list"),
    path("environments/", views.environment_list, name="environment-list"),
    path("run-groups/<cloud_id:run_group_id>/", views.run_group_detail, name="run-group-detail"),
    path("runs/<cloud_id:run_uuid>/", views.run_detail, name="run-detail"),
]

from __future__ import annotations

from django.urls import path

from apps.batch import views

app_name = "batch"
urlpatterns = [
    path("envs/", views.env_list, name="env-list"),
    path("envs/<cloud_id:env_id>/", views.env_detail, name="env-detail"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<cloud_id:job_id>/", views.job_detail, name="job-detail"),
    path(
        "jobs/<cloud_id:job_id>/<cloud_id:task>/<int:index>/",
        views.instance_detail,
        name="instance-detail",
    ),
]

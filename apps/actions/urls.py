from __future__ import annotations

from django.urls import path

from apps.actions import views

app_name = "actions"
urlpatterns = [
    path("", views.operation_list, name="operation-list"),
    path("<int:operation_id>/", views.operation_detail, name="operation-detail"),
    path("<int:operation_id>/cancel/", views.operation_cancel_view, name="operation-cancel"),
    path("<slug:key>/confirm/", views.action_confirm, name="confirm"),
    path("<slug:key>/run/", views.action_run, name="run"),
]

from __future__ import annotations

from django.urls import path

from apps.ui import views

app_name = "ui"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("search/", views.search, name="search"),
]

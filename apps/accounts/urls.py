from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import path

from apps.accounts import preferences_views, views
from apps.accounts.signin import SignInView

urlpatterns = [
    path("sign-in/", SignInView.as_view(), name="login"),
    path("sign-out/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("preferences/", preferences_views.preferences, name="preferences"),
    path("language/", preferences_views.set_language, name="set-language"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:team_id>/", views.team_detail, name="team-detail"),
    path("teams/<int:team_id>/members/", views.member_set, name="member-set"),
    path(
        "teams/<int:team_id>/members/<int:user_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path("teams/<int:team_id>/accounts/", views.account_save, name="account-create"),
    path(
        "teams/<int:team_id>/accounts/<int:account_id>/", views.account_save, name="account-change"
    ),
]

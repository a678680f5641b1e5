from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import path

from apps.accounts.forms import SignInForm

urlpatterns = [
    path("sign-in/", auth.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("sign-out/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

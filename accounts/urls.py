from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.auth import views as auth

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/verify/", auth.login_verify, name="login-verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", auth.profile, name="profile"),
    path("profile/password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("profile/mfa/setup/", auth.mfa_setup, name="mfa-setup"),
    path("profile/mfa/recovery-codes/", auth.recovery_codes, name="mfa-recovery-codes"),
    path("profile/mfa/disable/", auth.mfa_disable, name="mfa-disable"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organizations/<uuid:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<uuid:pk>/require-mfa/", views.organization_require_mfa, name="organization-require-mfa"),
    path(
        "organizations/<uuid:pk>/members/<uuid:user_pk>/unlock/", views.member_unlock, name="organization-member-unlock"
    ),
]

from django.urls import path

from civitas.accounts import views
from civitas.accounts.oidc import views as eid

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm-email/<str:token>/", views.verify_email, name="verify_email"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<str:token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/recovery-codes/", views.mfa_codes, name="mfa_codes"),
    path("two-factor/recovery-codes/new/", views.mfa_new_codes, name="mfa_new_codes"),
    path("two-factor/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/recovery/", views.mfa_recovery, name="mfa_recovery"),
    path("two-factor/turn-off/", views.mfa_turn_off, name="mfa_turn_off"),
    path("session/", views.session, name="session"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("eid/start/", eid.start, name="eid_start"),
    path("eid/callback/", eid.callback, name="eid_callback"),
]

"""Account pages: sign up, sign in and out, confirm an address, reset a password, the second
factor (authenticator app and recovery codes), the account page and the session page.

Every page works without JavaScript. Pages that could tell whether an address has an account
(sign-up, password reset) answer the same either way.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civitas.accounts import selectors, services, tokens, totp
from civitas.accounts.forms import (
    CodeForm,
    EmailForm,
    NewPasswordForm,
    RecoveryCodeForm,
    SignInForm,
    SignUpForm,
)
from civitas.accounts.oidc.config import provider as eid_provider
from civitas.accounts.oidc.http import OIDCError
from civitas.accounts.sessions import (
    forget_pending_secret,
    keep_new_codes,
    keep_pending_secret,
    mark_second_factor,
    pending_secret,
    second_factor,
    take_new_codes,
)

# A harmless marker that this browser had a session, so the sign-in page can say why it is shown
# again after the idle time-out. It holds no identifier.
SIGNED_IN_COOKIE = "civitas_was_signed_in"
RESET_SESSION_KEY = "civitas.reset_token"
SIGN_UP_EMAIL_KEY = "civitas.sign_up_email"
# the address segment once the token has moved into the session
TOKEN_IN_SESSION = "set-password"  # noqa: S105 - not a secret


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _safe_next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def after_first_factor(request, user, next_url: str) -> HttpResponseRedirect:
    """Where a person goes once signed in with the first factor: the second factor when needed."""
    if selectors.mfa_required(user) and not second_factor(request):
        target = (
            "accounts:mfa_verify" if selectors.has_authenticator(user) else "accounts:mfa_setup"
        )
        response = redirect(_with_next(target, next_url))
    else:
        if not second_factor(request):
            mark_second_factor(request, "none")
        response = redirect(next_url)
    response.set_cookie(
        SIGNED_IN_COOKIE,
        "1",
        max_age=30 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


# --- signing in and out ---------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["site_name"] = settings.CIVITAS_SITE_NAME  # not the host name Django puts here
        context["eid"] = eid_provider_or_none()
        context["timed_out"] = (
            self.request.method == "GET"
            and bool(self.request.COOKIES.get(SIGNED_IN_COOKIE))
            and bool(self.request.GET.get("next"))
        )
        return context

    def form_valid(self, form):
        user = form.get_user()
        if user.email_verified_at is None:
            services.resend_verification(user=user, base_url=_base_url(self.request))
            self.request.session[SIGN_UP_EMAIL_KEY] = user.email
            return redirect("accounts:check_email")
        super().form_valid(form)  # signs in (new session key)
        services.record_sign_in(user=user, method="password")
        if user.preferred_language != get_language():
            services.set_language(user=user, language=get_language())
        return after_first_factor(self.request, user, self.get_success_url())


def eid_provider_or_none():
    try:
        return eid_provider()
    except OIDCError:  # a misconfigured eID must not take the password sign-in down with it
        return None


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(SIGNED_IN_COOKIE)
        return response


# --- signing up and confirming the address --------------------------------------------------------


def sign_up(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.sign_up(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            full_name=form.cleaned_data["full_name"],
            language=get_language(),
            base_url=_base_url(request),
        )
        request.session[SIGN_UP_EMAIL_KEY] = form.cleaned_data["email"]
        return redirect("accounts:check_email")
    return render(request, "accounts/sign_up.html", {"form": form, "eid": eid_provider_or_none()})


def check_email(request):
    return render(
        request, "accounts/check_email.html", {"email": request.session.get(SIGN_UP_EMAIL_KEY, "")}
    )


def verify_email(request, token: str):
    """The link from the email shows a button; the address is confirmed when it is pressed, so
    mail scanners that open links do not confirm anything."""
    if tokens.read_token(tokens.VERIFY_EMAIL, token) is None:
        return render(request, "accounts/link_invalid.html", {"kind": "verify"}, status=400)
    if request.method == "POST":
        user = services.verify_email(token=token)
        if user is None:
            return render(request, "accounts/link_invalid.html", {"kind": "verify"}, status=400)
        request.session.pop(SIGN_UP_EMAIL_KEY, None)
        messages.success(request, _("Your email address is confirmed. You can now sign in."))
        return redirect(
            "accounts:login" if not request.user.is_authenticated else "accounts:account"
        )
    return render(request, "accounts/verify_email.html")


# --- password reset -------------------------------------------------------------------------------


def password_reset(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(
            email=form.cleaned_data["email"], base_url=_base_url(request)
        )
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html")


def password_reset_confirm(request, token: str):
    """The token moves from the address into the session at once, so it never appears in a
    Referer header or the browser history of the form page."""
    if token != TOKEN_IN_SESSION:
        request.session[RESET_SESSION_KEY] = token
        return redirect("accounts:password_reset_confirm", TOKEN_IN_SESSION)
    saved = request.session.get(RESET_SESSION_KEY, "")
    user = tokens.read_token(tokens.RESET_PASSWORD, saved) if saved else None
    if user is None:
        return render(request, "accounts/link_invalid.html", {"kind": "reset"}, status=400)
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.reset_password(user=user, password=form.cleaned_data["password"])
        request.session.pop(RESET_SESSION_KEY, None)
        messages.success(
            request, _("Your password has been changed. Sign in with your new password.")
        )
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


# --- second factor --------------------------------------------------------------------------------


@login_required
def mfa_setup(request):
    next_url = _safe_next(request)
    if selectors.has_authenticator(request.user):
        forget_pending_secret(request)  # set up meanwhile (another session): nothing to confirm
        return redirect(_with_next("accounts:mfa_verify", next_url))
    # the key stays the same while this session sets up (the person may reload the page after
    # adding it to their app); a new sign-in starts again with a new key
    secret = pending_secret(request)
    if not secret:
        secret = totp.new_secret()
        keep_pending_secret(request, secret)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.enrol_totp(
                user=request.user, secret=secret, code=form.cleaned_data["code"]
            )
        except services.AccountError as exc:
            form.add_error("code", str(exc))
        else:
            forget_pending_secret(request)
            mark_second_factor(request, "totp")
            keep_new_codes(request, codes)
            return redirect(_with_next("accounts:mfa_codes", next_url))
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "next": next_url,
            "secret": totp.grouped(secret),
            "uri": totp.provisioning_uri(
                secret, account=request.user.email, issuer=settings.CIVITAS_SITE_NAME
            ),
            "required": request.user.is_staff,
        },
    )


@login_required
def mfa_codes(request):
    codes = take_new_codes(request)  # removed from the session as it is read: shown once
    if not codes:
        return redirect("accounts:account")
    return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _safe_next(request)})


def _second_factor_page(request, *, recovery: bool):
    if not request.user.is_authenticated:
        return redirect(_with_next(settings.LOGIN_URL, request.get_full_path()))
    next_url = _safe_next(request)
    if not selectors.has_authenticator(request.user):
        return redirect(_with_next("accounts:mfa_setup", next_url))
    if second_factor(request) in {"totp", "recovery_code"}:
        return redirect(next_url)
    form = (RecoveryCodeForm if recovery else CodeForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = services.verify_second_factor(
                user=request.user, code=form.cleaned_data["code"], recovery=recovery
            )
        except services.CodeRefused as exc:
            form.add_error("code", str(exc))
        else:
            mark_second_factor(request, method)
            return redirect(next_url)
    template = "accounts/mfa_recovery.html" if recovery else "accounts/mfa_verify.html"
    return render(request, template, {"form": form, "next": next_url})


def mfa_verify(request):
    return _second_factor_page(request, recovery=False)


def mfa_recovery(request):
    return _second_factor_page(request, recovery=True)


@login_required
@require_POST
def mfa_new_codes(request):
    try:
        codes = services.regenerate_recovery_codes(user=request.user)
    except services.AccountError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:account")
    keep_new_codes(request, codes)
    return redirect("accounts:mfa_codes")


@login_required
def mfa_turn_off(request):
    if request.user.is_staff or not selectors.has_authenticator(request.user):
        raise Http404("Nothing to turn off")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify_second_factor(user=request.user, code=form.cleaned_data["code"])
            services.disable_totp(user=request.user, actor=request.user)
        except services.AccountError as exc:
            form.add_error("code", str(exc))
        else:
            mark_second_factor(request, "none")
            messages.success(request, _("Your authenticator app is turned off."))
            return redirect("accounts:account")
    return render(request, "accounts/mfa_turn_off.html", {"form": form})


# --- account and session --------------------------------------------------------------------------


@login_required
def account(request):
    return render(
        request,
        "accounts/account.html",
        {"security": selectors.security_of(request.user), "eid": eid_provider_or_none()},
    )


def session(request):
    """Visiting this page is enough to extend the session (each request does): the page without
    JavaScript behind the "Stay signed in" link."""
    return render(
        request,
        "accounts/session.html",
        {"next": _safe_next(request), "minutes": settings.SESSION_COOKIE_AGE // 60},
    )


@require_POST
def session_extend(request):
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "signed_in": request.user.is_authenticated,
                "expires_in": settings.SESSION_COOKIE_AGE,
            }
        )
    return redirect(_safe_next(request))

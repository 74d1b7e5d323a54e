"""Signing in and out, one's own account (password, two-factor sign-in), and choosing a language,
remembered per person as well as per browser. The sign-in policy itself is in tracker.signin,
two-factor sign-in in tracker.two_factor."""
from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tracker import calendar_feed, two_factor
from tracker.models import Profile

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
logger = logging.getLogger("tracker.signin")


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect back), and the choice kept on the person's profile."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


def next_url(request: HttpRequest) -> str:
    """Where to go once done: the `next` asked for, if it is ours, else the dashboard."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: anything else (another host, or a word that `redirect` would take
    # for a view's name) goes to the dashboard.
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(url: str, next_to: str) -> str:
    return f"{url}?{urlencode({'next': next_to})}"


class LoginView(auth_views.LoginView):
    """Opens in the language the person chose last, whichever browser they sign in from; asks for
    the two-factor code (or its setup) next when the person needs it."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        # A `next` pointing back at this page would loop: go to the dashboard instead.
        url = super().get_success_url()
        url = resolve_url(settings.LOGIN_REDIRECT_URL) if url == self.request.path else url
        step = two_factor.step_needed(self.request.user)
        return with_next(reverse(step), url) if step else url

    def form_valid(self, form):
        response = super().form_valid(form)
        language = Profile.objects.filter(user=form.get_user()).values_list("language", flat=True).first()
        if language:
            translation.activate(language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


def account(request: HttpRequest) -> HttpResponse:
    """One's own account: password, two-factor sign-in, and one's calendar feed, turned on (or
    given a new address) and off by a POST of `calendar` (its card reads the feed itself)."""
    user = request.user
    if request.method == "POST":
        action = request.POST.get("calendar", "")
        if action == "renew":
            had_one = calendar_feed.calendar_feed_of(user) is not None
            calendar_feed.calendar_feed_renew(user=user)
            messages.success(request, _("Your calendar feed has a new address; the old one no longer works.") if had_one else _("Your calendar feed is on."))
        elif action == "revoke":
            calendar_feed.calendar_feed_revoke(user=user)
            messages.success(request, _("Your calendar feed is off; its address no longer works."))
        return redirect(reverse("account") + "#calendar")
    return render(request, "registration/account.html", {
        "authenticator": two_factor.authenticator_of(user),
        "backup_codes_left": two_factor.backup_codes_left(user),
        "two_factor_required": settings.TWO_FACTOR_REQUIRED and two_factor.role_requires(user),
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in, ends the others
        logger.info("password changed user=%r", self.request.user.get_username())
        messages.success(self.request, _("Your password was changed."))
        return response


class LocalisedPasswordResetForm(PasswordResetForm):
    """The reset e-mail in the language its recipient chose, not the requester's browser's."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        from tracker.notifications import language_of

        with translation.override(language_of(context["user"])):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an e-mail address and answers the same whether an account has it or not."""

    form_class = LocalisedPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        logger.info("password reset user=%r", form.user.get_username())
        return response


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}),
    )


def too_many_codes(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.", seconds,
    ) % {"seconds": seconds}


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a backup code."""
    step = two_factor.step_needed(request.user)
    if step != two_factor.VERIFY:
        return redirect(with_next(reverse(step), next_url(request)) if step else next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted, wait = two_factor.verify(request, form.cleaned_data["code"])
        if accepted:
            return redirect(next_url(request))
        if wait:
            form.add_error("code", too_many_codes(wait))
        else:
            form.add_error("code", _("That code is not right. Type the 6 digits your authenticator app shows now, or one of your backup codes."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url(request)})


def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if two_factor.authenticator_of(user) is not None and not user.is_verified():
        # Replacing an authenticator needs the current one first: a password alone must not do.
        return redirect(with_next(reverse(two_factor.VERIFY), request.get_full_path()))
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed, wait = two_factor.confirm(request, device, form.cleaned_data["code"])
        if confirmed:
            return redirect(with_next(reverse("two-factor-backup-codes"), next_url(request)))
        if wait:
            form.add_error("code", too_many_codes(wait))
        else:
            form.add_error("code", _("That code is not right. Check that the app shows this account, and type the 6 digits it shows now."))
    return render(request, "registration/two_factor_enrol.html", {
        "form": form, "next": next_url(request), "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_of(device), "required": settings.TWO_FACTOR_REQUIRED and two_factor.role_requires(user),
        "replacing": two_factor.authenticator_of(user) is not None,
    })


def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes, shown once: after setting up an authenticator, or when asked for."""
    user = request.user
    if two_factor.authenticator_of(user) is None:
        return redirect(with_next(reverse(two_factor.ENROL), next_url(request)))
    if request.method == "POST":
        request.session[two_factor.NEW_BACKUP_CODES] = two_factor.new_backup_codes(user)
        logger.info("two-factor backup codes renewed user=%r", user.get_username())
        return redirect(with_next(request.path, next_url(request)))
    return render(request, "registration/two_factor_backup_codes.html", {
        "codes": request.session.pop(two_factor.NEW_BACKUP_CODES, None),
        "left": two_factor.backup_codes_left(user), "next": next_url(request),
    })

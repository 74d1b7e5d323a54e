"""Signing in and choosing a language, remembered per person as well as per browser."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tracker.models import Profile

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie, redirect back), and the choice kept on the person's profile."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in LANGUAGE_CODES:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


class LoginView(auth_views.LoginView):
    """Opens in the language the person chose last, whichever browser they sign in from."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        # A `next` pointing back at this page would loop: go to the dashboard instead.
        url = super().get_success_url()
        return resolve_url(settings.LOGIN_REDIRECT_URL) if url == self.request.path else url

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

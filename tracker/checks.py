"""Deployment checks of our own, run by `manage.py check --deploy` next to Django's.

They catch settings that start fine but fail people later: e-mail printed to a console no one
reads (password resets and reminders never arrive), links in e-mail to a development address.
"""
from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    if not getattr(settings, "PRODUCTION", False):
        warnings.append(Warning(
            "DJANGO_ENV is not 'production'.",
            hint="Set DJANGO_ENV=production in the environment of every process of a deployment "
            "(app servers, worker, manage.py): the development .env is then never read.",
            id="tracker.W001",
        ))
    if settings.MAILERS["default"]["BACKEND"].endswith("console.EmailBackend"):
        warnings.append(Warning(
            "No SMTP server: e-mail (password resets, reminders, sign-in notices) is printed to the console.",
            hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).",
            id="tracker.W002",
        ))
    if not settings.SITE_URL.startswith("https://"):
        warnings.append(Warning(
            f"SITE_URL is {settings.SITE_URL!r}: links in e-mail would not use HTTPS.",
            hint="Set SITE_URL to the address people open, e.g. https://tracker.example.gov.hk.",
            id="tracker.W003",
        ))
    if settings.DEFAULT_FROM_EMAIL.endswith("@localhost"):
        warnings.append(Warning(
            f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL!r}: mail servers refuse or bin such mail.",
            hint="Set DEFAULT_FROM_EMAIL to an address of the department's domain.",
            id="tracker.W004",
        ))
    return warnings

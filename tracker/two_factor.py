"""Two-factor sign-in (django-otp): a code from an authenticator app after the password.

Who must give one: administrators, coordinators and staff (everyone who can change what others
see), when TWO_FACTOR_REQUIRED is on (the default unless DEBUG); and anyone who has set up an
authenticator of their own accord. Someone who must but has none is taken to set one up (a QR code,
and the secret as text for typing in) before anything else. Ten single-use backup codes, shown
once, stand in for a lost phone; an administrator resets a person's two-factor sign-in in the admin
(Two-factor sign-in → authenticator apps → Reset), and they set it up again at their next sign-in.

A session is "verified" once a code was accepted in it (django_otp.login); until then
TwoFactorRequired (tracker.middleware) sends the person to the code step or to enrolment, and the
admin refuses them (tracker.admin_site).
"""
from __future__ import annotations

import base64
import logging

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tracker.models import Role

logger = logging.getLogger("tracker.signin")

VERIFY, ENROL = "two-factor-verify", "two-factor-enrol"
BACKUP_CODE_COUNT = 10
NEW_BACKUP_CODES = "two_factor_new_backup_codes"  # session key: codes to show once


def role_requires(user) -> bool:
    """Administrators, coordinators and staff: the people whose account can change what others see."""
    from tracker.selectors import is_administrator, organisation_ids_of

    if user.is_staff or user.is_superuser:
        return True
    return is_administrator(user) or bool(organisation_ids_of(user, [Role.COORDINATOR]))


def authenticator_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def step_needed(user) -> str | None:
    """What a signed-in person must do before going on: VERIFY, ENROL or nothing."""
    if not user.is_authenticated:
        return None
    # The user just signed in (LoginView) is not yet wrapped by OTPMiddleware: not verified.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    if authenticator_of(user) is not None:
        return VERIFY
    if settings.TWO_FACTOR_REQUIRED and role_requires(user):
        return ENROL
    return None


def is_satisfied(request: HttpRequest) -> bool:
    return step_needed(request.user) is None


def verify(request: HttpRequest, code: str) -> tuple[bool, int | None]:
    """Try a code: six digits against the authenticator, anything else against the backup codes.
    Returns (accepted, seconds to wait) — the wait when too many wrong codes were given (each
    device throttles: 1, 2, 4 … seconds after each wrong code)."""
    user = request.user
    token = "".join(code.split()).lower()
    devices = (
        TOTPDevice.objects.devices_for_user(user, confirmed=True)
        if token.isdigit()
        else StaticDevice.objects.devices_for_user(user, confirmed=True)
    )
    wait = None
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            wait = seconds_until((details or {}).get("locked_until"))
            continue
        accepted = django_otp.verify_token(user, device.persistent_id, token)
        if accepted is not None:
            django_otp.login(request, accepted)
            logger.info("two-factor verified user=%r device=%s", user.get_username(), type(accepted).__name__)
            return True, None
    logger.warning("two-factor failed user=%r%s", user.get_username(), " (throttled)" if wait else "")
    return False, wait


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: the same key on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The QR code as an SVG data: address (the content security policy allows images from data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def confirm(request: HttpRequest, device: TOTPDevice, code: str) -> tuple[bool, int | None]:
    """Confirm a new authenticator with a code from it; it replaces any earlier one, new backup
    codes are made (kept in the session to be shown once) and the session counts as verified.
    Returns (confirmed, seconds to wait) as `verify` does."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return False, seconds_until((details or {}).get("locked_until"))
    token = "".join(code.split())
    if not token.isdigit() or not device.verify_token(token):
        if not token.isdigit():
            device.throttle_increment()
        logger.warning("two-factor setup failed user=%r", request.user.get_username())
        return False, None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_backup_codes(device.user)
    django_otp.login(request, device)
    request.session[NEW_BACKUP_CODES] = codes
    logger.info("two-factor set up user=%r", request.user.get_username())
    return True, None


def seconds_until(moment) -> int:
    return max(1, int((moment - timezone.now()).total_seconds()) + 1) if moment else 1


def new_backup_codes(user) -> list[str]:
    """Replace the person's backup codes with BACKUP_CODE_COUNT new ones, returned to be shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()

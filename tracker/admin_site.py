"""The admin site asks for two-factor sign-in, and shows the sign-in records to administrators only.

Django's admin is installed through `TrackerAdminConfig`, whose site lets in only a session that has
passed two-factor sign-in when the person needs it (tracker.two_factor), and sends people who are
not signed in to the product's own sign-in page (with its password reset and code step) rather
than to the admin's. The records of django-axes (every sign-in, sign-out and failure) and the
authenticator devices of django-otp are shown read-only to administrators, and to no one else: a
staff coordinator sees neither. An administrator resets a person's two-factor sign-in by deleting
their authenticator; the person sets up a new one at their next sign-in.

This module is imported while the app registry is still loading: nothing here may import models at
module level.
"""
from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig

# django-axes has no Chinese catalogue: its labels, marked here, are translated in ours.
AXES_LABELS = [
    gettext_noop("access attempt"), gettext_noop("access attempts"), gettext_noop("access log"),
    gettext_noop("access logs"), gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"), gettext_noop("HTTP Accept"),
    gettext_noop("Path"), gettext_noop("Attempt Time"), gettext_noop("Access lock out"), gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"), gettext_noop("Form Data"), gettext_noop("Meta Data"), gettext_noop("GET Data"),
    gettext_noop("POST Data"),
]


class SignInRecordsConfig(AxesAppConfig):
    verbose_name = _("Sign-in records")


class AuthenticatorsConfig(TOTPConfig):
    verbose_name = _("Two-factor sign-in: authenticator apps")


class BackupCodesConfig(StaticConfig):
    verbose_name = _("Two-factor sign-in: backup codes")


class TrackerAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        from tracker import two_factor

        return super().has_permission(request) and two_factor.is_satisfied(request)

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context=None):
        from django.contrib.auth.views import redirect_to_login

        # One way in: the product's sign-in page, which knows about locks, resets and codes.
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next") or request.get_full_path())
        return super().login(request, extra_context)


class TrackerAdminConfig(AdminConfig):
    default_site = "tracker.admin_site.TrackerAdminSite"

    def ready(self) -> None:
        super().ready()  # every app's admin module is registered by now
        register_sign_in_admins(admin.site)
        register_task_admin(admin.site)


class AdministratorsOnly:
    """Read-only, and only for administrators (not for staff coordinators, whatever their group)."""

    actions = None

    def _is_administrator(self, request: HttpRequest) -> bool:
        from tracker.selectors import is_administrator

        return is_administrator(request.user)

    def has_module_permission(self, request):
        return self._is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return self._is_administrator(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def register_sign_in_admins(site: admin.AdminSite) -> None:
    from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    class SignInAdmin(AdministratorsOnly, AccessLogAdmin):
        list_filter = ["attempt_time", ("logout_time", admin.EmptyFieldListFilter), "path_info"]

    class FailureAdmin(AdministratorsOnly, AccessFailureLogAdmin):
        list_filter = ["attempt_time", "locked_out", "path_info"]

    class AttemptAdmin(AdministratorsOnly, AccessAttemptAdmin):
        # The policy's limits differ per rule (tracker.signin), so no single "locked out" status.
        list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "user_agent"]
        list_filter = ["attempt_time"]

    class AuthenticatorAdmin(AdministratorsOnly, TOTPDeviceAdmin):
        list_display = ["user", "name", "created_at", "last_used_at", "confirmed"]
        actions = ["reset_two_factor"]

        def has_delete_permission(self, request, obj=None):
            return self._is_administrator(request)

        @admin.action(description=_("Reset two-factor sign-in (the person sets it up again at their next sign-in)"))
        def reset_two_factor(self, request, queryset):
            users = [device.user_id for device in queryset]
            TOTPDevice.objects.filter(user_id__in=users).delete()
            StaticDevice.objects.filter(user_id__in=users).delete()
            count = len(set(users))
            self.message_user(request, ngettext(
                "Two-factor sign-in was reset for %(count)d person.", "Two-factor sign-in was reset for %(count)d people.", count
            ) % {"count": count})

    for model, model_admin in [
        (AccessLog, SignInAdmin), (AccessFailureLog, FailureAdmin), (AccessAttempt, AttemptAdmin),
        (TOTPDevice, AuthenticatorAdmin),
    ]:
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
    # Backup codes are the owner's alone: an administrator resets them with the authenticator.
    if site.is_registered(StaticDevice):
        site.unregister(StaticDevice)


def register_task_admin(site: admin.AdminSite) -> None:
    """Background tasks (django-tasks-db): their results and failures, with tracebacks, for
    administrators only; read-only, as the package made them."""
    from django_tasks_db.admin import DBTaskResultAdmin
    from django_tasks_db.models import DBTaskResult

    class TaskResultAdmin(AdministratorsOnly, DBTaskResultAdmin):
        pass

    if site.is_registered(DBTaskResult):
        site.unregister(DBTaskResult)
    site.register(DBTaskResult, TaskResultAdmin)

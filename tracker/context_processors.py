"""What the navigation needs on every page: which sections the user has, and the review count."""
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tracker import access, selectors
from tracker.models import ProgressUpdate, Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build() -> dict:
        roles = set(user.memberships.values_list("role", flat=True))
        reviewer = access.may(user, "review", ProgressUpdate)
        return {
            "is_official": Role.OFFICIAL in roles,
            "is_reviewer": reviewer,
            "review_count": selectors.review_count(user) if reviewer else 0,
            "audit_log": access.may(user, "view", LogEntry),
            # The admin's own rule for letting someone in, so the link shows exactly when it works.
            "administration": admin.site.has_permission(request),
        }

    return {"nav": SimpleLazyObject(build)}

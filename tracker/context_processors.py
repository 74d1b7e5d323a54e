"""What the navigation needs on every page: which sections the user has, and the review count."""
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tracker import selectors
from tracker.models import Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def build() -> dict:
        roles = set(user.memberships.values_list("role", flat=True))
        reviewer = user.has_perm("tracker.review_progressupdate")
        return {
            "is_official": Role.OFFICIAL in roles,
            "is_reviewer": reviewer,
            "review_count": selectors.updates_reviewable_by(user).count() if reviewer else 0,
        }

    return {"nav": SimpleLazyObject(build)}

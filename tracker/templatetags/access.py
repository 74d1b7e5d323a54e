"""Templates ask the same rule as views: `{% load access %}{% may "manage" commitment as may_manage %}`.

A template never decides a permission by itself (no `user.is_superuser`, no `perms.` on a row):
it shows what `tracker.access.may` allows, or a flag its view computed with it.
"""
from django import template

from tracker import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context, action: str, obj) -> bool:
    """Whether the signed-in user may do `action` to `obj` (see `tracker.access`). False for no
    object, so a missing variable never grants anything."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or obj is None or obj == "":
        return False
    return access.may(user, action, obj)

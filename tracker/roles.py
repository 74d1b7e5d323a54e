"""Roles: the groups that carry Django permissions, kept in step with memberships."""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group

from tracker.models import Membership, Role

ADMINISTRATOR_GROUP = "Administrator"
ROLE_GROUPS = {Role.OFFICIAL: "Official", Role.COORDINATOR: "Coordinator", Role.VIEWER: "Viewer"}


def sync_role_groups(user: AbstractBaseUser) -> None:
    """Put the user in the group of each role they hold through a membership, and in no other
    role group (the Administrator group is granted by hand and left alone)."""
    held = {ROLE_GROUPS[role] for role in Membership.objects.filter(user=user).values_list("role", flat=True)}
    for name in ROLE_GROUPS.values():
        group, _ = Group.objects.get_or_create(name=name)
        if name in held:
            user.groups.add(group)
        else:
            user.groups.remove(group)

"""Roles: the groups that carry Django permissions, kept in step with memberships."""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group, Permission

from tracker.models import Membership, Role

ADMINISTRATOR_GROUP = "Administrator"
ROLE_GROUPS = {Role.OFFICIAL: "Official", Role.COORDINATOR: "Coordinator", Role.VIEWER: "Viewer"}

VIEW_ALL = [
    "memoranda.view_party", "memoranda.view_mechanism", "memoranda.view_organisation", "memoranda.view_plenarysession",
    "memoranda.view_memorandum", "memoranda.view_area", "memoranda.view_commitment", "memoranda.view_milestone",
    "tracker.view_reportingcycle", "tracker.view_progressupdate", "tracker.view_evidence",
]
# What kinds of action each role has. Which rows it may act on is the row-level rule's business
# (tracker.selectors); coordinators, for one, have no permission to load or delete memoranda.
ROLE_PERMISSIONS = {
    "Viewer": VIEW_ALL,
    "Official": VIEW_ALL + [
        "tracker.add_progressupdate", "tracker.change_progressupdate", "tracker.submit_progressupdate",
        "tracker.add_evidence",
    ],
    "Coordinator": VIEW_ALL + [
        "memoranda.change_commitment", "memoranda.add_milestone", "memoranda.change_milestone",
        "tracker.add_reportingcycle", "tracker.change_reportingcycle", "tracker.remind_reportingcycle",
        "tracker.review_progressupdate", "tracker.view_membership",
    ],
    ADMINISTRATOR_GROUP: None,  # every permission of the product's apps and of users and groups
}


def ensure_role_groups(group_model=Group, permission_model=Permission) -> None:
    """Create the role groups with their permissions, or put them right. Used by the migration
    (with its historical models) and by seed_demo."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        if codenames is None:
            permissions = permission_model.objects.filter(content_type__app_label__in=["memoranda", "tracker", "auth"])
        else:
            wanted = [codename.split(".") for codename in codenames]
            permissions = [permission_model.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        group.permissions.set(permissions)


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

"""The four roles as groups with permissions. What each may do to which rows is decided by
memberships (tracker.selectors); these permissions decide which kinds of action each role has."""
from django.db import migrations

VIEW_ALL = [
    "memoranda.view_party", "memoranda.view_mechanism", "memoranda.view_organisation", "memoranda.view_plenarysession",
    "memoranda.view_memorandum", "memoranda.view_area", "memoranda.view_commitment", "memoranda.view_milestone",
    "tracker.view_reportingcycle", "tracker.view_progressupdate", "tracker.view_evidence",
]
ROLES = {
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
    "Administrator": None,  # every permission of the product's apps and of users and groups
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames is None:
            permissions = Permission.objects.filter(content_type__app_label__in=["memoranda", "tracker", "auth"])
        else:
            wanted = [codename.split(".") for codename in codenames]
            permissions = [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in wanted]
        group.permissions.set(permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_permissions_and_reminders"),
        ("memoranda", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

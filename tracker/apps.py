from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Tracker: how it is going")

    def ready(self) -> None:
        from tracker import aggregates, checks  # noqa: F401  (checks registers the deployment checks)

        aggregates.connect()

        from django.db.models.signals import post_migrate

        from tracker import planner

        post_migrate.connect(planner.after_migrate, sender=self, dispatch_uid="tracker-planner-statistics")

        # Django 6.1 offers this hook for the empty choice of model fields' select boxes; its own
        # label ("- Select an option -") is not yet in Django's Chinese catalogues, so ours is used.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("— choose —")

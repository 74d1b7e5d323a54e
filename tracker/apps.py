from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Tracker: how it is going")

    def ready(self) -> None:
        from tracker import checks  # noqa: F401  (registers the deployment checks)

        # Django 6.1 offers this hook for the empty choice of model fields' select boxes; its own
        # label ("- Select an option -") is not yet in Django's Chinese catalogues, so ours is used.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = _("— choose —")

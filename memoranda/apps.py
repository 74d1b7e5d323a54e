from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemorandaConfig(AppConfig):
    name = "memoranda"
    verbose_name = _("Memoranda: what was agreed")

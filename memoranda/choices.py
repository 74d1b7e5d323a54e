"""Choices shared by the models and the parsers (which must not touch the database)."""
from django.db import models
from django.utils.translation import gettext_lazy as _


# A mechanism's code, as every commitment reference starts: HKBJ in HKBJ-4-6.5.
MECHANISM_CODE = r"[A-Z][A-Z0-9]{1,11}"


class Status(models.TextChoices):
    """Where a commitment stands (after Canada's mandate tracker, OGP and DHIS2's action tracker)."""

    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("Underway – on track")
    AT_RISK = "at_risk", _("Underway – facing challenges")
    ONGOING = "ongoing", _("Ongoing arrangement")
    COMPLETED = "completed", _("Completed")
    NOT_PURSUED = "not_pursued", _("Not being pursued")
    CARRIED_FORWARD = "carried_forward", _("Carried forward")

    @classmethod
    def closed(cls) -> list[str]:
        """Statuses that need no further work, so cannot be overdue."""
        return [cls.COMPLETED, cls.NOT_PURSUED, cls.CARRIED_FORWARD]


class MemorandumLanguage(models.TextChoices):
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    BOTH = "en+zh", _("English and Chinese")

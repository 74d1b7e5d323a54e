"""The commitment list as a django-tables2 table."""
from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from memoranda.models import Commitment
from tracker.templatetags.tracker_tags import bilingual, progress_bar, status_badge


class CommitmentTable(tables.Table):
    ref = tables.Column(
        linkify=True, verbose_name=_("Ref."), attrs={"td": {"class": "ref"}},
        order_by=("session__mechanism__code", "session__number", "area_position", "item_position"),
    )
    title = tables.Column(verbose_name=_("Commitment"), empty_values=(), order_by=("title", "text"))
    area = tables.Column(verbose_name=_("Area"), order_by=("area__position",))
    lead_organisation = tables.Column(verbose_name=_("Lead"), order_by=("lead_organisation__name",))
    status = tables.Column(verbose_name=_("Status"))
    progress = tables.Column(verbose_name=_("Progress"))
    due_on = tables.DateColumn(verbose_name=_("Due"), format="DATE_FORMAT")
    latest_update_at = tables.DateColumn(verbose_name=_("Last accepted update"), format="DATE_FORMAT")

    class Meta:
        model = Commitment
        fields = ["ref", "title", "area", "lead_organisation", "status", "progress", "due_on", "latest_update_at"]
        template_name = "django_tables2/table.html"
        attrs = {"class": "commitments"}
        # Page size comes from our own, bounded `size` parameter (see the view), not from the URL.
        per_page_field = "_per_page_unused"
        empty_text = _("No commitment matches these filters.")

    def render_title(self, record: Commitment) -> str:
        return bilingual(record, "title", "text")

    def render_area(self, value) -> str:
        return bilingual(value, "name")

    def render_lead_organisation(self, value) -> str:
        return value.display_name

    def render_status(self, value: str, record: Commitment) -> str:
        return status_badge(record.status)

    def render_progress(self, value: int) -> str:
        return progress_bar(value)

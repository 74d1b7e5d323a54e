"""The commitment list as a django-tables2 table."""
from __future__ import annotations

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from memoranda.models import Commitment, in_language
from tracker.templatetags.tracker_tags import bilingual, progress_bar, status_badge


class SelectColumn(tables.Column):
    """A checkbox per row the person may manage, for the list's bulk form (`form="bulk-form"`: the
    table need not be inside the form). Its heading ticks every row of the page, with the script."""

    def __init__(self, **kwargs):
        super().__init__(
            verbose_name=_("Select"), empty_values=(), orderable=False, exclude_from_export=True,
            attrs={"th": {"class": "select"}, "td": {"class": "select"}}, **kwargs,
        )

    @property
    def header(self):
        return format_html(
            '<label class="select-page" hidden><input type="checkbox" data-bulk-page form="bulk-form">'
            '<span class="visually-hidden">{}</span></label>', _("Select all rows on this page"),
        )

    def render(self, record: Commitment) -> str:
        if not getattr(record, "may_manage", False):
            return ""
        return format_html(
            '<input type="checkbox" name="commitment" value="{}" form="bulk-form" data-bulk-row aria-label="{}">',
            record.pk, _("Select %(ref)s") % {"ref": record.ref},
        )


class DateColumn(tables.Column):
    """A date in the reader's format. django-tables2's own DateColumn compiles a template for every
    cell it draws, which cost more than the rest of the table."""

    def render(self, value) -> str:
        return date_format(value, "DATE_FORMAT")


class CommitmentTable(tables.Table):
    """The list; `select` (the bulk form's checkboxes) is left out for those who manage nothing."""

    select = SelectColumn()
    ref = tables.Column(
        linkify=True, verbose_name=_("Ref."), attrs={"td": {"class": "ref"}},
        order_by=("session__mechanism__code", "session__number", "area_position", "item_position"),
    )
    title = tables.Column(verbose_name=_("Commitment"), linkify=True, empty_values=(), order_by=("title", "text"))
    area = tables.Column(verbose_name=_("Area"), order_by=("area__position",))
    lead_organisation = tables.Column(verbose_name=_("Lead"), order_by=("lead_organisation__name",))
    status = tables.Column(verbose_name=_("Status"))
    progress = tables.Column(verbose_name=_("Progress"))
    due_on = DateColumn(verbose_name=_("Due"))
    latest_update_at = DateColumn(verbose_name=_("Last accepted update"))

    class Meta:
        model = Commitment
        fields = ["ref", "title", "area", "lead_organisation", "status", "progress", "due_on", "latest_update_at"]
        sequence = ["select", "..."]
        template_name = "django_tables2/table.html"
        # Each cell carries its column's name: on a phone the stylesheet lays a row out as a card
        # and prints the name before the value ("Lead: …").
        attrs = {"class": "commitments", "td": {"data-label": lambda bound_column: bound_column.verbose_name}}
        # Page size comes from our own, bounded `size` parameter (see the view), not from the URL.
        per_page_field = "_per_page_unused"
        empty_text = _("No commitment matches these filters.")

    def get_column_class_names(self, classes_set, bound_column):
        # `col-title`, `col-lead_organisation` …: what the stylesheet sizes columns by.
        return super().get_column_class_names(classes_set, bound_column) | {f"col-{bound_column.name}"}

    def render_title(self, record: Commitment) -> str:
        # Long titles are cut to a few lines by the stylesheet; the whole title stays in the tooltip.
        full = in_language(record.title, record.title_zh)[0] or in_language(record.text, record.text_zh)[0]
        return format_html('<span class="clamp" title="{}">{}</span>', full, bilingual(record, "title", "text"))

    def render_area(self, value) -> str:
        return bilingual(value, "name")

    def render_lead_organisation(self, value) -> str:
        return value.display_name

    def render_status(self, value: str, record: Commitment) -> str:
        return status_badge(record.status)

    def render_progress(self, value: int) -> str:
        return progress_bar(value)

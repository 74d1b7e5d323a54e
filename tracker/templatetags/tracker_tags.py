"""Small fragments every page repeats: status badges, progress bars, text in the reader's language."""
from collections.abc import Mapping

from django import template
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from memoranda.models import Status, in_language
from tracker.charts import describe
from tracker.models import UpdateState

register = template.Library()


@register.simple_tag
def status_badge(status: str) -> str:
    label = Status(status).label if status in Status.values else status
    return format_html('<span class="status status-{}">{}</span>', status, label)


@register.simple_tag
def progress_bar(progress: int | None) -> str:
    value = progress or 0
    return format_html(
        '<progress value="{}" max="100" aria-label="{}">{}%</progress><span class="progress-label">{}%</span>',
        value, _("Progress"), value, value,
    )


@register.simple_tag
def bilingual(obj, field: str, fallback_field: str = "") -> str:
    """`obj.<field>` or `obj.<field>_zh`, whichever suits the reader, marked when it fell back to
    the other language. With neither, the first words of `fallback_field` (an item's text when it
    has no short title)."""
    read = obj.get if isinstance(obj, Mapping) else lambda name, default: getattr(obj, name, default)
    text, fell_back = in_language(read(field, "") or "", read(f"{field}_zh", "") or "")
    if not text and fallback_field:
        text, fell_back = in_language(read(fallback_field, "") or "", read(f"{fallback_field}_zh", "") or "")
        text = Truncator(text).words(14) if " " in text else Truncator(text).chars(40)
    if not fell_back:
        return text
    marker = _("Not available in your language; shown in the other language")
    return format_html('{}<span class="fallback-marker" title="{}">{}</span>', text, marker, _("other language"))


@register.simple_tag
def active_filter_count(filterset) -> int:
    """How many of a filter set's fields the request fills in (several statuses count as one filter),
    for the summary of a folded filter panel."""
    data = filterset.data  # request.GET, or {} when the list is opened without a query

    def filled(name: str) -> bool:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return any(str(value or "").strip() for value in values)

    return sum(filled(name) for name in filterset.form.fields)


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def update_state_label(state: str) -> str:
    return UpdateState(state).label if state in UpdateState.values else ""


@register.filter
def describe_segments(segments) -> str:
    return describe(segments)

"""The audit log page and its exports, for administrators: who changed what, and when."""
from __future__ import annotations

import datetime

from django import forms
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import access, audit, exports, paging

DEFAULT_DAYS = 30
PAGE_SIZE = 50
# Wide enough for any real log; narrow enough that the day after the last one is still a date
# and midnight of the first converts to UTC on every database.
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(9999, 12, 30)


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )


class AuditFilterForm(forms.Form):
    start = _date_field(gettext_lazy("From"))
    end = _date_field(gettext_lazy("To"))
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    user = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Any")), *audit.object_types()]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["end"] = data.get("end") or today
        data["start"] = data.get("start") or min(data["end"], today) - datetime.timedelta(days=DEFAULT_DAYS)
        if not self.errors and data["start"] > data["end"]:
            raise ValidationError(_("The first day comes after the last."), code="reversed")
        return data

    def query(self) -> audit.AuditQuery:
        """The query of valid filters: whole days in the site's time zone, both ends included."""
        zone = timezone.get_default_timezone()
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        return audit.AuditQuery(
            start=datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
            end=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
            username=self.cleaned_data["user"].strip(),
            object_type=self.cleaned_data["type"],
        )


def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log for a date range (the last 30 days unless asked), a page at a time;
    `?_export=csv|xlsx` downloads every row of the range."""
    access.require(request.user, "view", LogEntry)  # administrators only (tracker.access)
    form = AuditFilterForm(request.GET.copy())
    if not form.is_valid():
        # Filters that cannot be used are shown with their errors, never guessed at (nor a 500).
        return render(request, "tracker/audit_log.html", {"form": form, "page": None}, status=400)
    for name in ("start", "end"):  # the form shows the dates used, defaults included
        form.data[name] = form.cleaned_data[name].isoformat()
    log = audit.AuditLog(form.query())
    export = request.GET.get("_export")
    if export in {"csv", "xlsx"}:
        filename = f"audit-log-{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}"
        if export == "csv":  # streamed: a year of changes never sits in memory
            return exports.csv_response(audit.export_rows(log), audit.COLUMNS, filename, audit.headings())
        return exports.xlsx_response(
            audit.export_rows(log), audit.COLUMNS, filename, audit.headings(), title=_("Audit log"), widths=audit.WIDTHS
        )
    # The dates used (defaults included), so that every page and export is of the same range.
    context = paging.page_of(request, log, PAGE_SIZE, query=form.data)
    return render(request, "tracker/audit_log.html", {"form": form, **context})

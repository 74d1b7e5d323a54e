"""Pages. Views keep to HTTP: they read through selectors and write through services."""
from __future__ import annotations

from collections import Counter
from itertools import groupby

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Avg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from memoranda.choices import Status
from memoranda.parsing.numerals import whole_number
from tracker import access, aggregates, bulk, charts, export_jobs, export_views, exports, paging, selectors, services
from tracker.bulk_views import BulkCommitmentForm
from tracker.filters import PAGE_SIZES, CommitmentFilter
from tracker.tables import CommitmentTable
from tracker.history import history_entries
from tracker.models import UpdateState


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: where everything stands, what is late or at risk, and what waits for me."""
    data = selectors.dashboard(request.user)
    data["overall_segments"] = charts.status_segments(data["overall"])
    for area in data["areas"]:
        area["segments"] = charts.status_segments(area["counts"])
        area["total"] = sum(area["counts"].values())
    data["sessions"] = list(data["sessions"])
    for session in data["sessions"]:
        session.segments = charts.status_segments(charts.counts_from_annotations(session))
    data["tasks"] = selectors.my_tasks(request.user)
    data["status_rows"] = [(status.value, status.label, data["overall"].get(status.value, 0)) for status in Status]
    return render(request, "tracker/home.html", data)


def session_list(request: HttpRequest) -> HttpResponse:
    sessions = list(selectors.sessions_for_home(request.user).annotate(average_progress=Avg("commitments__progress")))
    for session in sessions:
        session.segments = charts.status_segments(charts.counts_from_annotations(session))
    return render(request, "tracker/session_list.html", {"sessions": sessions})


def session_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    session = access.access_session(request.user, code, number)
    # Whoever may see a session sees all its commitments: its items read the same for everyone, and
    # are rendered once per data version and language (a session may hold a thousand items).
    items = aggregates.cached("session-items", (session.pk,), lambda: _session_items(request.user, session))
    return render(request, "tracker/session_detail.html", {"session": session, **items, "items_html": mark_safe(items["items_html"])})


def _session_items(user, session) -> dict:
    commitments = list(selectors.session_commitments(user, session))
    areas = []
    for area, items in groupby(commitments, key=lambda c: (c.area_position, c.area)):
        items = list(items)
        counts = dict(Counter(item.status for item in items))
        areas.append((area[1], items, charts.status_segments(counts)))
    return {
        "items_html": render_to_string("tracker/includes/session_items.html", {"areas": areas}),  # escaped by the template
        "commitment_count": len(commitments), "area_count": len(areas),
        "segments": charts.status_segments(dict(Counter(c.status for c in commitments))),
    }


def commitment_detail(request: HttpRequest, ref: str) -> HttpResponse:
    if ref != ref.upper():  # refs are upper case; a hand-typed hkbj-4-6.5 still finds its page
        return redirect("commitment-detail", ref=ref.upper())
    user = request.user
    commitment = access.access_commitment(user, ref, for_page=True)
    may_manage = access.may(user, "manage", commitment)
    in_progress = (
        selectors.updates_visible_to(user)
        .filter(commitment=commitment, state__in=[UpdateState.DRAFT, UpdateState.SUBMITTED, UpdateState.RETURNED])
        .select_related("author", "organisation")
    )
    context = {
        "commitment": commitment,
        "actions": access.update_actions(user, [commitment])[commitment.pk],  # the buttons offered: report, continue, review
        "may_manage": may_manage,
        "in_progress": in_progress,
        "history": history_entries(list(commitment.history.select_related("history_user"))) if may_manage else None,
        "lineage": selectors.commitment_lineage(user, commitment) if commitment.continues_id or commitment.continued_by.all() else [],
    }
    return render(request, "tracker/commitment_detail.html", context)


@require_POST
def commitment_carry_forward_undo(request: HttpRequest, ref: str) -> HttpResponse:
    """A coordinator takes back carrying a commitment forward: it is reported on again."""
    commitment = access.access_commitment(request.user, ref, "undo_carry_forward")
    version = request.POST.get("version", "")
    try:
        services.commitment_carry_forward_undo(commitment=commitment, by=request.user, commitment_version=whole_number(version))
    except ValidationError as error:  # stale, or no longer carried forward
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(ref)s is no longer carried forward: cycles ask for reports on it again.") % {"ref": commitment.ref})
    return redirect(commitment.get_absolute_url())


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not; for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not healthy", never a 500 page
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class CommitmentListView(SingleTableMixin, FilterView):
    """The list, its filters and its exports are one definition: `?_export=csv|xlsx|json` exports
    exactly the rows the filters select, with every column."""

    table_class = CommitmentTable
    filterset_class = CommitmentFilter
    template_name = "tracker/commitment_list.html"
    EXPORTS = {"csv", "xlsx", "json"}

    def get_queryset(self):
        return selectors.with_latest_update(selectors.with_owners(selectors.commitments_visible_to(self.request.user))).in_reading_order()

    def get_table_data(self):
        # Which rows get a checkbox for the bulk form: in the page's own query, not one per row.
        return bulk.with_may_manage(self.request.user, super().get_table_data())

    def get_table_kwargs(self):
        self.may_bulk = bulk.may_manage_any(self.request.user)
        return {} if self.may_bulk else {"exclude": ("select",)}

    def get_table_pagination(self, table):
        size = self.request.GET.get("size", "")
        # The count depends on who asks and on the filters, not on the page, its size or its order.
        return {
            "per_page": int(size) if size in {str(choice) for choice in PAGE_SIZES} else PAGE_SIZES[0],
            "paginator_class": paging.CountCachedPaginator, "count_key": self.count_key(),
        }

    def count_key(self) -> tuple:
        return export_jobs.count_key(self.request.user, self.request.GET)

    def get(self, request, *args, **kwargs):
        export = request.GET.get("_export")
        if export in self.EXPORTS:
            filterset = self.get_filterset(self.get_filterset_class())
            commitments = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            count = paging.cached_count(self.count_key(), commitments.count)  # the list's own count
            if count > settings.EXPORT_IN_REQUEST_ROWS:  # too big to write while the browser waits
                return export_views.export_confirm(request, export, count)
            filename = f"commitments-{timezone.localdate():%Y%m%d}"
            if export == "json":  # for machines: the import's names and values in any language
                return exports.json_response(exports.commitment_rows(commitments), filename)
            rows = exports.commitment_rows(commitments, for_people=True)
            if export == "csv":
                return exports.csv_response(rows, exports.LIST_COLUMNS, filename, exports.list_headings())
            return exports.xlsx_response(
                rows, exports.LIST_COLUMNS, filename, exports.list_headings(), title=_("Commitments"), widths=exports.LIST_WIDTHS
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("_export", None)
        context["query"] = query.urlencode()
        context["page_sizes"] = PAGE_SIZES
        context["size"] = self.get_table_pagination(None)["per_page"]
        # The filters' and the bulk form's choices (sessions, areas, organisations, cycles: a thousand
        # rows at 100,000 commitments) depend only on who asks, the filters and the data: rendered once.
        context["filter_fields"] = aggregates.cached_html(
            "list-filter-fields", self.count_key(), "tracker/includes/filter_fields.html", lambda: {"form": context["filter"].form}
        )
        if self.may_bulk:  # the bulk form: for those who manage commitments (coordinators)
            bulk_form = BulkCommitmentForm(user=self.request.user, initial={"filter_query": context["query"], "count": context["table"].paginator.count})
            context["bulk_form"] = bulk_form
            context["bulk_fields"] = aggregates.cached_html("list-bulk-fields", (self.request.user.pk,), "tracker/includes/bulk_fields.html", lambda: {"form": bulk_form})
        return context


@login_not_required
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages (such as the admin's) that do not name an icon. The
    hashed address is looked up when asked, not when the URLs are imported, so that management
    commands (check --deploy, migrate) run before collectstatic has written the manifest."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))

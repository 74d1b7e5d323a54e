"""One way to page a long list: Django's Paginator, the page links elided around the current page,
and the rest of the query string kept so that filters survive a change of page."""
from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict
from django.utils.functional import cached_property

from tracker import aggregates


def cached_count(count_key: tuple, count: Callable[[], int]) -> int:
    """A list's row count, cached until the data changes: counting 100,000 filtered rows is most
    of a list page's database time. The one place the key is named, so that the list's pages, its
    exports and the export jobs it starts share one count."""
    return aggregates.cached("page-count", count_key, count)


class CountCachedPaginator(Paginator):
    """A paginator whose row count is cached until the data changes (`cached_count`). `count_key`:
    what the count depends on (who asks, which filters)."""

    def __init__(self, *args, count_key: tuple, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        return cached_count(self.count_key, lambda: Paginator.count.func(self))


def page_of(
    request: HttpRequest, rows, per_page: int, parameter: str = "page", query: QueryDict | None = None, count: int | None = None
) -> dict:
    """What templates/tracker/includes/pager.html needs, for the page the request asks for (an
    unusable page number gives the nearest page, never an error). `query`: the parameters the page
    links keep, when they are not the request's own (a form's defaults filled in). `count`: how
    many rows there are, when the caller knows it already (a cached count), saving the COUNT query."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: set, it is not asked again
    page: Page = paginator.get_page(request.GET.get(parameter))
    query = (request.GET if query is None else query).copy()
    query.pop(parameter, None)
    query.pop("_export", None)
    return {
        "page": page,
        "page_parameter": parameter,
        "page_query": query.urlencode(),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }

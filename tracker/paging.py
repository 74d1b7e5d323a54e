"""One way to page a long list: Django's Paginator, the page links elided around the current page,
and the rest of the query string kept so that filters survive a change of page."""
from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict


def page_of(request: HttpRequest, rows, per_page: int, parameter: str = "page", query: QueryDict | None = None) -> dict:
    """What templates/tracker/includes/pager.html needs, for the page the request asks for (an
    unusable page number gives the nearest page, never an error). `query`: the parameters the page
    links keep, when they are not the request's own (a form's defaults filled in)."""
    page: Page = Paginator(rows, per_page).get_page(request.GET.get(parameter))
    query = (request.GET if query is None else query).copy()
    query.pop(parameter, None)
    query.pop("_export", None)
    return {
        "page": page,
        "page_parameter": parameter,
        "page_query": query.urlencode(),
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }

"""The administrator's "Load memorandum" screen: upload or paste → preview and fix → confirm.

Nothing is written before confirm: the source waits in the administrator's session, and the
preview's edits travel in the form until the import service writes everything in one transaction.
"""
from __future__ import annotations

import base64
import datetime
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from memoranda import services
from memoranda.forms import ItemFormSet, LoadSourceForm, PairFormSet, SessionPreviewForm
from memoranda.models import Commitment, Mechanism, Organisation, Party
from memoranda.parsing.numerals import whole_number
from memoranda.parsing import (
    DOCUMENT_FORMATS,
    ROW_FORMATS,
    MemorandumParseError,
    ParsedArea,
    ParsedItem,
    ParsedMemorandum,
    Problem,
    detect_format,
    parse_memorandum,
    source_text,
)
from memoranda.sources import normalise_source_text, source_checksum

DRAFTS = "memorandum_drafts"
# A file chosen on the load form that came back with an error is kept, not chosen again.
KEPT_UPLOAD = "memorandum_kept_upload"
STREAM_ABOVE = 100  # items; larger loads show their progress as they go


class LoaderViews:
    """Bound to the Memorandum admin, so the screens share its permissions and look."""

    def __init__(self, model_admin) -> None:
        self.model_admin = model_admin

    def context(self, request: HttpRequest, **extra) -> dict:
        return {**self.model_admin.admin_site.each_context(request), "opts": self.model_admin.model._meta, **extra}

    def check_permission(self, request: HttpRequest) -> None:
        # Loading is adding memoranda: the Memorandum admin's rule, which lets only administrators
        # add what was agreed, whatever permissions a role has been given (tracker/admin.py).
        if not self.model_admin.has_add_permission(request):
            raise PermissionDenied

    # Step 1: the source.
    def load(self, request: HttpRequest) -> HttpResponse:
        self.check_permission(request)
        if request.POST.get("remove_kept"):
            request.session.pop(KEPT_UPLOAD, None)
        kept = request.session.get(KEPT_UPLOAD)
        form = LoadSourceForm(*((request.POST, request.FILES) if request.method == "POST" else (None, None)), has_kept_file=bool(kept))
        problems: list[Problem] = []
        if request.method == "POST" and not form.is_valid() and "file" not in form.errors and form.cleaned_data.get("file"):
            upload = form.cleaned_data["file"]
            kept = request.session[KEPT_UPLOAD] = {"name": upload.name, "data": base64.b64encode(upload.read()).decode("ascii")}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload:
                kept = request.session[KEPT_UPLOAD] = {"name": upload.name, "data": base64.b64encode(upload.read()).decode("ascii")}
            if kept and not form.cleaned_data["text"].strip():
                data, name = base64.b64decode(kept["data"]), kept["name"]
            else:
                data, name = form.cleaned_data["text"].encode("utf-8"), ""
            format = form.cleaned_data["format"]
            format = detect_format(name, data) if format == "auto" else format
            try:
                if format in ROW_FORMATS:
                    return self.rows_preview(request, data, format, name)
                parsed = parse_memorandum(data, format=format, filename=name)  # refuse a bad source before the preview
            except MemorandumParseError as error:
                problems = error.problems
            else:
                text = source_text(data, format) if format == "text" or format in DOCUMENT_FORMATS else ""
                checksum = source_checksum(text if format == "text" else data)
                token = secrets.token_urlsafe(12)
                request.session.setdefault(DRAFTS, {})[token] = {
                    "format": format, "name": name, "checksum": checksum, "text": normalise_source_text(text),
                    "source_description": parsed.source_description,
                    "data": "" if format == "text" else base64.b64encode(data).decode("ascii"),
                    "held_on": form.cleaned_data["held_on"].isoformat() if form.cleaned_data["held_on"] else "",
                    "mechanism": form.cleaned_data["mechanism"].pk if form.cleaned_data["mechanism"] else None,
                }
                request.session.pop(KEPT_UPLOAD, None)
                request.session.modified = True
                return redirect("admin:memoranda_memorandum_preview", token=token)
        return TemplateResponse(
            request, "admin/memoranda/memorandum/load.html",
            self.context(request, title=_("Load memorandum"), form=form, problems=problems,
                         kept_name=kept["name"] if kept else ""),
            status=400 if problems else 200,
        )

    def draft(self, request: HttpRequest, token: str, rows: bool = False) -> dict:
        draft = request.session.get(DRAFTS, {}).get(token)
        if draft is None or (draft["format"] in ROW_FORMATS) != rows:
            raise PermissionDenied(_("This preview has expired; load the source again."))
        return draft

    def parse_draft(self, draft: dict) -> ParsedMemorandum:
        data = draft["text"] if draft["format"] == "text" else base64.b64decode(draft["data"])
        parsed = parse_memorandum(data, format=draft["format"], filename=draft["name"])
        if draft["held_on"] and not parsed.held_on:
            parsed.held_on = datetime.date.fromisoformat(draft["held_on"])
        return parsed

    # Step 2: the preview, where the administrator fixes the split, the owners and the links.
    def preview(self, request: HttpRequest, token: str) -> HttpResponse:
        self.check_permission(request)
        draft = self.draft(request, token)
        chosen_mechanism = Mechanism.objects.filter(pk=draft["mechanism"]).first()
        if request.method != "POST":
            parsed = self.parse_draft(draft)
            plan = services.memorandum_plan(parsed=parsed, checksum=draft["checksum"], mechanism=chosen_mechanism)
            return self.render_preview(request, token, plan)

        session_form = SessionPreviewForm(request.POST, prefix="session")
        posted = request.POST.get("session-mechanism", "")
        mechanism = Mechanism.objects.filter(pk=whole_number(posted) or 0).first()
        if request.POST.get("mode") == "align":
            return self.preview_alignment(request, token, draft, session_form)
        organisations = self.organisations(mechanism, [request.POST.get(f"session-new_party_{n}", "") for n in (1, 2)])
        formset = ItemFormSet(
            request.POST, prefix="items", organisations=organisations, any_continues=self.earlier_refs(mechanism),
        )
        if not (session_form.is_valid() and formset.is_valid()):
            return self.render_preview(request, token, None, session_form=session_form, formset=formset, status=400)
        parsed, links = self.parsed_from_forms(draft, session_form, formset)
        mechanism = session_form.cleaned_data["mechanism"]
        if "confirm" not in request.POST:
            plan = services.memorandum_plan(parsed=parsed, checksum=draft["checksum"], mechanism=mechanism)
            return self.render_preview(request, token, plan, links=links)
        return self.confirm(request, token, draft, {"parsed": parsed, "mechanism": mechanism, "links": links})

    def preview_alignment(self, request: HttpRequest, token: str, draft: dict, session_form) -> HttpResponse:
        """The source fills the other language of a session that exists: the administrator checks
        (and may change) which item is which before confirming."""
        parsed = self.parse_draft(draft)
        if not session_form.is_valid():
            plan = services.memorandum_plan(parsed=parsed, checksum=draft["checksum"])
            return self.render_preview(request, token, plan, session_form=session_form, status=400)
        data = session_form.cleaned_data
        parsed.session_number, parsed.held_on = data["session_number"], data["held_on"] or parsed.held_on
        for name, value in session_form.mechanism_fields().items():
            setattr(parsed, name, value)
        mechanism = data["mechanism"]
        session = mechanism.sessions.filter(number=parsed.session_number).first() if mechanism else None
        choices = self.pair_choices(list(session.commitments.order_by("area_position", "item_position")) if session else [])
        pairs_formset = PairFormSet(request.POST, prefix="pairs", commitment_choices=choices)
        if not pairs_formset.is_valid() or len(pairs_formset.forms) != len(parsed.items):
            plan = services.memorandum_plan(parsed=parsed, checksum=draft["checksum"], mechanism=mechanism)
            return self.render_preview(request, token, plan, session_form=session_form, pairs_formset=pairs_formset, status=400)
        pairs = {index: form.cleaned_data.get("pair", "") for index, form in enumerate(pairs_formset.forms)}
        plan = services.memorandum_plan(parsed=parsed, checksum=draft["checksum"], mechanism=mechanism, pairs=pairs if session else None)
        if "confirm" not in request.POST or not plan.alignment:
            return self.render_preview(request, token, plan, session_form=session_form if plan.alignment else None)
        return self.confirm(request, token, draft, {"parsed": parsed, "mechanism": mechanism, "pairs": pairs})

    def confirm(self, request: HttpRequest, token: str, draft: dict, arguments: dict) -> HttpResponse:
        arguments = {
            **arguments, "checksum": draft["checksum"], "source_text": draft["text"], "loaded_by": request.user,
            "source_file": (draft["name"], base64.b64decode(draft["data"])) if draft["data"] else None,
        }
        if len(arguments["parsed"].items) > STREAM_ABOVE and "pairs" not in arguments:
            return self.stream_import(request, token, arguments)
        try:
            result = services.memorandum_import(**arguments)
        except MemorandumParseError as error:
            plan = services.memorandum_plan(parsed=arguments["parsed"], checksum=draft["checksum"], mechanism=arguments["mechanism"],
                                            pairs=arguments.get("pairs"))
            plan.problems = error.problems
            return self.render_preview(request, token, plan, links=arguments.get("links"), status=400)
        return self.finished(request, token, result)

    def finished(self, request: HttpRequest, token: str, result: services.ImportResult) -> HttpResponseRedirect:
        request.session.get(DRAFTS, {}).pop(token, None)
        request.session.modified = True
        session = result.memorandum.session
        if result.aligned:
            messages.success(request, _("Aligned with the %(session)s: the text of %(count)s commitments was filled in.") % {
                "session": session.title, "count": result.commitments})
        elif result.created:
            messages.success(request, _("Loaded %(session)s: %(count)s commitments.") % {"session": session.title, "count": result.commitments})
        else:
            messages.info(request, _("This memorandum was already loaded (%(session)s); nothing was changed.") % {"session": session.title})
        return redirect(session.get_absolute_url())

    def stream_import(self, request: HttpRequest, token: str, arguments: dict) -> StreamingHttpResponse:
        """Write the page as the load goes, so a large memorandum shows its progress."""
        request.session.get(DRAFTS, {}).pop(token, None)
        request.session.modified = True
        head = render_to_string("admin/memoranda/memorandum/progress.html", self.context(request, title=_("Loading memorandum")), request)
        top, _marker, bottom = head.partition("<!-- progress -->")

        def chunks():
            yield top
            try:
                steps = services.memorandum_import_steps(**arguments)
                while True:
                    try:
                        done, total = next(steps)
                    except StopIteration as finished:
                        result = finished.value
                        break
                    if done == total or done % 25 == 0:
                        yield f'<p><progress value="{done}" max="{total}"></progress> {done} / {total}</p>\n'
                url = result.memorandum.session.get_absolute_url()
                yield f'<p class="success">{escape(_("Loaded %(count)s commitments.") % {"count": result.commitments})} <a href="{escape(url)}">{escape(_("Open the session"))}</a></p>'
            except MemorandumParseError as error:
                yield "<ul class='errorlist'>" + "".join(f"<li>{escape(str(p))}</li>" for p in error.problems) + "</ul>"
                yield f"<p>{escape(_('Nothing was loaded.'))}</p>"
            yield bottom

        return StreamingHttpResponse(chunks(), content_type="text/html; charset=utf-8")

    def organisations(self, mechanism: Mechanism | None, party_names: list[str] = ()):
        """The organisations that may own the items: the mechanism's, or (for a new mechanism) those
        of the existing parties its parties were matched to."""
        if mechanism is not None:
            return Organisation.objects.filter(party__mechanisms=mechanism).select_related("party").order_by("party__code", "name")
        parties = [party for name in party_names if name.strip() for party in [services.find_party(name, list(Party.objects.all()))] if party]
        return Organisation.objects.filter(party__in=parties).select_related("party").order_by("party__code", "name")

    @staticmethod
    def pair_choices(commitments: list[Commitment]) -> list[tuple[str, str]]:
        """What an item of a source in the other language may be paired with: the session's commitments."""
        return [(c.ref, f"{c.ref}: {(c.text or c.text_zh)[:90]}") for c in commitments]

    def earlier_refs(self, mechanism: Mechanism | None) -> list[tuple[str, str]]:
        if mechanism is None:
            return []
        return [(ref, ref) for ref in Commitment.objects.filter(session__mechanism=mechanism).values_list("ref", flat=True)]

    def parsed_from_forms(self, draft: dict, session_form, formset) -> tuple[ParsedMemorandum, dict[int, str]]:
        """The memorandum as the administrator left it: items joined, split (blank lines) and left out."""
        data = session_form.cleaned_data
        parsed = ParsedMemorandum(
            source_format=draft["format"], **session_form.mechanism_fields(), session_number=data["session_number"],
            held_on=data["held_on"], venue=data["venue"], venue_zh=data["venue_zh"], title=data["title"],
            title_zh=data["title_zh"], signed_on=data["signed_on"], language=data["language"], **session_form.lists(),
            source_description=draft.get("source_description", ""),
        )
        areas: dict[tuple[str, str], ParsedArea] = {}
        entries: list[tuple[ParsedItem, str]] = []
        for form in formset.forms:
            row = form.cleaned_data
            if not row or row.get("remove"):
                continue
            if row.get("merge_with_previous") and entries:
                previous = entries[-1][0]
                previous.text = " ".join(part for part in (previous.text, row["text"].strip()) if part)
                previous.text_zh = previous.text_zh + row["text_zh"].strip()
                continue
            key = (row["area_name"].strip(), row["area_name_zh"].strip())
            area = areas.setdefault(key, ParsedArea(name=key[0], name_zh=key[1]))
            texts = [part.strip() for part in row["text"].replace("\r\n", "\n").split("\n\n") if part.strip()] or [""]
            for number, text in enumerate(texts):
                item = ParsedItem(
                    text=" ".join(text.split()), text_zh=row["text_zh"].strip() if number == 0 else "",
                    title=row["title"].strip() if number == 0 else "",
                    lead=(row["lead"].name or row["lead"].name_zh) if row["lead"] else "",
                    supporting=[o.name or o.name_zh for o in row["supporting"]],
                    status=row["status"], due_on=row["due_on"],
                )
                area.items.append(item)
                entries.append((item, row["continues"] if number == 0 else ""))
        parsed.areas = list(areas.values())
        index_of = {id(item): index for index, item in enumerate(parsed.items)}
        links = {index_of[id(item)]: ref for item, ref in entries if ref}
        return parsed, links

    def render_preview(self, request, token, plan, *, session_form=None, formset=None, pairs_formset=None, links=None, status=200) -> HttpResponse:
        if plan is not None and session_form is None:
            session_form = SessionPreviewForm(prefix="session", initial=self.session_initial(plan))
        if plan is not None and plan.alignment is not None:
            if pairs_formset is None:
                pairs_formset = PairFormSet(prefix="pairs", commitment_choices=self.pair_choices(plan.alignment.commitments), initial=[
                    {"pair": item.commitment.ref if item.commitment else ""} for item in plan.alignment.items])
            rows = list(zip(pairs_formset.forms, plan.alignment.items, strict=False))
            return TemplateResponse(
                request, "admin/memoranda/memorandum/align.html",
                self.context(request, title=_("Check the pairs before filling in the text"), plan=plan, session_form=session_form,
                             formset=pairs_formset, rows=rows, token=token, media=session_form.media + pairs_formset.media),
                status=status,
            )
        if plan is not None and formset is None:
            links = links or {}
            initial, suggestions = [], {}
            for item in plan.items:
                chosen = links.get(item.index) or (item.continues.ref if item.continues else "")
                choices = [(s.commitment.ref, f"{s.commitment.ref} ({s.percent}%): {(s.commitment.text or s.commitment.text_zh)[:80]}") for s in item.suggestions]
                if chosen and chosen not in [value for value, _ in choices]:
                    choices.insert(0, (chosen, chosen))
                suggestions[item.index] = choices
                area = plan.areas[item.area_position - 1]
                initial.append({
                    "area_name": area.name, "area_name_zh": area.name_zh, "text": item.parsed.text,
                    "text_zh": item.parsed.text_zh, "title": item.parsed.title,
                    "lead": item.lead.pk if item.lead else None,
                    "supporting": [o.pk for o in item.supporting], "status": item.status,
                    "due_on": item.parsed.due_on, "continues": chosen,
                })
            organisations = Organisation.objects.filter(pk__in=[o.pk for o in plan.organisations]).select_related("party")
            formset = ItemFormSet(prefix="items", initial=initial, organisations=organisations, continues_choices=suggestions)
        rows = list(zip(formset.forms, plan.items if plan else [None] * len(formset.forms), strict=False))
        return TemplateResponse(
            request, "admin/memoranda/memorandum/preview.html",
            self.context(request, title=_("Check the memorandum before loading it"), plan=plan, session_form=session_form,
                         formset=formset, rows=rows, token=token, media=session_form.media + formset.media),
            status=status,
        )

    @staticmethod
    def session_initial(plan: services.ImportPlan) -> dict:
        parsed = plan.parsed
        initial = {
            "mechanism": plan.mechanism if plan.mechanism and plan.mechanism.pk else None,
            "session_number": parsed.session_number, "held_on": parsed.held_on,
            "venue": parsed.venue, "venue_zh": parsed.venue_zh, "co_chairs": "\n".join(parsed.co_chairs),
            "title": parsed.title, "title_zh": parsed.title_zh, "signed_on": parsed.signed_on,
            "signatories": "\n".join(parsed.signatories), "language": parsed.language or "zh",
        }
        if plan.alignment:  # the session exists: its own date and language stand
            session = plan.alignment.session
            initial |= {"held_on": session.held_on, "language": session.memorandum.language}
        if plan.new_mechanism:
            proposal = plan.new_mechanism
            parties = [p.name or p.name_zh for p in proposal.parties] + ["", ""]
            initial |= {"new_code": proposal.code, "new_name": proposal.name, "new_name_zh": proposal.name_zh,
                        "new_party_1": parties[0], "new_party_2": parties[1]}
        return initial

    # CSV / XLSX commitment rows: a dry run is the preview.
    def rows_preview(self, request: HttpRequest, data: bytes, format: str, name: str) -> HttpResponse:
        token = secrets.token_urlsafe(12)
        result = services.commitment_rows_import(data=data, format=format, dry_run=True, user=request.user)
        request.session.setdefault(DRAFTS, {})[token] = {"format": format, "name": name, "data": base64.b64encode(data).decode("ascii")}
        request.session.modified = True
        return TemplateResponse(
            request, "admin/memoranda/memorandum/rows_preview.html",
            self.context(request, title=_("Check the rows before loading them"), result=result, token=token, name=name),
        )

    def rows_confirm(self, request: HttpRequest, token: str) -> HttpResponse:
        self.check_permission(request)
        if request.method != "POST":
            return redirect("admin:memoranda_memorandum_load")
        draft = self.draft(request, token, rows=True)
        try:
            result = services.commitment_rows_import(data=base64.b64decode(draft["data"]), format=draft["format"], user=request.user)
        except MemorandumParseError as error:
            return TemplateResponse(
                request, "admin/memoranda/memorandum/load.html",
                self.context(request, title=_("Load memorandum"), form=LoadSourceForm(), problems=error.problems), status=400,
            )
        request.session.get(DRAFTS, {}).pop(token, None)
        request.session.modified = True
        messages.success(request, _("Loaded the rows: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
            "new": len(result.new), "updated": len(result.updated), "unchanged": len(result.unchanged)})
        return redirect(reverse("admin:memoranda_commitment_changelist"))

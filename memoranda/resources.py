"""Commitments as spreadsheet rows (django-import-export): one set of columns, out and in.

Rows are matched by `ref`, so an export edited in a spreadsheet re-imports as an update and never
as a duplicate. Names that match nothing are errors, never invented.
"""
from __future__ import annotations

import datetime
import functools

import zhconv
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from memoranda.models import Area, Commitment, Organisation, Party, PlenarySession
from memoranda.parsing.numerals import whole_number
from memoranda.parsing.rows import COLUMNS


class SessionWidget(widgets.ForeignKeyWidget):
    """A session written as MECHANISM-NUMBER, e.g. HKBJ-4."""

    def __init__(self) -> None:
        super().__init__(PlenarySession)

    def clean(self, value, row=None, **kwargs):
        code, _dash, number = str(value or "").strip().rpartition("-")
        session = PlenarySession.objects.filter(mechanism__code=code, number=whole_number(number) or 0).first()
        if session is None:
            raise ValueError(_("Unknown session %(session)s: load its memorandum first.") % {"session": repr(value)})
        return session

    def render(self, value, obj=None, **kwargs):
        return f"{value.mechanism.code}-{value.number}" if value else ""


def _mechanism_code(row) -> str:
    return str((row or {}).get("session") or "").strip().rpartition("-")[0]


@functools.lru_cache(maxsize=4096)
def _simplified(text: str) -> str:
    return zhconv.convert(text.strip(), "zh-hans").casefold()


def _same_name(stored: str, given: str) -> bool:
    """Names that differ only in case or in Chinese script are the same: an export read in
    Simplified Chinese writes Traditional names in Simplified characters."""
    return bool(stored) and _simplified(stored) == _simplified(given)


class AreaWidget(widgets.ForeignKeyWidget):
    """An area by its English or Chinese name, within the row's mechanism."""

    def __init__(self) -> None:
        super().__init__(Area)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        areas = Area.objects.filter(mechanism__code=_mechanism_code(row))
        area = areas.filter(name=name).first() or areas.filter(name_zh=name).first()
        if area is None:
            area = next((area for area in areas if _same_name(area.name, name) or _same_name(area.name_zh, name)), None)
        if area is None:
            raise ValueError(_("Unknown area %(name)s for %(mechanism)s; add it in the admin first.") % {
                "name": repr(name), "mechanism": _mechanism_code(row) or _("this mechanism")})
        return area

    def render(self, value, obj=None, **kwargs):
        return value.name or value.name_zh if value else ""


def _organisation(name: str, row) -> Organisation:
    candidates = Organisation.objects.filter(party__mechanisms__code=_mechanism_code(row))
    matches = list(candidates.filter(name=name)) or list(candidates.filter(name_zh=name)) or list(candidates.filter(abbreviation=name))
    if not matches:
        matches = [organisation for organisation in candidates if _same_name(organisation.name, name) or _same_name(organisation.name_zh, name)]
    if len(matches) != 1:
        message = _("Unknown organisation %(name)s.") if not matches else _("%(name)s names more than one organisation.")
        raise ValueError(message % {"name": repr(name)})
    return matches[0]


class OrganisationWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Organisation, "name")

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        return _organisation(name, row) if name else None


class OrganisationsWidget(widgets.ManyToManyWidget):
    """Organisations separated by semicolons (names may hold commas)."""

    def __init__(self) -> None:
        super().__init__(Organisation, separator=";", field="name")

    def clean(self, value, row=None, **kwargs):
        names = [name.strip() for name in str(value or "").split(";") if name.strip()]
        return Organisation.objects.filter(pk__in=[_organisation(name, row).pk for name in names])


class PartiesWidget(widgets.ManyToManyWidget):
    """Parties separated by semicolons, by code or by (short) name in either language."""

    def __init__(self) -> None:
        super().__init__(Party, separator=";", field="code")

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in str(value or "").split(";") if code.strip()]
        every = list(Party.objects.all())
        found = {
            code: next((party for party in every if any(
                _same_name(name, code) for name in (party.code, party.short_name, party.short_name_zh, party.name, party.name_zh)
            )), None)
            for code in codes
        }
        parties = Party.objects.filter(pk__in=[party.pk for party in found.values() if party])
        unknown = {code for code, party in found.items() if party is None}
        if unknown:
            raise ValueError(_("Unknown party code(s): %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
        return parties


class CommitmentWidget(widgets.ForeignKeyWidget):
    def __init__(self) -> None:
        super().__init__(Commitment, "ref")

    def clean(self, value, row=None, **kwargs):
        ref = str(value or "").strip()
        if not ref:
            return None
        commitment = Commitment.objects.filter(ref=ref).first()
        if commitment is None:
            raise ValueError(_("Unknown commitment %(ref)s in continues.") % {"ref": repr(ref)})
        return commitment


class DateWidget(widgets.DateWidget):
    """ISO dates in CSV; real dates in XLSX cells."""

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        return super().clean(value, row, **kwargs)


class CommitmentResource(resources.ModelResource):
    # Long texts read like short ones: an empty cell is an empty text, not NULL.
    WIDGETS_MAP = {**resources.ModelResource.WIDGETS_MAP, "TextField": widgets.CharWidget}

    session = fields.Field(attribute="session", column_name="session", widget=SessionWidget())
    area = fields.Field(attribute="area", column_name="area", widget=AreaWidget())
    lead_organisation = fields.Field(attribute="lead_organisation", column_name="lead_organisation", widget=OrganisationWidget())
    supporting_organisations = fields.Field(
        attribute="supporting_organisations", column_name="supporting_organisations", widget=OrganisationsWidget()
    )
    parties = fields.Field(attribute="parties", column_name="parties", widget=PartiesWidget())
    continues = fields.Field(attribute="continues", column_name="continues", widget=CommitmentWidget())
    due_on = fields.Field(attribute="due_on", column_name="due_on", widget=DateWidget())

    class Meta:
        model = Commitment
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["ref"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, user=None) -> None:
        super().__init__()
        self.user = user

    def get_queryset(self):
        return Commitment.objects.select_related("session__mechanism", "area", "lead_organisation", "continues").prefetch_related(
            "supporting_organisations", "parties"
        )

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An export read in Simplified Chinese shows the Chinese texts in Simplified characters;
        # reading it back keeps the text as agreed in the script it was written in.
        if field.attribute in ("title_zh", "text_zh") and instance.pk and field.column_name in row:
            stored, given = getattr(instance, field.attribute), str(row[field.column_name] or "")
            if stored != given and _same_name(stored, given):
                return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        # Make forms opened before this import stale, and record who changed it.
        if instance.pk:
            instance.version += 1
        instance._history_user = self.user
        instance._change_reason = "Imported from a spreadsheet"
        # The row and its supporting organisations are one change: recorded once, after both (see save_m2m).
        instance.skip_history_when_saving = True

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if getattr(instance, "skip_history_when_saving", False):
            del instance.skip_history_when_saving
            instance.save(update_fields=["updated_at"])

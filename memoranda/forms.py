"""Forms of the memorandum loader: the source, then the preview in which the split is fixed."""
from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import IntegerField
from django.utils.translation import gettext_lazy as _

from memoranda.choices import MECHANISM_CODE, MemorandumLanguage, Status
from memoranda.models import Commitment, Mechanism, Organisation
from memoranda.parsing import MAX_SOURCE_BYTES

FORMAT_CHOICES = [
    ("auto", _("Recognise from the file")),
    ("text", _("Plain text (press release or memorandum)")),
    ("html", _("Saved web page (HTML)")),
    ("pdf", _("PDF with text")),
    ("docx", _("Word document (DOCX)")),
    ("yaml", _("Structured file (YAML)")),
    ("json", _("Structured file (JSON)")),
    ("csv", _("Commitment rows (CSV)")),
    ("xlsx", _("Commitment rows (XLSX)")),
]


# The loader's limits. A whole source, pasted or uploaded, is limited by the parser (MAX_SOURCE_BYTES,
# 5 MB: a memorandum is some 10,000 characters); a file is also checked here, before it is kept in
# the session. The preview's fields are parts of one memorandum:
ITEM_TEXT_MAX_LENGTH = 10_000  # one agreed item: a paragraph (the longest of the 4th plenary, 589)
NAMES_MAX_LENGTH = 2_000  # co-chairs or signatories, one per line


class ModelsChoice(forms.ModelMultipleChoiceField):
    """Several rows chosen by key. Django's own field asks the database for every key given, and
    SQLite cannot even bind an integer past 64 bits (OverflowError, a 500): a key that is not a
    whole number the database can hold is refused as invalid before any query."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        if isinstance(meta.get_field(self.to_field_name) if self.to_field_name else meta.pk, IntegerField):
            for pk in value if isinstance(value, (list, tuple)) else [value]:
                if not re.fullmatch(r"-?[0-9]{1,18}", str(pk).strip()):
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class LongText(forms.CharField):
    """Free text with a length limit, refused next to the field with what was typed kept.

    Line breaks count as one character, as people count them (browsers send a textarea's line breaks
    as CR LF). No `maxlength` attribute: a browser silently cuts a pasted text at it, whereas the
    server's error says so and keeps the whole text to shorten."""

    default_error_messages = {
        "max_length": _("This text is too long: %(show_value)s characters, where at most %(limit_value)s are accepted."),
    }

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        return super().to_python(value.replace("\r\n", "\n") if isinstance(value, str) else value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class LoadSourceForm(forms.Form):
    file = forms.FileField(
        label=_("File"), required=False,
        help_text=_("The document you were sent: a saved web page of the press release, a PDF, a Word document or a text "
                    "file, in English or Chinese; or a structured YAML/JSON file; or commitment rows (CSV or XLSX) exported "
                    "from the list and edited."),
    )
    text = forms.CharField(
        label=_("…or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=_("Copy the whole press release or memorandum from the web page, PDF or e-mail and paste it here, headings "
                    "included. Page menus and footers may come along: they are left out."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    held_on = forms.DateField(label=_("Held on"), required=False, help_text=_("YYYY-MM-DD. A press release gives the day but not the year."))
    mechanism = forms.ModelChoiceField(
        label=_("Mechanism"), queryset=Mechanism.objects.all(), required=False, empty_label=_("As the source says")
    )

    def __init__(self, *args, has_kept_file: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_kept_file = has_kept_file

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > MAX_SOURCE_BYTES:  # refused here, before it is kept in the session
            raise ValidationError(_("The file is too large (%(size)s bytes); a memorandum is at most %(limit)s MB.") % {
                "size": f"{upload.size:,}", "limit": MAX_SOURCE_BYTES // 1_000_000})
        return upload

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        if not data.get("file") and not self.has_kept_file and not text:
            raise ValidationError(_("Upload a file or paste the text of the memorandum."), code="empty")
        if data.get("file") and text:
            raise ValidationError(_("Upload a file or paste text, not both."), code="both")
        return data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class SessionPreviewForm(forms.Form):
    mechanism = forms.ModelChoiceField(
        label=_("Mechanism"), queryset=Mechanism.objects.all(), required=False, empty_label=_("A new mechanism (below)"),
    )
    new_code = forms.CharField(
        label=_("Code of the new mechanism"), required=False, max_length=12,
        help_text=_("2 to 12 capital letters or digits, used in every reference (e.g. HKSH-6-1.1). Suggested from the name."),
    )
    new_name = forms.CharField(label=_("Name of the new mechanism (English)"), required=False, max_length=255)
    new_name_zh = forms.CharField(label=_("Name of the new mechanism (Chinese)"), required=False, max_length=255)
    new_party_1 = forms.CharField(
        label=_("First party"), required=False, max_length=255,
        help_text=_("Matched to an existing party by name (e.g. Hong Kong: the HKSAR Government), otherwise created."),
    )
    new_party_2 = forms.CharField(label=_("Second party"), required=False, max_length=255)
    session_number = forms.IntegerField(label=_("Session number"), min_value=1, max_value=999)
    held_on = forms.DateField(label=_("Held on"), help_text=_("YYYY-MM-DD"))
    venue = forms.CharField(label=_("Venue (English)"), required=False, max_length=200)
    venue_zh = forms.CharField(label=_("Venue (Chinese)"), required=False, max_length=200)
    co_chairs = LongText(label=_("Co-chairs"), required=False, max_length=NAMES_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."))
    title = forms.CharField(label=_("Memorandum title (English)"), required=False, max_length=300)
    title_zh = forms.CharField(label=_("Memorandum title (Chinese)"), required=False, max_length=300)
    signed_on = forms.DateField(label=_("Signed on"), required=False)
    signatories = LongText(label=_("Signatories"), required=False, max_length=NAMES_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."))
    language = forms.ChoiceField(label=_("Language signed in"), choices=MemorandumLanguage.choices)

    def clean(self):
        data = super().clean()
        if data.get("mechanism") is None:
            code = (data.get("new_code") or "").strip().upper()
            data["new_code"] = code
            if not re.fullmatch(MECHANISM_CODE, code):
                self.add_error("new_code", _("Choose a mechanism above, or give the new one a code: 2 to 12 capital letters or digits."))
            elif Mechanism.objects.filter(code=code).exists():
                self.add_error("new_code", _("This code is already another mechanism's: choose that mechanism above, or another code."))
            if not (data.get("new_name") or "").strip() and not (data.get("new_name_zh") or "").strip():
                self.add_error("new_name", _("Name the new mechanism, in English or in Chinese."))
            for party in ("new_party_1", "new_party_2"):
                if not (data.get(party) or "").strip():
                    self.add_error(party, _("Name both parties of the new mechanism."))
        return data

    def lists(self) -> dict[str, list[str]]:
        return {"co_chairs": _lines(self.cleaned_data["co_chairs"]), "signatories": _lines(self.cleaned_data["signatories"])}

    NEW_MECHANISM_FIELDS = ("new_code", "new_name", "new_name_zh", "new_party_1", "new_party_2")

    def session_fields(self) -> list:
        return [field for field in self if field.name not in self.NEW_MECHANISM_FIELDS]

    def alignment_fields(self) -> list:
        """On the pairing screen only which session matters; the rest travels hidden."""
        return [self["mechanism"], self["session_number"]]

    def hidden_for_alignment(self) -> list:
        return [field for field in self.session_fields() if field.name not in ("mechanism", "session_number")]

    def new_mechanism_fields(self) -> list:
        return [self[name] for name in self.NEW_MECHANISM_FIELDS]

    def mechanism_fields(self) -> dict:
        """What the parsed memorandum should say of its mechanism: the chosen one, or the new one."""
        data = self.cleaned_data
        if data["mechanism"] is not None:
            return {"mechanism_code": data["mechanism"].code}
        return {
            "mechanism_code": data["new_code"], "mechanism_name": data["new_name"].strip(),
            "mechanism_name_zh": data["new_name_zh"].strip(),
            "mechanism_parties": [data["new_party_1"].strip(), data["new_party_2"].strip()],
        }


class _ChosenKeysOnly:
    """Django's autocomplete widgets look the chosen values up to show their names, and fail (a
    server error) on one that is not a key at all, or too big for the database, as a hand-made post
    may send: such a value is shown as not chosen, and the field's own error says it is not valid."""

    def optgroups(self, name, value, attr=None):
        def is_key(item) -> bool:
            key = self.field.target_field
            try:
                key.run_validators(key.to_python(item))
            except ValidationError:
                return False
            return True

        return super().optgroups(name, [item for item in value if is_key(item)], attr)


class OrganisationSelect(_ChosenKeysOnly, AutocompleteSelect):
    pass


class OrganisationsSelect(_ChosenKeysOnly, AutocompleteSelectMultiple):
    pass


class ItemPreviewForm(forms.Form):
    area_name = forms.CharField(label=_("Area"), max_length=255, required=False)
    area_name_zh = forms.CharField(label=_("Area (Chinese)"), max_length=255, required=False)
    text = LongText(label=_("Text (English)"), required=False, max_length=ITEM_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}))
    text_zh = LongText(label=_("Text (Chinese)"), required=False, max_length=ITEM_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
    title = forms.CharField(label=_("Short title"), required=False, max_length=300)
    lead = forms.ModelChoiceField(
        label=_("Lead"), required=False, queryset=Organisation.objects.none(), empty_label=_("— by the rules —"),
        widget=OrganisationSelect(Commitment._meta.get_field("lead_organisation"), admin.site),
    )
    supporting = ModelsChoice(
        label=_("Supporting"), required=False, queryset=Organisation.objects.none(),
        widget=OrganisationsSelect(Commitment._meta.get_field("supporting_organisations"), admin.site),
        help_text=_("Type to find an organisation; add as many as needed."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in Status if s != Status.NOT_PURSUED])
    due_on = forms.DateField(label=_("Due on"), required=False)
    continues = forms.ChoiceField(label=_("Continues"), required=False)
    merge_with_previous = forms.BooleanField(label=_("Join to the item before"), required=False)
    remove = forms.BooleanField(label=_("Not an item: leave out"), required=False)

    def __init__(self, *args, organisations=Organisation.objects.none(), continues_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organisations
        self.fields["supporting"].queryset = organisations
        self.fields["continues"].choices = [("", _("— none —"))] + list(continues_choices)

    def clean(self):
        data = super().clean()
        if not data.get("remove") and not data.get("merge_with_previous"):
            if not (data.get("text") or "").strip() and not (data.get("text_zh") or "").strip():
                raise ValidationError(_("An item needs its text in English or Chinese, or tick “leave out”."))
            if not (data.get("area_name") or "").strip() and not (data.get("area_name_zh") or "").strip():
                self.add_error("area_name", _("Name the co-operation area this item belongs to."))
        return data


class BaseItemFormSet(forms.BaseFormSet):
    """Items of the preview. `continues_choices` offers each item its own suggestions (index →
    choices); `any_continues` is what every item may choose when the form comes back."""

    def __init__(self, *args, organisations=(), continues_choices=None, any_continues=(), **kwargs):
        self.organisations = organisations
        self.continues_choices = continues_choices or {}
        self.any_continues = list(any_continues)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        choices = self.continues_choices.get(index, self.any_continues)
        return {"organisations": self.organisations, "continues_choices": choices}


ItemFormSet = forms.formset_factory(ItemPreviewForm, formset=BaseItemFormSet, extra=0, max_num=5000, absolute_max=5000)


class PairForm(forms.Form):
    """An item of a source in the other language, and the commitment it is paired with."""

    pair = forms.ChoiceField(label=_("Same item as"), required=False)

    def __init__(self, *args, commitment_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pair"].choices = [("", _("— leave this item out —")), *commitment_choices]


class BasePairFormSet(forms.BaseFormSet):
    def __init__(self, *args, commitment_choices=(), **kwargs):
        self.commitment_choices = list(commitment_choices)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"commitment_choices": self.commitment_choices}

    def clean(self):
        chosen = [form.cleaned_data.get("pair") for form in self.forms if form.cleaned_data.get("pair")]
        doubled = sorted({ref for ref in chosen if chosen.count(ref) > 1})
        if doubled:
            raise ValidationError(_("Each commitment can be paired with one item only: %(refs)s.") % {"refs": ", ".join(doubled)})


PairFormSet = forms.formset_factory(PairForm, formset=BasePairFormSet, extra=0, max_num=5000, absolute_max=5000)

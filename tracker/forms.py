"""Forms of the progress workflow. Each carries the version it was opened at, so a stale edit is
recognised and refused rather than overwriting someone else's work."""
from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from memoranda.choices import Status
from memoranda.forms import LongText
from memoranda.models import Commitment, Mechanism, Organisation
from tracker.models import ProgressUpdate, ReportingCycle

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_LINK_MAX_LENGTH = 500  # Evidence.url's max_length
# How much evidence one save may attach: a few files and links is what an update has; more would be
# a mistake (or an attack that makes thousands of rows), and Django refuses a request of over 100 files.
MAX_EVIDENCE_FILES = 20
MAX_EVIDENCE_LINKS = 20
# Free text is limited so that no one text can make a page, an export or the PDF report unusable
# (a 1 MB narrative took the PDF 47 s). A progress narrative is a few paragraphs (the longest item
# agreed at the 4th plenary is 589 characters; the whole press release, 7,400): 10,000 characters
# is some three pages of English, more in Chinese, and longer material belongs in an evidence file.
# A review comment says what to change: 4,000 characters is a page and a half.
TEXT_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 4_000
STALE_FORM = _("This form is out of date or incomplete; reload the page and try again.")
EVIDENCE_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".txt", ".csv", ".png", ".jpg", ".jpeg"}


class UpdateText(LongText):
    """A text of a progress update: `TEXT_MAX_LENGTH` unless told, and a hint where longer material goes."""

    default_error_messages = {
        "max_length": _("This text is too long: %(show_value)s characters, where at most %(limit_value)s are accepted. "
                        "Shorten it; longer material can go in an attached file."),
    }

    def __init__(self, *, max_length: int | None = None, **kwargs):
        super().__init__(max_length=max_length or TEXT_MAX_LENGTH, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressUpdateForm(forms.ModelForm):
    evidence_files = MultipleFileField(
        label=_("Evidence files"), required=False,
        help_text=_("PDF, Office documents or images, up to 20 MB each."),
    )
    evidence_links = forms.CharField(
        label=_("Evidence links"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One web address per line, e.g. a press release."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": STALE_FORM, "invalid": STALE_FORM})
    commitment_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProgressUpdate
        fields = [
            "proposed_status", "proposed_progress", "narrative", "narrative_zh", "next_steps", "next_steps_zh",
            "not_pursued_reason", "internal_note",
        ]
        widgets = {
            "proposed_progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
            "narrative": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
            "narrative_zh": forms.Textarea(attrs={"rows": 6, "lang": "zh"}),
            "next_steps": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "next_steps_zh": forms.Textarea(attrs={"rows": 3, "lang": "zh"}),
            "not_pursued_reason": forms.Textarea(attrs={"rows": 2}),
            "internal_note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {
            name: UpdateText for name in ("narrative", "narrative_zh", "next_steps", "next_steps_zh", "not_pursued_reason", "internal_note")
        }
        labels = {"proposed_status": _("Status"), "proposed_progress": _("Progress (%)")}
        help_texts = {
            "narrative": _("What was done since the last report: events held, agreements signed, figures. "
                           "Write in English, in Chinese, or both."),
            "not_pursued_reason": _("Required when the commitment is not being pursued."),
        }

    def clean_proposed_progress(self):
        progress = self.cleaned_data["proposed_progress"]
        if progress is not None and not 0 <= progress <= 100:
            raise ValidationError(_("Progress is a percentage from 0 to 100."))
        return progress

    def clean_evidence_files(self):
        files = self.cleaned_data["evidence_files"]
        if len(files) > MAX_EVIDENCE_FILES:
            raise ValidationError(_("Attach at most %(limit)s files at a time.") % {"limit": MAX_EVIDENCE_FILES})
        for upload in files:
            if Path(upload.name).suffix.lower() not in EVIDENCE_EXTENSIONS:
                raise ValidationError(_("%(name)s: this kind of file is not accepted as evidence.") % {"name": upload.name})
            if upload.size > MAX_EVIDENCE_BYTES:
                raise ValidationError(_("%(name)s is larger than 20 MB.") % {"name": upload.name})
        return files

    def clean_evidence_links(self):
        links = [line.strip() for line in self.cleaned_data["evidence_links"].splitlines() if line.strip()]
        if len(links) > MAX_EVIDENCE_LINKS:
            raise ValidationError(_("Give at most %(limit)s links at a time.") % {"limit": MAX_EVIDENCE_LINKS})
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            if len(link) > EVIDENCE_LINK_MAX_LENGTH:
                raise ValidationError(_("A link is at most %(limit)s characters long.") % {"limit": EVIDENCE_LINK_MAX_LENGTH})
            try:
                validate(link)
            except ValidationError:
                raise ValidationError(_("%(link)s is not a web address (http:// or https://).") % {"link": link}) from None
        return links

    def clean(self):
        data = super().clean()
        if not (data.get("narrative") or "").strip() and not (data.get("narrative_zh") or "").strip():
            self.add_error("narrative", _("Say what progress was made, in English or in Chinese."))
        if data.get("proposed_status") == Status.NOT_PURSUED and not (data.get("not_pursued_reason") or "").strip():
            self.add_error("not_pursued_reason", _("Say why the commitment is not being pursued."))
        if data.get("proposed_status") == Status.COMPLETED and data.get("proposed_progress") not in (None, 100):
            self.add_error("proposed_progress", _("Set the progress of a completed commitment to 100."))
        return data

    def _post_clean(self):
        # The service validates the whole update; the form only checks what the user typed.
        pass


class CommitmentAssignForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": STALE_FORM, "invalid": STALE_FORM})

    class Meta:
        model = Commitment
        fields = ["lead_organisation", "supporting_organisations", "responsible_officer", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}), "supporting_organisations": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(party__mechanisms=self.instance.session.mechanism).select_related("party")
        self.fields["lead_organisation"].queryset = organisations
        self.fields["lead_organisation"].empty_label = _("— none —")
        self.fields["supporting_organisations"].queryset = organisations

    def _post_clean(self):
        pass


def _wording_label(name: str):
    return capfirst(ProgressUpdate._meta.get_field(name).verbose_name)


class ReviewForm(forms.Form):
    """A coordinator's decision on a submitted update. The wording fields come pre-filled with the
    update's texts: what the coordinator corrects in them is saved when they accept, as theirs."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return for changes"))], widget=forms.HiddenInput)
    comment = LongText(
        label=_("Comment to the author"), required=False, max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what needs to change."),
    )
    narrative = UpdateText(label=_wording_label("narrative"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 5, "lang": "en"}))
    narrative_zh = UpdateText(label=_wording_label("narrative_zh"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 5, "lang": "zh"}))
    next_steps = UpdateText(label=_wording_label("next_steps"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}))
    next_steps_zh = UpdateText(label=_wording_label("next_steps_zh"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3, "lang": "zh"}))
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": STALE_FORM, "invalid": STALE_FORM})

    WORDING = ("narrative", "narrative_zh", "next_steps", "next_steps_zh")

    @classmethod
    def for_update(cls, update: ProgressUpdate, data=None) -> ReviewForm:
        initial = {name: getattr(update, name) for name in cls.WORDING}
        return cls(data, initial={**initial, "version": update.version})

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change before returning the update."))
        wording_sent = any(name in self.data for name in self.WORDING)
        if data.get("decision") == "accept" and wording_sent and not any((data.get(n) or "").strip() for n in ("narrative", "narrative_zh")):
            self.add_error("narrative", _("The progress made cannot be empty in both languages."))
        return data

    def wording(self) -> dict[str, str]:
        """The wording as the form sent it, for `progress_update_accept`; a field the form did not
        send is left out, so that the author's text stands."""
        return {name: self.cleaned_data[name] for name in self.WORDING if name in self.data}


class ReportingCycleForm(forms.ModelForm):
    class Meta:
        model = ReportingCycle
        fields = ["mechanism", "title", "title_zh", "reports_to_session_number", "opens_on", "due_on"]
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}), "due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, mechanisms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms if mechanisms is not None else Mechanism.objects.all()
        self.fields["mechanism"].empty_label = _("— choose —")

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("due_on") and data["due_on"] < data["opens_on"]:
            self.add_error("due_on", _("The due date cannot be before the cycle opens."))
        if not (data.get("title") or "").strip() and not (data.get("title_zh") or "").strip():
            self.add_error("title", _("Give the cycle a title in English or Chinese."))
        return data


class WorkbookUploadForm(forms.Form):
    """The progress workbook back from an official (or, for an organisation, from a coordinator)."""

    cycle = forms.ModelChoiceField(queryset=ReportingCycle.objects.none(), label=_("Reporting cycle"), empty_label=None)
    file = forms.FileField(
        label=_("Filled-in workbook"), required=False,
        help_text=_("The workbook downloaded from this site (.xlsx), saved by Excel or LibreOffice, or a CSV of it."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"}),
    )
    submit_all = forms.BooleanField(
        label=_("Submit every filled row for review at once (otherwise they are saved as drafts to check first)"), required=False,
    )

    def __init__(self, *args, cycles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles if cycles is not None else ReportingCycle.objects.none()

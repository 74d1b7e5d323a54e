"""Forms of the memorandum loader: the source, then the preview in which the split is fixed."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from memoranda.choices import MemorandumLanguage, Status
from memoranda.models import Mechanism
from memoranda.parsing import ALL_FORMATS

FORMAT_CHOICES = [("auto", _("Recognise from the file"))] + [(value, value.upper() if value != "text" else _("Plain text")) for value in ALL_FORMATS]


class LoadSourceForm(forms.Form):
    file = forms.FileField(label=_("File"), required=False, help_text=_("YAML or JSON memorandum, plain text, or commitment rows as CSV or XLSX."))
    text = forms.CharField(
        label=_("…or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text=_("An English press release such as the 4th plenary's, or a Chinese memorandum numbered 一、（一）…"),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="auto")
    held_on = forms.DateField(label=_("Held on"), required=False, help_text=_("YYYY-MM-DD. A press release gives the day but not the year."))
    mechanism = forms.ModelChoiceField(
        label=_("Mechanism"), queryset=Mechanism.objects.all(), required=False, empty_label=_("As the source says")
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError(_("Upload a file or paste the text of the memorandum."), code="empty")
        if data.get("file") and (data.get("text") or "").strip():
            raise ValidationError(_("Upload a file or paste text, not both."), code="both")
        return data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class SessionPreviewForm(forms.Form):
    mechanism = forms.ModelChoiceField(label=_("Mechanism"), queryset=Mechanism.objects.all())
    session_number = forms.IntegerField(label=_("Session number"), min_value=1, max_value=999)
    held_on = forms.DateField(label=_("Held on"), help_text=_("YYYY-MM-DD"))
    venue = forms.CharField(label=_("Venue (English)"), required=False, max_length=200)
    venue_zh = forms.CharField(label=_("Venue (Chinese)"), required=False, max_length=200)
    co_chairs = forms.CharField(label=_("Co-chairs"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."))
    title = forms.CharField(label=_("Memorandum title (English)"), required=False, max_length=300)
    title_zh = forms.CharField(label=_("Memorandum title (Chinese)"), required=False, max_length=300)
    signed_on = forms.DateField(label=_("Signed on"), required=False)
    signatories = forms.CharField(label=_("Signatories"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("One per line."))
    language = forms.ChoiceField(label=_("Language signed in"), choices=MemorandumLanguage.choices)

    def lists(self) -> dict[str, list[str]]:
        return {"co_chairs": _lines(self.cleaned_data["co_chairs"]), "signatories": _lines(self.cleaned_data["signatories"])}


class ItemPreviewForm(forms.Form):
    area_name = forms.CharField(label=_("Area"), max_length=255, required=False)
    area_name_zh = forms.CharField(label=_("Area (Chinese)"), max_length=255, required=False)
    text = forms.CharField(label=_("Text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    text_zh = forms.CharField(label=_("Text (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    title = forms.CharField(label=_("Short title"), required=False, max_length=300)
    lead = forms.ChoiceField(label=_("Lead"), required=False)
    supporting = forms.MultipleChoiceField(label=_("Supporting"), required=False, widget=forms.SelectMultiple(attrs={"size": 4}))
    status = forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in Status if s != Status.NOT_PURSUED])
    due_on = forms.DateField(label=_("Due on"), required=False)
    continues = forms.ChoiceField(label=_("Continues"), required=False)
    merge_with_previous = forms.BooleanField(label=_("Join to the item before"), required=False)
    remove = forms.BooleanField(label=_("Not an item: leave out"), required=False)

    def __init__(self, *args, organisations=(), continues_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        owner_choices = [(o.name or o.name_zh, o.display_name) for o in organisations]
        self.fields["lead"].choices = [("", _("— by the rules —"))] + owner_choices
        self.fields["supporting"].choices = owner_choices
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

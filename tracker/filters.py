"""The commitment list's filters (django-filter): every choice offered is one the user may see."""
from __future__ import annotations

import django_filters
import zhconv
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from memoranda.choices import Status
from memoranda.models import Area, Commitment, Organisation, Party, PlenarySession
from tracker import selectors
from tracker.models import ProgressUpdate, ReportingCycle, Role, UpdateState

PAGE_SIZES = [25, 50, 100, 200]


def _mechanisms(request):
    return selectors.mechanisms_visible_to(request.user) if request else selectors.Mechanism.objects.none()


def _sessions(request):
    return PlenarySession.objects.filter(mechanism__in=_mechanisms(request)).select_related("mechanism").order_by("mechanism__code", "number")


def _areas(request):
    return Area.objects.filter(mechanism__in=_mechanisms(request)).order_by("mechanism__code", "position")


def _organisations(request):
    return Organisation.objects.filter(party__mechanisms__in=_mechanisms(request)).distinct().order_by("party__code", "name")


def _parties(request):
    return Party.objects.filter(mechanisms__in=_mechanisms(request)).distinct()


def _cycles(request):
    return selectors.cycles_visible_to(request.user).order_by("-opens_on", "-pk") if request else ReportingCycle.objects.none()


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, session: PlenarySession) -> str:
        return session.title


class SessionFilter(django_filters.ModelChoiceFilter):
    field_class = SessionChoiceField


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Words, ref or Chinese text")}))
    mechanism = django_filters.ModelChoiceFilter(field_name="session__mechanism", queryset=_mechanisms, label=_("Mechanism"))
    session = SessionFilter(queryset=_sessions, label=_("Session"))
    area = django_filters.ModelChoiceFilter(queryset=_areas, label=_("Area"))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple)
    lead_organisation = django_filters.ModelChoiceFilter(queryset=_organisations, label=_("Lead organisation"))
    party = django_filters.ModelChoiceFilter(field_name="parties", queryset=_parties, label=_("Party"))
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte", label=_("Due on or after"), widget=forms.DateInput(attrs={"type": "date"}))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due on or before"), widget=forms.DateInput(attrs={"type": "date"}))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput)
    no_update = django_filters.BooleanFilter(
        method="filter_no_update", label=_("No accepted update in the open cycle"), widget=forms.CheckboxInput
    )
    # "My commitments" links here for the rest of what a cycle awaits from the official's organisations.
    mine = django_filters.BooleanFilter(
        method="filter_mine", label=_("Led or supported by my organisations"), widget=forms.CheckboxInput
    )
    # The drill-down of a cycle's completeness links here: what the cycle still waits for.
    outstanding_in_cycle = django_filters.ModelChoiceFilter(
        queryset=_cycles, method="filter_outstanding_in_cycle", label=_("Awaiting an update in the cycle")
    )

    class Meta:
        model = Commitment
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must match the ref, title or text, in English or Chinese, in either script."""
        for word in value.split()[:10]:
            matches = Q(ref__icontains=word) | Q(title__icontains=word) | Q(text__icontains=word)
            for variant in {word, zhconv.convert(word, "zh-hant"), zhconv.convert(word, "zh-hans")}:
                matches |= Q(title_zh__icontains=variant) | Q(text_zh__icontains=variant)
            queryset = queryset.filter(matches)
        return queryset

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.overdue(timezone.localdate()) if value else queryset

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.owned_by(selectors.organisations_of(self.request.user, [Role.OFFICIAL]))

    def filter_outstanding_in_cycle(self, queryset: QuerySet, name: str, cycle: ReportingCycle | None) -> QuerySet:
        """Commitments the cycle covers with no update submitted or accepted in it yet."""
        return queryset.filter(pk__in=selectors.cycle_outstanding(cycle).values("pk")) if cycle else queryset

    def filter_no_update(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        accepted = ProgressUpdate.objects.filter(
            state=UpdateState.ACCEPTED, cycle__in=selectors.cycles_visible_to(self.request.user).open()
        ).values("commitment_id")
        return queryset.exclude(pk__in=accepted)

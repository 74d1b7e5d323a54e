"""The admin of what was agreed: how each model is listed, searched and edited, and the
memorandum loader.

The classes are registered by `tracker/admin.py`, which puts them under the one rule of who may see
and change what (it needs users and memberships, which this app knows nothing of). The parts
that are the same for everyone stay here.
"""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.urls import path
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from memoranda.admin_views import LoaderViews
from memoranda.resources import CommitmentResource
from memoranda.services import commitment_carry_forward, recorded_once

from memoranda.models import Commitment, Memorandum, Milestone


class PartyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_zh", "short_name"]
    search_fields = ["code", "name", "name_zh", "short_name", "short_name_zh"]


class MechanismAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_zh", "established_year"]
    search_fields = ["code", "name", "name_zh", "former_names"]
    filter_horizontal = ["parties"]


class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "abbreviation", "party", "kind", "is_coordinating_office"]
    list_filter = [("party", admin.RelatedOnlyFieldListFilter), "kind", "is_coordinating_office"]
    search_fields = ["name", "name_zh", "abbreviation"]
    autocomplete_fields = ["party", "parent"]


class MemorandumInline(admin.StackedInline):
    model = Memorandum
    extra = 0
    fields = ["title", "title_zh", "signed_on", "signatories", "language", "source_description", "source_file"]


class PlenarySessionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mechanism", "number", "held_on", "venue"]
    list_filter = [("mechanism", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["mechanism__code", "mechanism__name", "venue", "venue_zh", "co_chairs"]
    autocomplete_fields = ["mechanism"]
    inlines = [MemorandumInline]


class MemorandumAdmin(admin.ModelAdmin):
    change_list_template = "admin/memoranda/memorandum/change_list.html"
    list_display = ["__str__", "session", "signed_on", "language", "loaded_at"]
    list_filter = [("session__mechanism", admin.RelatedOnlyFieldListFilter), "language"]
    search_fields = ["title", "title_zh", "signatories", "source_text"]
    autocomplete_fields = ["session"]
    readonly_fields = ["checksum", "loaded_at"]

    def get_urls(self):
        loader = LoaderViews(self)
        wrap = self.admin_site.admin_view
        return [
            path("load/", wrap(loader.load), name="memoranda_memorandum_load"),
            path("load/<str:token>/", wrap(loader.preview), name="memoranda_memorandum_preview"),
            path("load/<str:token>/rows/", wrap(loader.rows_confirm), name="memoranda_memorandum_rows_confirm"),
            *super().get_urls(),
        ]


class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "mechanism", "position"]
    list_filter = [("mechanism", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_zh"]
    autocomplete_fields = ["mechanism"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class CommitmentAdminForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Reverting to an earlier version (the history's "Revert"): the form is filled from that
        # version's row, but Django reads many-to-many fields from the database as it is now, so
        # the supporting organisations of the version reverted to were lost (and, for a commitment
        # no longer in the database, all of them). The history holds the organisations of each
        # version: start from those.
        version = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if version is not None and "supporting_organisations" in self.fields:
            self.initial["supporting_organisations"] = [row.organisation_id for row in version.supporting_organisations.all()]

    def clean(self):
        cleaned = super().clean()
        earlier, session = cleaned.get("continues"), cleaned.get("session")
        if earlier and session and (earlier.session.mechanism_id != session.mechanism_id or earlier.session.number >= session.number):
            self.add_error("continues", _("Choose a commitment of an earlier session of the same mechanism."))
        return cleaned


class SessionsListedFilter(admin.RelatedOnlyFieldListFilter):
    """The sessions the rows listed belong to. A session's name is its mechanism's code and its
    number: Django's own filter fetched each session's mechanism one by one (200 queries at
    100,000 commitments); here they come with the sessions, in one query."""

    def field_choices(self, field, request, model_admin):
        listed = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        ordering = self.field_admin_ordering(field, request, model_admin) or ("mechanism__code", "number")
        sessions = field.remote_field.model._default_manager.filter(pk__in=listed).select_related("mechanism").order_by(*ordering)
        return [(session.pk, str(session)) for session in sessions]


class CommitmentAdmin(ExportMixin, SimpleHistoryAdmin):
    form = CommitmentAdminForm
    # Export here; rows come back in through "Load memorandum", which checks them all first.
    resource_classes = [CommitmentResource]
    list_display = ["ref", "title", "area", "lead_organisation", "status", "progress", "due_on"]
    # Filters offer only what the rows listed refer to: names of what someone may not see stay unseen.
    list_filter = [
        ("session__mechanism", admin.RelatedOnlyFieldListFilter), ("session", SessionsListedFilter),
        ("area", admin.RelatedOnlyFieldListFilter), "status", ("lead_organisation__party", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["ref", "title", "title_zh", "text", "text_zh", "lead_organisation__name"]
    autocomplete_fields = ["session", "area", "lead_organisation", "supporting_organisations", "parties", "continues"]
    list_select_related = ["area", "lead_organisation", "session__mechanism"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [MilestoneInline]
    fieldsets = [
        (None, {"fields": ["ref", "session", "area", "area_position", "item_position"]}),
        (_("What was agreed"), {"fields": ["title", "title_zh", "text", "text_zh", "parties", "continues"]}),
        (_("Owners"), {"fields": ["lead_organisation", "supporting_organisations", "responsible_officer"]}),
        (_("Where it stands"), {"fields": ["status", "progress", "not_pursued_reason", "due_on"]}),
        (_("Record"), {"fields": ["version", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:
            # The admin is a write path too: it must make open edit forms elsewhere stale. What the
            # form does not hold (the version, whether it is archived) is the database's, not that
            # of the row the form started from: a revert starts from an earlier version's row.
            current = Commitment.all_objects.filter(pk=obj.pk).values("version", "archived_at", "archived_by").first()
            if current is not None:
                obj.version = current["version"]
                obj.archived_at, obj.archived_by_id = current["archived_at"], current["archived_by"]
            obj.version += 1
        with recorded_once(obj):  # one history entry, naming the supporting organisations changed
            super().save_model(request, obj, form, change)
            form.save_m2m()  # save_related finds the relations already set, so records nothing more
        if obj.continues_id and "continues" in form.changed_data:
            commitment_carry_forward(earlier=obj.continues, later=obj, by=request.user)


class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "commitment", "due_on", "status"]
    list_filter = ["status", ("commitment__session", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "title_zh", "commitment__ref"]
    autocomplete_fields = ["commitment"]

"""The Django admin of both apps, under the one rule of who may see and change what.

Everyone finds in the admin the rows they find on the pages (`tracker.selectors`), and changes there
only what `tracker.access` lets them do; the admin is an administrator's tool, and a staff account of
anyone else reads at most:

| what | administrators | other staff accounts |
|---|---|---|
| commitments and their milestones | everything | read their mechanisms'; coordinators set owners, due date, milestones of theirs |
| progress updates, evidence | everything | read what their pages show, internal notes only where the pages show them; officials edit their organisation's drafts |
| reporting cycles | everything | read their mechanisms'; coordinators open and change theirs |
| parties, mechanisms, organisations, sessions, memoranda, areas, reminders, snapshots | change (snapshots: read) | read what they see |
| memberships, profiles | change | nothing |

Commitments, progress updates and evidence are never deleted: an administrator archives them and
restores them (`tracker.archive`), finds them under the "archived" filter, and purges the files of
archived evidence. How, is `tracker/admin_rules.py`. memoranda's admin classes (forms, history, the memorandum loader) are defined in
`memoranda/admin.py`, which knows nothing of users, and registered here with the rule.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from memoranda import admin as agreed
from memoranda.models import Area, Commitment, Mechanism, Memorandum, Milestone, Organisation, Party, PlenarySession
from tracker import access, archive, selectors
from tracker.models import Evidence, Membership, Profile, ProgressUpdate, Reminder, ReportingCycle, Snapshot
from tracker.admin_rules import AdministratorsOnlyAdmin, ArchivableAdmin, ParentRuleInline, RowLevelAdmin
from tracker.roles import sync_role_groups
from tracker.selectors import User, is_administrator


# What was agreed: reference data (administrators change it, others read what they may see) -------


def _mechanisms(user: User) -> QuerySet[Mechanism]:
    return selectors.mechanisms_visible_to(user)


def _parties(user: User) -> QuerySet[Party]:
    """The parties of the mechanisms the user sees."""
    return Party.objects.filter(pk__in=Mechanism.parties.through.objects.filter(mechanism__in=_mechanisms(user)).values("party_id"))


@admin.register(Party)
class PartyAdmin(RowLevelAdmin, agreed.PartyAdmin):
    def visible_to(self, user):
        return _parties(user)


@admin.register(Mechanism)
class MechanismAdmin(RowLevelAdmin, agreed.MechanismAdmin):
    def visible_to(self, user):
        return _mechanisms(user)


@admin.register(Organisation)
class OrganisationAdmin(RowLevelAdmin, agreed.OrganisationAdmin):
    def visible_to(self, user):
        return Organisation.objects.filter(party__in=_parties(user))


class MemorandumInline(ParentRuleInline, agreed.MemorandumInline):
    pass


@admin.register(PlenarySession)
class PlenarySessionAdmin(RowLevelAdmin, agreed.PlenarySessionAdmin):
    inlines = [MemorandumInline]

    def visible_to(self, user):
        return PlenarySession.objects.filter(mechanism__in=_mechanisms(user))


@admin.register(Memorandum)
class MemorandumAdmin(RowLevelAdmin, agreed.MemorandumAdmin):
    """Its "Load memorandum" screens ask `has_add_permission`: administrators only, as for all
    reference data (memoranda/admin_views.py)."""

    def visible_to(self, user):
        return Memorandum.objects.filter(session__mechanism__in=_mechanisms(user))


@admin.register(Area)
class AreaAdmin(RowLevelAdmin, agreed.AreaAdmin):
    def visible_to(self, user):
        return Area.objects.filter(mechanism__in=_mechanisms(user))


# Commitments and milestones ------------------------------------------------------------------------

# What a coordinator changes in a commitment of their mechanism, as on its page ("manage"): the rest
# is what was agreed, which only administrators change (and which says whose mechanism it is).
MANAGED_FIELDS = {"lead_organisation", "supporting_organisations", "responsible_officer", "due_on", "continues"}


class MilestoneInline(ParentRuleInline, agreed.MilestoneInline):
    pass


@admin.register(Commitment)
class CommitmentAdmin(ArchivableAdmin, agreed.CommitmentAdmin):
    inlines = [MilestoneInline]

    def visible_to(self, user):
        return selectors.commitments_visible_to(user)

    def may_change(self, user, obj):
        if obj is None:
            return is_administrator(user) or selectors.commitments_managed_by(user).exists()
        return access.may(user, "manage", obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if is_administrator(request.user):
            return readonly
        every = [name for _title, options in self.fieldsets for name in options["fields"]]
        return readonly + [name for name in every if name not in MANAGED_FIELDS and name not in readonly]

    def archive_object(self, obj, by):
        return archive.commitment_archive(commitment=obj, by=by)

    def restore_object(self, obj, by):
        return archive.commitment_restore(commitment=obj, by=by)

    def archived_with(self, obj):
        at = obj.archived_at
        updates = ProgressUpdate.all_objects.filter(commitment=obj, archived_at=at)
        evidence = Evidence.all_objects.filter(update__in=updates, archived_at=at)
        return [
            ngettext("%(count)d progress update", "%(count)d progress updates", updates.count()) % {"count": updates.count()},
            ngettext("%(count)d piece of evidence", "%(count)d pieces of evidence", evidence.count()) % {"count": evidence.count()},
        ]


@admin.register(Milestone)
class MilestoneAdmin(RowLevelAdmin, agreed.MilestoneAdmin):
    def visible_to(self, user):
        return Milestone.objects.filter(commitment__in=selectors.commitments_visible_to(user))

    def may_add(self, user):
        return is_administrator(user) or selectors.commitments_managed_by(user).exists()

    def may_change(self, user, obj):
        if obj is None:
            return self.may_add(user)
        return access.may(user, "manage", obj.commitment)

    def choices_for(self, db_field, request):
        if db_field.name == "commitment" and not is_administrator(request.user):
            return selectors.commitments_managed_by(request.user)
        return super().choices_for(db_field, request)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Moving a milestone to another commitment would move it out of the rule's reach.
        return readonly + ["commitment"] if obj is not None and not is_administrator(request.user) else readonly


# How it is going ---------------------------------------------------------------------------------


@admin.register(Membership)
class MembershipAdmin(AdministratorsOnlyAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__party"]
    search_fields = ["user__username", "user__email", "organisation__name", "organisation__name_zh"]
    autocomplete_fields = ["user", "organisation"]

    # A membership's role carries its group's permissions: keep the groups in step.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sync_role_groups(obj.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        sync_role_groups(obj.user)

    def delete_queryset(self, request, queryset):
        users = {membership.user for membership in queryset.select_related("user")}
        super().delete_queryset(request, queryset)
        for user in users:
            sync_role_groups(user)


@admin.register(ReportingCycle)
class ReportingCycleAdmin(RowLevelAdmin):
    list_display = ["__str__", "mechanism", "reports_to_session_number", "opens_on", "due_on", "closed_on"]
    list_filter = [("mechanism", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "title_zh"]
    autocomplete_fields = ["mechanism", "created_by"]

    def visible_to(self, user):
        return selectors.cycles_visible_to(user)

    def may_add(self, user):
        return is_administrator(user) or selectors.mechanisms_coordinated_by(user).exists()

    def may_change(self, user, obj):
        if obj is None:
            return self.may_add(user)
        return access.may(user, "change", obj)

    def choices_for(self, db_field, request):
        if db_field.name == "mechanism" and not is_administrator(request.user):
            return selectors.mechanisms_coordinated_by(request.user)
        return super().choices_for(db_field, request)

    def get_readonly_fields(self, request, obj=None):
        if is_administrator(request.user):
            return super().get_readonly_fields(request, obj)
        # Who opened it is whoever did; its mechanism, once open, is what the rule goes by.
        return ["created_by"] + (["mechanism"] if obj is not None else [])

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class EvidenceInline(ParentRuleInline, admin.TabularInline):
    """Evidence is added on the update's page, where files are checked; here administrators only."""

    model = Evidence
    extra = 0
    can_delete = False  # archived, never deleted: from the evidence's own page

    def may_change_parent(self, request, obj) -> bool:
        return is_administrator(request.user) and super().may_change_parent(request, obj)


# What an official writes in a progress update, as on its page ("edit"): the rest is the workflow's
# (state, reviewer, dates), which only its services and administrators change.
WRITTEN_FIELDS = {
    "proposed_status", "proposed_progress", "narrative", "narrative_zh", "next_steps", "next_steps_zh",
    "not_pursued_reason", "internal_note",
}


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ArchivableAdmin, SimpleHistoryAdmin):
    list_display = ["commitment", "cycle", "author", "proposed_status", "proposed_progress", "state", "submitted_at"]
    list_filter = ["state", "proposed_status", ("cycle", admin.RelatedOnlyFieldListFilter), "is_demo"]
    search_fields = ["commitment__ref", "narrative", "author__username"]
    autocomplete_fields = ["commitment", "cycle", "author", "organisation", "reviewer"]
    list_select_related = ["commitment", "cycle", "author"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [EvidenceInline]

    def visible_to(self, user):
        return selectors.updates_visible_to(user)

    def may_change(self, user, obj):
        if obj is None:
            return is_administrator(user) or selectors.updates_editable_by(user).exists()
        return access.may(user, "edit", obj)

    def shows_internal_note(self, request, obj) -> bool:
        return obj is None or access.may(request.user, "see_internal_note", obj)

    # The internal note is for the organisation that wrote it and the coordinators: nowhere else,
    # not in the form, not read-only, not in the history.
    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if self.shows_internal_note(request, obj) else [*exclude, "internal_note"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if self.shows_internal_note(request, obj) else [name for name in fields if name != "internal_note"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if is_administrator(request.user):
            return readonly
        every = [field.name for field in self.model._meta.fields if field.editable and not field.primary_key]
        readonly += [name for name in every if name not in WRITTEN_FIELDS and name not in readonly]
        return readonly if self.shows_internal_note(request, obj) else [name for name in readonly if name != "internal_note"]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        records = list(historical_records)
        if records and not self.shows_internal_note(request, records[0].instance):
            previous = None
            for current in records:
                if previous is not None:
                    delta = previous.diff_against(current, excluded_fields=["internal_note"], foreign_keys_are_objs=foreign_keys_are_objs)
                    previous.history_delta_changes = self.get_historical_record_context_helper(request, previous).context_for_delta_changes(delta)
                previous = current
            return
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)

    def save_model(self, request, obj, form, change):
        if change:
            # The admin is a write path too: open edit forms elsewhere become stale. The version and
            # whether it is archived are the database's, not those of the version a revert starts from.
            current = ProgressUpdate.all_objects.filter(pk=obj.pk).values("version", "archived_at", "archived_by").first()
            if current is not None:
                obj.version = current["version"]
                obj.archived_at, obj.archived_by_id = current["archived_at"], current["archived_by"]
            obj.version += 1
        super().save_model(request, obj, form, change)

    def archive_object(self, obj, by):
        return archive.update_archive(update=obj, by=by)

    def restore_object(self, obj, by):
        return archive.update_restore(update=obj, by=by)

    def archived_with(self, obj):
        count = Evidence.all_objects.filter(update=obj, archived_at=obj.archived_at).count()
        return [ngettext("%(count)d piece of evidence", "%(count)d pieces of evidence", count) % {"count": count}]


@admin.register(Evidence)
class EvidenceAdmin(ArchivableAdmin):
    list_display = ["__str__", "update", "created_at"]
    list_select_related = ["update__commitment"]
    search_fields = ["description", "url", "update__commitment__ref"]
    autocomplete_fields = ["update"]
    actions = [*ArchivableAdmin.actions, "purge_archived"]

    def visible_to(self, user):
        return Evidence.objects.filter(update__in=selectors.updates_visible_to(user))

    def archive_object(self, obj, by):
        return archive.evidence_archive(evidence=obj, by=by)

    def restore_object(self, obj, by):
        return archive.evidence_restore(evidence=obj, by=by)

    def has_purge_permission(self, request) -> bool:
        return is_administrator(request.user)

    @admin.action(description=gettext_lazy("Purge archived evidence (the files too, for good)"), permissions=["purge"])
    def purge_archived(self, request, queryset):
        """Asks first, listing what goes; each piece goes whole (file and row) or not at all."""
        chosen = list(queryset.filter(archived_at__isnull=False))
        left_out = queryset.filter(archived_at__isnull=True).count()
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Purge archived evidence?"), "opts": self.opts, "evidence": chosen, "left_out": left_out,
                "selected": [evidence.pk for evidence in chosen], "action": "purge_archived",
            }
            return TemplateResponse(request, "admin/tracker/evidence/purge_confirmation.html", context)
        purged = 0
        for evidence in chosen:
            try:
                archive.evidence_purge(evidence=evidence, by=request.user)
            except (OSError, ValidationError) as error:
                message = " ".join(error.messages) if isinstance(error, ValidationError) else _("its file could not be removed; it was kept.")
                self.message_user(request, f"{evidence}: {message}", messages.ERROR)
            else:
                purged += 1
        self.message_user(request, ngettext(
            "%(count)d piece of evidence was purged.", "%(count)d pieces of evidence were purged.", purged) % {"count": purged})
        return None


@admin.register(Reminder)
class ReminderAdmin(RowLevelAdmin):
    list_display = ["cycle", "recipient", "kind", "sent_on", "commitment_count"]
    list_filter = ["kind", ("cycle", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["recipient__username", "recipient__email"]
    date_hierarchy = "sent_on"

    def visible_to(self, user):
        return Reminder.objects.filter(cycle__in=selectors.cycles_visible_to(user))


@admin.register(Profile)
class ProfileAdmin(AdministratorsOnlyAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Snapshot)
class SnapshotAdmin(RowLevelAdmin):
    """Snapshots are frozen: the admin shows them and never changes them."""

    list_display = ["session", "as_at", "label", "created_by", "created_at"]
    list_filter = [("session", admin.RelatedOnlyFieldListFilter)]
    readonly_fields = ["session", "as_at", "label", "rows", "created_by", "created_at"]

    def visible_to(self, user):
        return Snapshot.objects.filter(session__mechanism__in=_mechanisms(user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

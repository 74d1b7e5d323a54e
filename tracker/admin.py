from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tracker.models import Evidence, Membership, Profile, ProgressUpdate, Reminder, ReportingCycle, Snapshot
from tracker.roles import sync_role_groups


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
class ReportingCycleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "mechanism", "reports_to_session_number", "opens_on", "due_on", "closed_on"]
    list_filter = ["mechanism"]
    search_fields = ["title", "title_zh"]
    autocomplete_fields = ["mechanism", "created_by"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["commitment", "cycle", "author", "proposed_status", "proposed_progress", "state", "submitted_at"]
    list_filter = ["state", "proposed_status", "cycle", "is_demo"]
    search_fields = ["commitment__ref", "narrative", "author__username"]
    autocomplete_fields = ["commitment", "cycle", "author", "organisation", "reviewer"]
    list_select_related = ["commitment", "cycle", "author"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "update", "created_at"]
    list_select_related = ["update__commitment"]
    search_fields = ["description", "url", "update__commitment__ref"]
    autocomplete_fields = ["update"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["cycle", "recipient", "kind", "sent_on", "commitment_count"]
    list_filter = ["kind", "cycle"]
    search_fields = ["recipient__username", "recipient__email"]
    date_hierarchy = "sent_on"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Snapshots are frozen: the admin shows them and never changes them."""

    list_display = ["session", "as_at", "label", "created_by", "created_at"]
    list_filter = ["session"]
    readonly_fields = ["session", "as_at", "label", "rows", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

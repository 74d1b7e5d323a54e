"""How the admin applies the one rule (tracker.access, tracker.selectors) to a model, and how it
archives instead of deleting (tracker.archive): the mixins `tracker/admin.py` registers every model with.

- `RowLevelAdmin`: a person lists, opens, autocompletes and chooses only the rows they may see, and
  adds and changes only what they may; a row out of sight is answered as one that does not exist.
- `ArchivableAdmin`: "Archive" and "Restore" (asked first) instead of "Delete"; archived rows under
  the "archived" filter, for administrators, read-only until restored.
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tracker import access
from tracker.selectors import User, is_administrator


class RowLevelAdmin(admin.ModelAdmin):
    """A model's admin under the rule. Each model says which rows a person sees (`visible_to`) and
    what they may add and change (`may_add`, `may_change`); by default, only administrators. The
    permissions of the person's role (Django's model permissions) are asked as well: both must agree."""

    def visible_to(self, user: User) -> QuerySet:
        """The rows (not archived) `user` may see."""
        manager = self.model._default_manager
        return manager.all() if is_administrator(user) else manager.none()

    def may_add(self, user: User) -> bool:
        return is_administrator(user)

    def may_change(self, user: User, obj: Model | None) -> bool:
        """Whether `user` may change `obj` (None: some row of the model)."""
        return is_administrator(user)

    def may_see(self, user: User, obj: Model) -> bool:
        if is_administrator(user):
            return True
        if obj._meta.concrete_model in access.RULES:
            return access.may(user, access.VIEW, obj)
        return self.visible_to(user).filter(pk=obj.pk).exists()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if is_administrator(request.user):
            return queryset
        return queryset.filter(pk__in=self.visible_to(request.user).values("pk"))

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and (obj is None or self.may_see(request.user, obj))

    def has_add_permission(self, request, *args) -> bool:
        return super().has_add_permission(request, *args) and self.may_add(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and is_administrator(request.user)

    def choices_for(self, db_field, request: HttpRequest) -> QuerySet | None:
        """What a relation may be set to: the rows of its model the user may see, not archived
        (also what the field's autocomplete offers)."""
        related = self.admin_site._registry.get(db_field.related_model)
        if not isinstance(related, RowLevelAdmin):
            return None
        ordering = related.get_ordering(request)
        choices = related.visible_to(request.user)
        return choices.order_by(*ordering) if ordering else choices

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and (choices := self.choices_for(db_field, request)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and (choices := self.choices_for(db_field, request)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if getattr(request.resolver_match, "url_name", "") == "autocomplete":
            # Choosing a row for a field: only those the field may be set to (no archived ones).
            queryset = queryset.filter(pk__in=self.visible_to(request.user).values("pk"))
        return queryset, may_have_duplicates

    def history_view(self, request, object_id, extra_context=None):
        # A row the user may not see has no history for them either, as if it did not exist
        # (django-simple-history would otherwise fall back on the row's last recorded version).
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One recorded version (django-simple-history), and reverting to it: asked of the row as it
        is now, and reverting is changing it (simple-history saves whoever may read the history)."""
        current = self.get_object(request, unquote(object_id))
        if current is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, current):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class AdministratorsOnlyAdmin(RowLevelAdmin):
    """Memberships and profiles: who is who, for administrators only."""

    def has_module_permission(self, request) -> bool:
        return is_administrator(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_administrator(request.user) and super().has_view_permission(request, obj)


class ParentRuleInline:
    """Rows shown inside another's form (milestones in a commitment, …) are changed with it: by
    whoever may change the parent and holds the permission for the rows' own model."""

    def may_change_parent(self, request, obj) -> bool:
        return self.admin_site._registry[self.parent_model].has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and self.may_change_parent(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.may_change_parent(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and is_administrator(request.user)


class ArchivedFilter(admin.SimpleListFilter):
    """Archived rows are listed only when asked for."""

    title = gettext_lazy("archived")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("yes", _("Archived")), ("all", _("Archived or not"))]

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["query_string"] == changelist.get_query_string(remove=[self.parameter_name]):
                choice["display"] = _("Not archived")
            yield choice

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(archived_at__isnull=self.value() != "yes")


class ArchivableAdmin(RowLevelAdmin):
    """Commitments, progress updates, evidence: archived and restored (`tracker.archive`), never
    deleted. An archived row is read-only until it is restored; administrators alone see it."""

    change_form_template = "admin/archivable_change_form.html"
    actions = ["archive_selected", "restore_selected"]

    def archive_object(self, obj, by: User):
        raise NotImplementedError

    def restore_object(self, obj, by: User):
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        if not is_administrator(request.user):
            return super().get_queryset(request)
        queryset = self.model.all_objects.all()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        return [*filters, ArchivedFilter] if is_administrator(request.user) else filters

    def may_see(self, user: User, obj: Model) -> bool:
        if obj.is_archived:
            return access.may(user, "restore", obj)
        return super().may_see(user, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_archived:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def view_on_site(self, obj):
        # An archived row has no page on the site until it is restored.
        if obj.is_archived or not hasattr(obj, "get_absolute_url"):
            return None
        return obj.get_absolute_url()

    def has_archive_permission(self, request) -> bool:
        return is_administrator(request.user)

    has_restore_permission = has_archive_permission

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/archive/", wrap(self.archive_view), name="%s_%s_archive" % info),
            path("<path:object_id>/restore/", wrap(self.restore_view), name="%s_%s_restore" % info),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {}
        if obj is not None:
            action = "restore" if obj.is_archived else "archive"
            if access.may(request.user, action, obj):
                extra[f"{action}_url"] = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{action}", args=[obj.pk])
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def archive_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._archive_or_restore(request, object_id, "archive")

    def restore_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._archive_or_restore(request, object_id, "restore")

    def _archive_or_restore(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """A page that asks first (GET) and then archives or restores the row (POST)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not access.may(request.user, action, obj):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if request.method == "POST":
            try:
                (self.archive_object if action == "archive" else self.restore_object)(obj, request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                done = _("%(object)s was archived.") if action == "archive" else _("%(object)s was restored.")
                self.message_user(request, done % {"object": obj}, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Archive %(object)s?") % {"object": obj} if action == "archive" else _("Restore %(object)s?") % {"object": obj},
            "object": obj, "opts": self.opts, "action": action, "change_url": change_url, "with_it": self.archived_with(obj),
        }
        return TemplateResponse(request, "admin/archive_confirmation.html", context)

    def archived_with(self, obj) -> list[str]:
        """What archiving or restoring `obj` takes along, said on the page that asks."""
        return []

    @admin.action(description=gettext_lazy("Archive the selected rows"), permissions=["archive"])
    def archive_selected(self, request, queryset):
        rows = list(queryset.filter(archived_at__isnull=True))
        for obj in rows:
            self.archive_object(obj, request.user)
        self.message_user(request, ngettext("%(count)d row was archived.", "%(count)d rows were archived.", len(rows)) % {"count": len(rows)})

    @admin.action(description=gettext_lazy("Restore the selected rows"), permissions=["restore"])
    def restore_selected(self, request, queryset):
        restored = 0
        for obj in queryset.filter(archived_at__isnull=False):
            try:
                self.restore_object(obj, request.user)
            except ValidationError as error:
                self.message_user(request, f"{obj}: {' '.join(error.messages)}", messages.ERROR)
            else:
                restored += 1
        self.message_user(request, ngettext("%(count)d row was restored.", "%(count)d rows were restored.", restored) % {"count": restored})

"""How it is going: who belongs to which organisation, reporting cycles and progress updates."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from memoranda.models import Archivable, Commitment, Mechanism, Organisation, PlenarySession, Status, WithoutArchivedManager, in_language


class Role(models.TextChoices):
    OFFICIAL = "official", _("Official")
    COORDINATOR = "coordinator", _("Coordinator")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    """A user's place in an organisation. What they may see and change follows from it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.OFFICIAL)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user__username", "organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_per_organisation"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class ReportingCycleQuerySet(models.QuerySet):
    def open(self, today=None) -> ReportingCycleQuerySet:
        return self.filter(opens_on__lte=today or timezone.localdate(), closed_on__isnull=True)


class ReportingCycle(models.Model):
    """A round of progress reporting, e.g. 'Progress report to the 5th Plenary Session'."""

    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, related_name="reporting_cycles", verbose_name=_("mechanism")
    )
    title = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    reports_to_session_number = models.PositiveSmallIntegerField(
        _("reports to plenary session number"),
        validators=[MinValueValidator(1)],
        help_text=_("The session the report is for; it need not have been held yet."),
    )
    opens_on = models.DateField(_("opens on"), default=timezone.localdate)
    due_on = models.DateField(_("updates due on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ReportingCycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("reporting cycle")
        verbose_name_plural = _("reporting cycles")
        permissions = [("remind_reportingcycle", _("Can send reminders for a reporting cycle"))]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gte=models.F("opens_on")), name="cycle_due_after_opening"),
            models.CheckConstraint(condition=~Q(title="") | ~Q(title_zh=""), name="cycle_has_title"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_zh)[0]

    @property
    def is_open(self) -> bool:
        return self.is_open_on(timezone.localdate())

    def is_open_on(self, day) -> bool:
        return self.closed_on is None and self.opens_on <= day

    def get_absolute_url(self) -> str:
        return reverse("cycle-detail", args=[self.pk])


class UpdateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ProgressUpdateQuerySet(models.QuerySet):
    def accepted(self) -> ProgressUpdateQuerySet:
        return self.filter(state=UpdateState.ACCEPTED)

    def awaiting_review(self) -> ProgressUpdateQuerySet:
        return self.filter(state=UpdateState.SUBMITTED)


class ProgressUpdate(Archivable):
    """An official's report on a commitment. Accepting it is what moves the commitment's status.
    Archived, never deleted."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="updates", verbose_name=_("commitment")
    )
    cycle = models.ForeignKey(
        ReportingCycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        verbose_name=_("reporting cycle"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates", verbose_name=_("author")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        verbose_name=_("on behalf of"),
    )
    proposed_status = models.CharField(_("status"), max_length=20, choices=Status)
    proposed_progress = models.PositiveSmallIntegerField(_("progress (%)"))
    # Written in English and/or Chinese (one is required): each side's officials write in their own
    # language, and pages and reports show the reader's, marking where they fall back to the other.
    narrative = models.TextField(_("progress made (English)"), blank=True)
    narrative_zh = models.TextField(_("progress made (Chinese)"), blank=True)
    next_steps = models.TextField(_("next steps (English)"), blank=True)
    next_steps_zh = models.TextField(_("next steps (Chinese)"), blank=True)
    not_pursued_reason = models.TextField(_("reason for not pursuing"), blank=True)
    internal_note = models.TextField(
        _("internal note"), blank=True, help_text=_("Seen only by the owning organisation and the coordinators.")
    )
    state = models.CharField(_("state"), max_length=20, choices=UpdateState, default=UpdateState.DRAFT)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_updates",
        verbose_name=_("reviewer"),
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The commitment as its author last saw it: accepting must not silently undo what was accepted since.
    commitment_version = models.PositiveIntegerField(_("commitment version written against"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historical progress update"))
    objects = WithoutArchivedManager.from_queryset(ProgressUpdateQuerySet)()
    all_objects = ProgressUpdateQuerySet.as_manager()  # archived ones too: the admin and restoring

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        permissions = [
            ("submit_progressupdate", _("Can report progress on the organisation's commitments")),
            ("review_progressupdate", _("Can accept or return progress updates")),
        ]
        indexes = [
            # A cycle's progress asks, per commitment, for its best update in the cycle (dashboard,
            # cycle pages, /my/): without this index that scanned every update of the cycle per row.
            models.Index(fields=["commitment", "cycle", "state"], name="update_commitment_cycle"),
            # The review queue and the menu's count: submitted updates, oldest first.
            models.Index(fields=["state", "submitted_at"], name="update_state_submitted"),
            # An organisation's updates by state: what an official's desk lists (returned, drafts, awaiting).
            models.Index(fields=["organisation", "state"], name="update_organisation_state"),
            # Submitted updates again, only those awaiting review: a few thousand rows among hundreds of thousands, so
            # the database's planner (which counts rows per state, not which states are rare) picks it.
            models.Index(
                fields=["submitted_at", "id"], condition=Q(state="submitted", archived_at__isnull=True), name="update_awaiting_review"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(proposed_status__in=Status.values), name="update_status_valid"),
            models.CheckConstraint(
                condition=Q(proposed_progress__gte=0, proposed_progress__lte=100), name="update_progress_0_100"
            ),
            models.CheckConstraint(condition=Q(state__in=UpdateState.values), name="update_state_valid"),
            models.CheckConstraint(
                condition=~Q(proposed_status=Status.NOT_PURSUED) | ~Q(not_pursued_reason=""),
                name="update_not_pursued_needs_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=UpdateState.RETURNED) | ~Q(review_comment=""), name="update_returned_needs_comment"
            ),
            models.CheckConstraint(
                condition=Q(state=UpdateState.DRAFT) | Q(submitted_at__isnull=False), name="update_submitted_has_date"
            ),
            models.CheckConstraint(condition=~Q(narrative="") | ~Q(narrative_zh=""), name="update_has_narrative"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment.ref} – {self.get_state_display()} ({self.created_at:%Y-%m-%d})"

    @property
    def is_editable(self) -> bool:
        return self.state in {UpdateState.DRAFT, UpdateState.RETURNED}

    @property
    def display_narrative(self) -> tuple[str, bool]:
        """The narrative in the reader's language (and script), and whether it fell back to the other."""
        return in_language(self.narrative, self.narrative_zh)

    @property
    def display_next_steps(self) -> tuple[str, bool]:
        return in_language(self.next_steps, self.next_steps_zh)


def evidence_upload_path(evidence: Evidence, filename: str) -> str:
    """A folder no one can guess: files are served only through the permission-checked view."""
    return f"evidence/{evidence.update.commitment.ref}/{uuid.uuid4().hex}/{filename}"


class Evidence(Archivable):
    """A file or a link that supports a progress update. Archived, never deleted: its file stays
    on disk until an administrator purges it, and then the file and the row go together."""

    update = models.ForeignKey(
        ProgressUpdate, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("progress update")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_path, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WithoutArchivedManager()
    all_objects = models.Manager()  # archived ones too: the admin, restoring and purging

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="evidence_is_file_or_link"),
        ]

    def __str__(self) -> str:
        return self.description or self.url or self.file.name.rsplit("/", 1)[-1]


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    BY_COORDINATOR = "by_coordinator", _("Sent by a coordinator")


class Reminder(models.Model):
    """A reminder e-mailed to one person about one cycle on one day: the record that keeps
    `send_reminders` from sending the same reminder twice, however often it runs."""

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("reporting cycle"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind)
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    commitment_count = models.PositiveIntegerField(_("commitments awaiting an update"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "recipient", "kind", "sent_on"], name="reminder_once_a_day"),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.sent_on})"


class Snapshot(models.Model):
    """The state of a session's commitments frozen "as at" a date, e.g. the day of the next plenary.
    Its rows never change afterwards: it is created whole and has no way to be edited."""

    session = models.ForeignKey(PlenarySession, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("session"))
    as_at = models.DateField(_("as at"))
    label = models.CharField(_("label"), max_length=200, blank=True, help_text=_("e.g. For the 5th Plenary Session"))
    rows = models.JSONField(_("rows"), default=list, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("frozen by")
    )
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)

    class Meta:
        ordering = ["-as_at", "-pk"]
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [models.UniqueConstraint(fields=["session", "as_at"], name="snapshot_once_per_day")]

    def __str__(self) -> str:
        return f"{self.session} @ {self.as_at}"


class Profile(models.Model):
    """What the tracker remembers of a person beyond Django's user: the language they read, so
    that e-mail reaches them in it and a new browser opens in it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class CalendarFeed(models.Model):
    """A person's private calendar address (`/calendar/<token>.ics`): calendar apps cannot sign in,
    so the token in the address is the only credential. It is `key` (which row) followed by
    `secret` (compared in constant time, so the time an answer takes says nothing of it). Both are
    kept as they are, so that the address can be shown again: they open only what this database
    holds anyway. Revoking deletes the row; a new address replaces both."""

    KEY_LENGTH, SECRET_LENGTH = 16, 43  # secrets.token_urlsafe(12) and (32): 96 and 256 random bits

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=KEY_LENGTH, unique=True, editable=False)
    secret = models.CharField(_("secret"), max_length=SECRET_LENGTH, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def token(self) -> str:
        return self.key + self.secret

    def get_absolute_url(self) -> str:
        return reverse("calendar-feed", args=[self.token])


class DataVersion(models.Model):
    """One row whose token changes whenever commitments, updates or what they hang on change: the
    key under which expensive counts are cached (tracker.aggregates), shared by every app server
    because it lives in the database."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data version")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"


class ExportJobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")


def export_file_path(job: ExportJob, filename: str) -> str:
    return f"exports/{job.pk}/{filename}"  # one folder per job: names never collide, the address is unguessable


class ExportJob(models.Model):
    """An export too big to write while the browser waits: the list's filters as they were asked
    for, written by the task worker (tracker.export_jobs), kept for EXPORT_KEEP_HOURS, then pruned.
    Only the person who asked may see it; its address is unguessable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("requested by"))
    kind = models.CharField(_("format"), max_length=8)
    query = models.TextField(_("filters"), blank=True)  # the list's query string, without page, size or _export
    language = models.CharField(_("language"), max_length=16)
    state = models.CharField(_("state"), max_length=10, choices=ExportJobState.choices, default=ExportJobState.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"))

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="exportjob_requested"), models.Index(fields=["expires_at"], name="exportjob_expires")]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("export-job", args=[self.pk])

    @property
    def percent(self) -> int:
        return 100 if self.state == ExportJobState.DONE else (round(100 * self.rows_done / self.rows_total) if self.rows_total else 0)

    @property
    def is_pending(self) -> bool:
        return self.state in {ExportJobState.QUEUED, ExportJobState.RUNNING}

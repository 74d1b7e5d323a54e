"""What was agreed: mechanisms, sessions, memoranda, areas, organisations and commitments.

This app knows nothing of users or progress reporting (that is `tracker`); it never imports it.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

import zhconv

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from memoranda.choices import MECHANISM_CODE, MemorandumLanguage, Status
from memoranda.formatting import session_title


@lru_cache(maxsize=20_000)
def in_script(text: str, language: str) -> str:
    """Chinese text in the reader's script: memoranda may come in Traditional or Simplified."""
    return zhconv.convert(text, "zh-hans" if language == "zh-hans" else "zh-hant")


def in_language(english: str, chinese: str) -> tuple[str, bool]:
    """The text in the reader's language (and script), and whether it fell back to the other one."""
    language = get_language() or "en"
    wants_chinese = language.startswith("zh")
    if wants_chinese and chinese:
        return in_script(chinese, language), False
    preferred, other = (chinese, english) if wants_chinese else (english, chinese)
    if preferred:
        return preferred, False
    return other, bool(other)


class WithoutArchivedManager(models.Manager):
    """The default manager of what can be archived: an archived row is gone from every page, list,
    export, report and count that reads through it (and through the relations to it, which use
    this manager too). `all_objects` still has it, for the admin and for restoring it."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(archived_at__isnull=True)


class Archivable(models.Model):
    """What is archived rather than deleted (commitments, progress updates, evidence): an
    administrator can bring it back with everything it is related to. Who archived it is a user,
    the one trace of users in this app besides the history (see tracker/archive.py)."""

    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("archived by"),
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class BilingualName(models.Model):
    """A name kept in English and in Chinese; `display_name` follows the reader's language."""

    name = models.CharField(_("name (English)"), max_length=255, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        return in_language(self.name, self.name_zh)[0]

    def __str__(self) -> str:
        return self.display_name


class Party(BilingualName):
    """A government side of a mechanism, e.g. the HKSAR Government."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    short_name = models.CharField(_("short name (English)"), max_length=60, blank=True)
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=60, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [models.CheckConstraint(condition=~Q(name="") | ~Q(name_zh=""), name="party_has_a_name")]

    @property
    def display_short_name(self) -> str:
        return in_language(self.short_name, self.short_name_zh)[0] or self.display_name


class Mechanism(BilingualName):
    """A co-operation conference between two governments, e.g. the Hong Kong/Beijing one."""

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        help_text=_("Short upper-case code used in commitment references, e.g. HKBJ."),
    )
    parties = models.ManyToManyField(Party, related_name="mechanisms", verbose_name=_("parties"))
    established_year = models.PositiveSmallIntegerField(_("year established"), null=True, blank=True)
    former_names = models.TextField(_("earlier names"), blank=True, help_text=_("One per line."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=rf"^{MECHANISM_CODE}$"), name="mechanism_code_upper"),
        ]


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    BUREAU = "bureau", _("Policy bureau")
    DEPARTMENT = "department", _("Department or office")
    STATUTORY_BODY = "statutory_body", _("Statutory body")
    ENTERPRISE = "enterprise", _("Enterprise")
    ACADEMIC = "academic", _("University or academic alliance")
    CULTURAL = "cultural", _("Cultural institution")
    OTHER = "other", _("Other")


class Organisation(BilingualName):
    """A bureau, department, statutory body, enterprise … that owns or supports commitments."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("party"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind, default=OrganisationKind.DEPARTMENT)
    is_coordinating_office = models.BooleanField(
        _("coordinating office"),
        default=False,
        help_text=_("The office that co-ordinates this party's side of its mechanisms."),
    )

    class Meta:
        ordering = ["party__code", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(fields=["party", "name"], name="organisation_name_unique_per_party"),
            models.CheckConstraint(condition=~Q(name="") | ~Q(name_zh=""), name="organisation_has_a_name"),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]


class PlenarySession(models.Model):
    """One plenary session of a mechanism; its number is unique within the mechanism."""

    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("mechanism")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    venue = models.CharField(_("venue (English)"), max_length=200, blank=True)
    venue_zh = models.CharField(_("venue (Chinese)"), max_length=200, blank=True)
    co_chairs = models.TextField(_("co-chairs"), blank=True, help_text=_("One per line."))

    class Meta:
        ordering = ["mechanism__code", "number"]
        verbose_name = _("plenary session")
        verbose_name_plural = _("plenary sessions")
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "number"], name="session_number_unique_per_mechanism"),
            models.CheckConstraint(condition=Q(number__gte=1), name="session_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism.code} {self.number}"

    @property
    def title(self) -> str:
        return session_title(self)

    def get_absolute_url(self) -> str:
        return reverse("session-detail", args=[self.mechanism.code, self.number])

    @property
    def co_chair_list(self) -> list[str]:
        return [line.strip() for line in self.co_chairs.splitlines() if line.strip()]


class Memorandum(models.Model):
    """The signed outcome of a plenary session, and the source it was loaded from."""

    session = models.OneToOneField(
        PlenarySession, on_delete=models.PROTECT, related_name="memorandum", verbose_name=_("session")
    )
    title = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signatories = models.TextField(_("signatories"), blank=True, help_text=_("One per line."))
    language = models.CharField(
        _("language signed in"), max_length=8, choices=MemorandumLanguage, default=MemorandumLanguage.CHINESE
    )
    source_description = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("What the source text is, e.g. the English press release.")
    )
    source_text = models.TextField(_("source text"), blank=True)
    source_file = models.FileField(_("source file"), upload_to="memoranda/%Y/", blank=True)
    checksum = models.CharField(
        _("checksum of the source"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 of the source, so that loading the same source again is recognised."),
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["session__mechanism__code", "session__number"]
        verbose_name = _("memorandum")
        verbose_name_plural = _("memoranda")
        constraints = [
            models.CheckConstraint(condition=Q(language__in=MemorandumLanguage.values), name="memorandum_language_valid"),
            models.UniqueConstraint(fields=["checksum"], condition=~Q(checksum=""), name="memorandum_checksum_unique"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return in_language(self.title, self.title_zh)[0] or str(self.session)

    @property
    def signatory_list(self) -> list[str]:
        return [line.strip() for line in self.signatories.splitlines() if line.strip()]


class AlignedSource(models.Model):
    """A source in the other language, aligned item by item with a memorandum already loaded: the
    Chinese memorandum of a session loaded from the English release, or the reverse. Kept so that
    loading it again is recognised and changes nothing."""

    memorandum = models.ForeignKey(
        Memorandum, on_delete=models.PROTECT, related_name="aligned_sources", verbose_name=_("memorandum")
    )
    language = models.CharField(_("language"), max_length=8, choices=MemorandumLanguage)
    source_description = models.CharField(_("source"), max_length=300, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    source_file = models.FileField(_("source file"), upload_to="memoranda/%Y/", blank=True)
    checksum = models.CharField(_("checksum of the source"), max_length=64, unique=True)
    items_filled = models.PositiveIntegerField(_("items filled"), default=0)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["memorandum", "loaded_at"]
        verbose_name = _("aligned source")
        verbose_name_plural = _("aligned sources")
        constraints = [
            models.CheckConstraint(condition=Q(language__in=MemorandumLanguage.values), name="aligned_source_language_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.memorandum} ({self.get_language_display()})"


class Area(BilingualName):
    """A co-operation area of a mechanism. It recurs across sessions, so reports can group by it."""

    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="areas", verbose_name=_("mechanism"))
    position = models.PositiveSmallIntegerField(_("usual position"), default=0)

    class Meta:
        ordering = ["mechanism__code", "position", "name"]
        verbose_name = _("co-operation area")
        verbose_name_plural = _("co-operation areas")
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "name"], condition=~Q(name=""), name="area_name_unique_per_mechanism"
            ),
            models.UniqueConstraint(
                fields=["mechanism", "name_zh"], condition=~Q(name_zh=""), name="area_name_zh_unique_per_mechanism"
            ),
            models.CheckConstraint(condition=~Q(name="") | ~Q(name_zh=""), name="area_has_a_name"),
        ]


class CommitmentQuerySet(models.QuerySet):
    def for_session(self, session: PlenarySession) -> CommitmentQuerySet:
        return self.filter(session=session)

    def open(self) -> CommitmentQuerySet:
        return self.exclude(status__in=Status.closed())

    def overdue(self, today: datetime.date | None = None) -> CommitmentQuerySet:
        """Due before today and not yet finished."""
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def owned_by(self, organisations: Iterable[Organisation] | models.QuerySet) -> CommitmentQuerySet:
        """Led or supported by any of `organisations`, each commitment once (no DISTINCT needed).
        Support is asked per commitment (EXISTS on the through table's unique index), so a query
        already narrowed, to one cycle say, never lists every commitment a bureau supports: at
        100,000 commitments that list was most of the time of /my/ (0.35 s against 0.07 per cycle)."""
        supported = Commitment.supporting_organisations.through.objects.filter(
            commitment=models.OuterRef("pk"), organisation__in=organisations
        )
        return self.filter(Q(lead_organisation__in=organisations) | models.Exists(supported))

    def in_reading_order(self) -> CommitmentQuerySet:
        return self.order_by("session__mechanism__code", "session__number", "area_position", "item_position")


class Commitment(Archivable):
    """One consensus item of a memorandum, followed until it is done. Archived, never deleted."""

    ref = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text=_("Mechanism-session-area.item, e.g. HKBJ-4-6.5. Stable: bookmarks and reports use it."),
    )
    session = models.ForeignKey(
        PlenarySession, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("session")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("area"))
    area_position = models.PositiveSmallIntegerField(_("area number in the memorandum"))
    item_position = models.PositiveSmallIntegerField(_("item number within the area"))
    title = models.CharField(_("short title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("short title (Chinese)"), max_length=300, blank=True)
    text = models.TextField(_("text as agreed (English)"), blank=True)
    text_zh = models.TextField(_("text as agreed (Chinese)"), blank=True)
    parties = models.ManyToManyField(Party, related_name="commitments", verbose_name=_("parties undertaking it"))
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_commitments",
        verbose_name=_("lead organisation"),
    )
    supporting_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="supported_commitments", verbose_name=_("supporting organisations")
    )
    responsible_officer = models.CharField(_("responsible officer"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    not_pursued_reason = models.TextField(_("reason for not pursuing"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("continues"),
        help_text=_("The commitment of an earlier session that this one carries forward."),
    )
    # Bumped by every write through a service, so that a form opened before someone else saved is
    # recognised as stale and refused rather than silently overwriting their work.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[supporting_organisations], verbose_name=_("historical commitment"))
    objects = WithoutArchivedManager.from_queryset(CommitmentQuerySet)()
    all_objects = CommitmentQuerySet.as_manager()  # archived ones too: the admin and restoring

    class Meta:
        ordering = ["session__mechanism__code", "session__number", "area_position", "item_position"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="commitment_status_valid"),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="commitment_progress_0_100"),
            models.CheckConstraint(
                condition=~Q(status=Status.NOT_PURSUED) | ~Q(not_pursued_reason=""),
                name="commitment_not_pursued_needs_reason",
            ),
            models.CheckConstraint(condition=~Q(text="") | ~Q(text_zh=""), name="commitment_has_text"),
            models.CheckConstraint(condition=~Q(continues=models.F("pk")), name="commitment_not_continuing_itself"),
            models.UniqueConstraint(
                fields=["session", "area_position", "item_position"], name="commitment_position_unique_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.display_title}"

    # Django checks uniqueness through the default manager, which hides archived commitments; yet
    # an archived commitment keeps its reference and its place (restoring brings it back there), so
    # a new item may not take them: refused here rather than by the database with an error page.
    def validate_unique(self, exclude=None) -> None:
        super().validate_unique(exclude)
        if "ref" not in (exclude or ()) and Commitment.all_objects.filter(ref=self.ref).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"ref": _("An archived commitment has this reference: restore it rather than add it again.")}, code="archived"
            )

    def validate_constraints(self, exclude=None) -> None:
        super().validate_constraints(exclude)
        place = {"session", "area_position", "item_position"}
        if not place & set(exclude or ()) and (
            Commitment.all_objects.filter(session_id=self.session_id, area_position=self.area_position, item_position=self.item_position)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                _("An archived commitment of this session has this area and item number: restore it rather than add it again."),
                code="archived",
            )

    def get_absolute_url(self) -> str:
        return reverse("commitment-detail", args=[self.ref])

    @staticmethod
    def make_ref(mechanism_code: str, session_number: int, area_position: int, item_position: int) -> str:
        return f"{mechanism_code}-{session_number}-{area_position}.{item_position}"

    @property
    def display_title(self) -> str:
        """The short title in the reader's language; for an item without one, its first words."""
        return in_language(self.title, self.title_zh)[0] or self.short_text

    @property
    def short_text(self) -> str:
        return Truncator(self.display_text).words(14) if " " in self.display_text else Truncator(self.display_text).chars(40)

    @property
    def display_text(self) -> str:
        return in_language(self.text, self.text_zh)[0]

    @property
    def is_closed(self) -> bool:
        return self.status in Status.closed()

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return bool(self.due_on and not self.is_closed and self.due_on < (today or timezone.localdate()))


class Milestone(models.Model):
    """A dated sub-action of a commitment, with its own status."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("commitment")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.NOT_STARTED)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    history = HistoricalRecords(verbose_name=_("historical milestone"))

    class Meta:
        ordering = ["commitment", "position", "due_on"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="milestone_status_valid"),
            models.CheckConstraint(condition=~Q(title="") | ~Q(title_zh=""), name="milestone_has_title"),
        ]

    def __str__(self) -> str:
        return in_language(self.title, self.title_zh)[0]

    @property
    def display_title(self) -> str:
        return str(self)

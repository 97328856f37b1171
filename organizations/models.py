"""The organization tree, its departments and leading groups, people, their membership history,
and role assignments."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import PersonKind, PersonStatus, Role
from .scope import ScopedQuerySet

PATH_SEPARATOR = "/"


def bilingual_name(name: str, name_en: str, english: bool | None = None) -> str:
    """The English name when English is wanted and there is one, else the Chinese (official)
    one. `english` None: the active language decides. For names read as plain values."""
    if english is None:
        english = (get_language() or "").startswith("en")
    return name_en if english and name_en else name


class BilingualNameMixin(models.Model):
    """A Chinese name (the official one) and an optional English name."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return bilingual_name(self.name, self.name_en)


class OrganizationKind(BilingualNameMixin):
    """A kind of party organization (group leadership, party committee, general branch, branch).

    Configurable: a group may add kinds. `code` is what frameworks name in `applies_to`.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=0, help_text=_("Order from the top of the tree (0 = highest).")
    )

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("organization kind")
        verbose_name_plural = _("organization kinds")


class OrganizationQuerySet(ScopedQuerySet):
    scope_path_field = "path"

    def subtree(self, org: "Organization", *, include_self: bool = True) -> "OrganizationQuerySet":
        qs = self.filter(path__startswith=org.path)
        return qs if include_self else qs.exclude(pk=org.pk)

    def ancestors_of(
        self, org: "Organization", *, include_self: bool = False
    ) -> "OrganizationQuerySet":
        ids = org.ancestor_ids if not include_self else [*org.ancestor_ids, org.pk]
        return self.filter(pk__in=ids).order_by("depth")


class Organization(BilingualNameMixin):
    """A party organization in the tree.

    The parent link is the truth; `path` (ancestor ids, e.g. ``/1/5/23/``) and `depth` are kept
    from it so that a subtree is one indexed prefix lookup and ancestors need no recursion.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.ForeignKey(
        OrganizationKind,
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("kind"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=1000, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' whatever the
            # collation; other databases ignore the operator class.
            models.Index(
                fields=["path"], name="org_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["parent", "name"], name="org_parent_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="org_not_own_parent"),
        ]

    def save(self, *args, **kwargs) -> None:
        """Keep path and depth consistent with the parent (moves go through services)."""
        creating = self.pk is None
        super().save(*args, **kwargs)
        if creating or not self.path:
            parent_path = self.parent.path if self.parent_id else PATH_SEPARATOR
            self.path = f"{parent_path}{self.pk}{PATH_SEPARATOR}"
            self.depth = self.path.count(PATH_SEPARATOR) - 2
            Organization.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent, read from the path (no query)."""
        return [int(part) for part in self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)][:-1]

    def is_within(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)


class Department(BilingualNameMixin):
    """A department of an organization's enterprise unit (one of the five-strives units)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("organization"),
    )
    code = models.CharField(_("code"), max_length=40)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="department_code_per_org"
            ),
        ]


class LeadingGroup(BilingualNameMixin):
    """The leading group (领导班子) of an organization's enterprise unit."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="leading_groups",
        verbose_name=_("organization"),
    )
    members = models.ManyToManyField(
        "Person", blank=True, related_name="leading_groups", verbose_name=_("members")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("leading group")
        verbose_name_plural = _("leading groups")


class Person(models.Model):
    """A party member or a member of staff, with the minimum of personal data the portal needs.

    Deliberately no ID-card number, birth date, address or phone: the portal assesses work.
    """

    name = models.CharField(_("name"), max_length=100)
    employee_number = models.CharField(_("employee number"), max_length=40, unique=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("department"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PersonKind.choices)
    party_member_since = models.DateField(_("party member since"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "employee_number"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["organization", "kind"], name="person_org_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="staff", party_member_since__isnull=True) | ~Q(kind="staff"),
                name="person_staff_has_no_party_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"

    def save(self, *args, **kwargs) -> None:
        """Keep the membership history in step with the organization and status saved here.

        Bulk writers (the people import, the demo) call `Membership.objects.follow` themselves.
        """
        creating = self._state.adding
        super().save(*args, **kwargs)
        Membership.objects.follow([self], created=creating)

    @property
    def is_party_member(self) -> bool:
        return self.kind != PersonKind.STAFF


# Statuses of people who still belong to their party organization: a retired member stays in
# (a retirees' branch, usually); one transferred out of the group or inactive has left.
BELONGING = (PersonStatus.ACTIVE, PersonStatus.RETIRED)


class MembershipQuerySet(ScopedQuerySet):
    def on(self, day) -> "MembershipQuerySet":
        """The memberships that hold on the day."""
        return self.filter(Q(start__isnull=True) | Q(start__lte=day)).filter(
            Q(end__isnull=True) | Q(end__gte=day)
        )

    def open_missing(self) -> int:
        """Open a membership since before any record for everyone belonging who has none:
        what bulk writers of new people call (one statement whatever their number)."""
        person, membership = Person._meta, Membership._meta
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(membership.db_table)} (person_id, organization_id) "
            f"SELECT p.id, p.organization_id FROM {quote(person.db_table)} p "
            f"WHERE p.status IN (%s, %s) AND NOT EXISTS (SELECT 1 FROM "
            f"{quote(membership.db_table)} m WHERE m.person_id = p.id)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, list(BELONGING))
            return cursor.rowcount

    def follow(self, people, *, created: bool = False, day=None) -> None:
        """Bring the history of these people in line with their organization and status.

        A new person is a member since before any record (`start` empty); a person who moved is
        closed in the old organization yesterday and opened in the new one today; a person who
        left (transferred out of the group, inactive) is closed yesterday. Idempotent: a person
        already in step is untouched.
        """
        day = day or timezone.localdate()
        people = list(people)
        if not people:
            return
        rows = list(self.filter(person__in=[p.pk for p in people]))
        known = {row.person_id for row in rows}
        open_rows = {row.person_id: row for row in rows if row.end is None}
        yesterday = day - timedelta(days=1)
        close: list[int] = []
        opened: list[Membership] = []
        for person in people:
            current = open_rows.get(person.pk)
            active = person.status in BELONGING
            if current and (not active or current.organization_id != person.organization_id):
                close.append(current.pk)
                current = None
            if active and current is None:
                had_any = not created and person.pk in known
                opened.append(
                    Membership(
                        person_id=person.pk,
                        organization_id=person.organization_id,
                        start=day if had_any else None,
                    )
                )
        if close:
            self.filter(pk__in=close).update(end=yesterday)
        if opened:
            self.bulk_create(opened)


class Membership(models.Model):
    """Where a person belonged from `start` to `end` (inclusive; empty = open-ended).

    Records of organizational life count who was expected at a meeting from these rows, so a
    member transferred in March is expected in the old branch before and the new one after.
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["organization", "start", "end"], name="membership_org")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=F("start")),
                name="membership_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.organization_id}: {self.start} – {self.end}"


class RoleAssignment(models.Model):
    """A user holds a role on an organization; it applies to that organization's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "role", "user"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="role_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class ImportBatch(models.Model):
    """One uploaded import file, kept between its dry-run preview and the commit.

    The bytes live in the database rather than the session or local media: any web node can show
    the preview or commit it, and the row stays as the record of exactly what was imported
    (with its sha256), by whom and with what result. Checking and importing are long jobs: a
    worker does them (status *checking* / *importing*, with a heartbeat), never the request.
    """

    class Kind(models.TextChoices):
        ORGANIZATIONS = "organizations", _("Organizations")
        PEOPLE = "people", _("People")
        # The records app's imports (records.importers): the same batch, preview and worker.
        DUES = "dues", _("Party dues")
        DUES_UPDATE = "dues_update", _("Party dues, replacing stored months")
        STUDY = "study", _("Study hours")
        # The business app's import of business figures (several years at once).
        BUSINESS_FIGURES = "business_figures", _("Business figures")

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        PENDING = "pending", _("Awaiting confirmation")
        INVALID = "invalid", _("Has errors")
        IMPORTING = "importing", _("Being imported")
        COMMITTED = "committed", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_batches",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # The dry run's findings as shown on the preview: errors by line and the changes, capped.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # The uploader's language: the worker writes the findings in it.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.filename}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

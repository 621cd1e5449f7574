"""The organisation tree, people and their roles."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Expression, F
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class OrgUnit(MP_Node):
    """A unit of the three-level service system (三级体系).

    City centres (市级中心) hold county or district stations (县级站), which hold
    grassroots rooms (基层所队室 / 社区心理室).  The tree has no fixed depth: a
    province deployment simply has one more level above.  The materialised
    path makes "this unit and everything below it" one indexed prefix query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial centre")
        CITY = "city", _("City centre")
        COUNTY = "county", _("County station")
        GRASSROOTS = "grassroots", _("Grassroots room")

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")

    def __str__(self) -> str:
        return self.name

    # The unit tree is walked only through these methods (STYLE.md: "one
    # home for each rule"), so nobody slices materialised paths by hand.
    # ``prefix`` is the relation from the filtered model to its unit, such as
    # ``"home_unit__"`` or ``"unit__"``; empty when filtering units.

    def subtree_q(self, prefix: str = "") -> models.Q:
        """A filter for rows whose unit is this one or below it."""
        return models.Q(**{f"{prefix}path__startswith": self.path})

    def ancestor_paths(self) -> list[str]:
        """The paths of this unit and of every unit above it, the root
        first and this unit last (so the nearest is ``[-1]``)."""
        step = self.steplen
        return [self.path[:end] for end in range(step, len(self.path) + 1, step)]

    def ancestors_q(self, prefix: str = "") -> models.Q:
        """A filter for rows whose unit is this one or above it."""
        return models.Q(**{f"{prefix}path__in": self.ancestor_paths()})

    @classmethod
    def ancestors_of_q(cls, path: F | Expression, prefix: str = "") -> models.Q:
        """The SQL twin of ``ancestors_q`` for a path known only to the
        database, such as ``OuterRef("unit__path")`` in a subquery: rows
        whose unit's path is a prefix of ``path``."""
        own = f"{prefix}path"
        return models.Q(**{own: Substr(path, 1, Length(own))})

    def contains(self, other: "OrgUnit | str") -> bool:
        """Whether ``other`` (a unit or its path) is this unit or below it;
        no query."""
        path = other if isinstance(other, str) else other.path
        return path.startswith(self.path)

    @property
    def parent_name(self) -> str:
        parent = self.get_parent()
        return parent.name if parent else ""


class Role(models.TextChoices):
    """The four roles; each is a Django group of the same name.

    Groups carry the Wagtail and model permissions that go with the role,
    so the admin, page permissions and our own predicates agree.
    """

    TRAINEE = "trainee", _("Trainee")
    SUPERVISOR = "supervisor", _("Supervisor")
    COORDINATOR = "coordinator", _("Coordinator")
    LEADER = "leader", _("Leader")


#: Roles that must use a second factor when LMS_REQUIRE_MFA is on.
MFA_ROLES = frozenset({Role.SUPERVISOR, Role.COORDINATOR, Role.LEADER})
#: Roles that see their unit and everything below it.
SCOPED_ROLES = frozenset({Role.COORDINATOR, Role.LEADER})


class PersonCategory(models.TextChoices):
    """Where a trainee comes from; pairing (一帮二) puts grid workers with
    volunteers or professionals."""

    VOLUNTEER = "volunteer", _("Volunteer (志愿者)")
    POLICE = "police", _("Police officer (民警/辅警)")
    GRID_WORKER = "grid_worker", _("Grid worker (网格员)")
    PROFESSIONAL = "professional", _("Professional (专业人员)")


class User(AbstractUser):
    """A person: a trainee, supervisor, coordinator or leader, often several.

    Every person belongs to exactly one home unit; platform superusers may
    have none.  Chinese names are one string, so ``full_name`` replaces the
    first/last split.
    """

    full_name = models.CharField(_("full name"), max_length=80, blank=True)
    home_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("home unit"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    staff_number = models.CharField(
        _("staff or police number"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Used to match people when rosters are imported."),
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=PersonCategory.choices, blank=True
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["staff_number"],
                condition=~models.Q(staff_number=""),
                name="core_user_staff_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """The user's role codes; uses prefetched groups when present."""
        if not self.pk or not self.is_active:
            return frozenset()
        return frozenset(group.name for group in self.groups.all())

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_list(self) -> str:
        return " / ".join(str(label) for label in self.role_labels)

    @property
    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]


def role_group(role: str) -> Group:
    group, _created = Group.objects.get_or_create(name=role)
    return group

"""Wagtail permission policies for the admin of supervision (see
``lms.core.policies``).  Registered by ``supervision.wagtail_hooks``
before the viewsets.

- duty shifts and quota exemptions: coordinators of the subtree do
  everything;
- supervisor assignments: coordinators add, end (change) and view those
  whose trainee and supervisor are both theirs; only superusers delete;
- the practice log: coordinators view the submitted entries of their
  subtree and reach the edit view (whose service refuses anyone but the
  trainee); nobody adds or deletes entries in the admin;
- techniques: one catalogue for every coordinator, retired rather than
  deleted (superusers only);
- certification tracks, their versions and requirements: coordinators of
  the track's unit or above; tracks and versions are never deleted (a
  track closes instead), a draft's requirements may be; the services
  refuse any change to a published version.
"""

from django.db.models import QuerySet

from lms.core.policies import ScopedPolicy

from .models import (
    CrisisTeam,
    DutyShift,
    PoolScheme,
    PracticeEntry,
    QualificationKind,
    QuotaExemption,
    Requirement,
    Rubric,
    RubricItem,
    SupervisorAssignment,
    TeamDrill,
    Technique,
    Tier,
    TierChange,
    Track,
    TrackVersion,
)
from .permissions import can_manage_crisis_team, can_manage_scheme, can_manage_track
from .selectors.crisis import teams_manageable_by
from .selectors.enrolments import (
    requirements_manageable_by,
    track_versions_manageable_by,
    tracks_manageable_by,
)
from .selectors.entries import entries_manageable_by
from .selectors.pool import (
    schemes_manageable_by,
    tier_changes_visible_to,
    tiers_manageable_by,
)
from .selectors.shifts import exemptions_manageable_by, shifts_manageable_by
from .selectors.supervisions import assignments_manageable_by

#: What coordinators do with rows they add but never delete.
NO_DELETE = frozenset({"add", "change", "view"})


class ShiftPolicy(ScopedPolicy):
    def scoped(self, user) -> QuerySet[DutyShift]:
        return shifts_manageable_by(user=user)


class ExemptionPolicy(ScopedPolicy):
    def scoped(self, user) -> QuerySet[QuotaExemption]:
        return exemptions_manageable_by(user=user)


class SupervisorAssignmentPolicy(ScopedPolicy):
    coordinator_actions = NO_DELETE

    def scoped(self, user) -> QuerySet[SupervisorAssignment]:
        return assignments_manageable_by(user=user)


class PracticeEntryPolicy(ScopedPolicy):
    """Entries come only from trainees, through the practice log."""

    coordinator_actions = superuser_actions = frozenset({"view", "change"})

    def scoped(self, user) -> QuerySet[PracticeEntry]:
        return entries_manageable_by(user=user)


class TechniquePolicy(ScopedPolicy):
    coordinator_actions = NO_DELETE

    def in_scope(self, user, instance: Technique) -> bool:
        return True

    def scoped(self, user) -> QuerySet[Technique]:
        return Technique.objects.all()


class TrackPolicy(ScopedPolicy):
    coordinator_actions = superuser_actions = NO_DELETE

    def in_scope(self, user, instance: Track) -> bool:
        return can_manage_track(user, instance)

    def scoped(self, user) -> QuerySet[Track]:
        return tracks_manageable_by(user=user)


class TrackVersionPolicy(ScopedPolicy):
    """Versions are made by "New draft", never added or deleted."""

    coordinator_actions = superuser_actions = frozenset({"change", "view"})

    def in_scope(self, user, instance: TrackVersion) -> bool:
        return can_manage_track(user, instance.track)

    def scoped(self, user) -> QuerySet[TrackVersion]:
        return track_versions_manageable_by(user=user)


class RequirementPolicy(ScopedPolicy):
    def in_scope(self, user, instance: Requirement) -> bool:
        return can_manage_track(user, instance.version.track)

    def scoped(self, user) -> QuerySet[Requirement]:
        return requirements_manageable_by(user=user)


POLICIES = [
    ShiftPolicy(DutyShift),
    ExemptionPolicy(QuotaExemption),
    SupervisorAssignmentPolicy(SupervisorAssignment),
    PracticeEntryPolicy(PracticeEntry),
    TechniquePolicy(Technique),
    TrackPolicy(Track),
    TrackVersionPolicy(TrackVersion),
    RequirementPolicy(Requirement),
]


# --- certification: ratings and qualifications --------------------------------


class CataloguePolicy(ScopedPolicy):
    """A catalogue shared by every coordinator, whose rows belong to no
    unit (rubrics and their items, kinds of qualification), kept like
    techniques: coordinators add and change, only superusers delete."""

    coordinator_actions = NO_DELETE

    def in_scope(self, user, instance) -> bool:
        return True

    def scoped(self, user) -> QuerySet:
        return self.model._default_manager.all()


POLICIES += [
    CataloguePolicy(Rubric),
    CataloguePolicy(RubricItem),
    CataloguePolicy(QualificationKind),
]


# --- teams ---
# Standing crisis-response teams and their drills: coordinators of the
# team's unit or above it.  Teams are closed, never deleted (deployments
# name them); a drill link may be removed.


class CrisisTeamPolicy(ScopedPolicy):
    coordinator_actions = superuser_actions = NO_DELETE

    def in_scope(self, user, instance: CrisisTeam) -> bool:
        return can_manage_crisis_team(user, instance)

    def scoped(self, user) -> QuerySet[CrisisTeam]:
        return teams_manageable_by(user=user)


class TeamDrillPolicy(ScopedPolicy):
    def in_scope(self, user, instance: TeamDrill) -> bool:
        return can_manage_crisis_team(user, instance.team)

    def scoped(self, user) -> QuerySet[TeamDrill]:
        return TeamDrill.objects.filter(
            team__in=teams_manageable_by(user=user)
        ).select_related("team", "session__unit")


POLICIES += [CrisisTeamPolicy(CrisisTeam), TeamDrillPolicy(TeamDrill)]
# --- pool ---


class PoolSchemePolicy(ScopedPolicy):
    """Schemes of the coordinator's unit and below; never deleted (members
    and the tier history name them)."""

    coordinator_actions = superuser_actions = NO_DELETE

    def in_scope(self, user, instance: PoolScheme) -> bool:
        return can_manage_scheme(user, instance)

    def scoped(self, user) -> QuerySet[PoolScheme]:
        return schemes_manageable_by(user=user)


class TierPolicy(ScopedPolicy):
    """Tiers of the schemes the coordinator manages; never deleted."""

    coordinator_actions = superuser_actions = NO_DELETE

    def in_scope(self, user, instance: Tier) -> bool:
        return can_manage_scheme(user, instance.scheme)

    def scoped(self, user) -> QuerySet[Tier]:
        return tiers_manageable_by(user=user)


class TierChangePolicy(ScopedPolicy):
    """The tier history of the coordinator's people: read-only (decisions
    are made on the dossier page)."""

    coordinator_actions = superuser_actions = frozenset({"view"})

    def scoped(self, user) -> QuerySet[TierChange]:
        return tier_changes_visible_to(user=user)


POLICIES += [
    PoolSchemePolicy(PoolScheme),
    TierPolicy(Tier),
    TierChangePolicy(TierChange),
]
# --- end pool ---

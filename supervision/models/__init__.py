from .calendar import CalendarFeed
from .cases import Case, CaseNote, Consent, Referral
from .certificates import Certificate, CertificateTransition
from .certification import (
    Enrolment,
    EnrolmentTransition,
    Requirement,
    Track,
    TrackVersion,
)
from .crisis import (
    CallOut,
    CrisisTeam,
    CrisisTeamMember,
    Deployment,
    DeploymentTransition,
    IncidentType,
    TeamDrill,
)
from .entries import EntryTransition, PracticeEntry
from .pairing import Pairing, PairingContact
from .policy import Rules, UnitPolicy
from .pool import PoolMember, PoolScheme, Tier, TierChange
from .qualifications import Qualification, QualificationKind, QualificationTransition
from .ratings import Rating, RatingScore, Rubric, RubricItem
from .reviews import ReviewTransition, VideoLessonSubmission, VideoReviewComment
from .shifts import DutyShift, QuotaExemption, ShiftSignup, ShiftSwap
from .supervision import (
    GrowthNote,
    SupervisionKind,
    SupervisionSession,
    SupervisorAssignment,
)
from .techniques import Technique, TechniqueMastery

__all__ = [
    "CalendarFeed",
    "CallOut",
    "Case",
    "CaseNote",
    "Certificate",
    "CertificateTransition",
    "Consent",
    "CrisisTeam",
    "CrisisTeamMember",
    "Deployment",
    "DeploymentTransition",
    "DutyShift",
    "Enrolment",
    "EnrolmentTransition",
    "EntryTransition",
    "GrowthNote",
    "IncidentType",
    "Pairing",
    "PairingContact",
    "PoolMember",
    "PoolScheme",
    "PracticeEntry",
    "Qualification",
    "QualificationKind",
    "QualificationTransition",
    "QuotaExemption",
    "Rating",
    "RatingScore",
    "Referral",
    "Requirement",
    "ReviewTransition",
    "Rubric",
    "RubricItem",
    "Rules",
    "ShiftSignup",
    "ShiftSwap",
    "SupervisionKind",
    "SupervisionSession",
    "SupervisorAssignment",
    "TeamDrill",
    "Technique",
    "TechniqueMastery",
    "Tier",
    "TierChange",
    "Track",
    "TrackVersion",
    "UnitPolicy",
    "VideoLessonSubmission",
    "VideoReviewComment",
]

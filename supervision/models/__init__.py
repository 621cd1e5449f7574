from .cases import Case, CaseNote, Consent, Referral
from .certificates import Certificate, CertificateTransition
from .certification import (
    Enrolment,
    EnrolmentTransition,
    Requirement,
    Track,
    TrackVersion,
)
from .entries import EntryTransition, PracticeEntry
from .pairing import Pairing, PairingContact
from .policy import Rules, UnitPolicy
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
    "Case",
    "CaseNote",
    "Certificate",
    "CertificateTransition",
    "Consent",
    "DutyShift",
    "Enrolment",
    "EnrolmentTransition",
    "EntryTransition",
    "GrowthNote",
    "Pairing",
    "PairingContact",
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
    "Technique",
    "TechniqueMastery",
    "Track",
    "TrackVersion",
    "UnitPolicy",
    "VideoLessonSubmission",
    "VideoReviewComment",
]

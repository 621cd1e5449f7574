from .cases import Case, CaseNote, Consent, Referral
from .entries import EntryTransition, PracticeEntry
from .pairing import Pairing, PairingContact
from .policy import Rules, UnitPolicy
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
    "Consent",
    "DutyShift",
    "EntryTransition",
    "GrowthNote",
    "Pairing",
    "PairingContact",
    "PracticeEntry",
    "QuotaExemption",
    "Referral",
    "ReviewTransition",
    "Rules",
    "ShiftSignup",
    "ShiftSwap",
    "SupervisionKind",
    "SupervisionSession",
    "SupervisorAssignment",
    "Technique",
    "TechniqueMastery",
    "UnitPolicy",
    "VideoLessonSubmission",
    "VideoReviewComment",
]

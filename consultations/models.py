"""The consultation room's models, one folder per feature, re-exported for the app label."""

from consultations.cases.models import (
    BreakGlassGrant,
    Case,
    CounselorTask,
    InterventionPlan,
    NoteRevision,
    ParentContact,
    PlanReview,
    Referral,
    ReferralFollowUp,
    ReferralService,
    Risk,
    RiskChange,
    SessionNote,
)
from consultations.crisis.models import CrisisAction, CrisisStep
from consultations.letters.models import CrisisWord, Letter

__all__ = [
    "BreakGlassGrant",
    "Case",
    "CounselorTask",
    "CrisisAction",
    "CrisisStep",
    "CrisisWord",
    "InterventionPlan",
    "Letter",
    "NoteRevision",
    "ParentContact",
    "PlanReview",
    "Referral",
    "ReferralFollowUp",
    "ReferralService",
    "Risk",
    "RiskChange",
    "SessionNote",
]

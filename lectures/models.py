"""The app's models, one module per sub-feature, re-exported here for the app label:
`from lectures.models import Lecture` works, and the tables and migrations stay the app's."""

from lectures.activities.models import ActivityDesign, ActivitySession
from lectures.events.models import (
    UPLOAD_EXTENSIONS,
    UPLOAD_MAX_BYTES,
    Lecture,
    LectureSession,
    SessionClass,
    SessionFile,
    Venue,
)
from lectures.feedback.models import Feedback
from lectures.publicity.models import (
    Award,
    BulletinIssue,
    BulletinPanel,
    Contest,
    ContestEntry,
    ContestJudge,
    LetterReading,
    OpenLetter,
    RubricCriterion,
    Score,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
)

__all__ = [
    "UPLOAD_EXTENSIONS",
    "UPLOAD_MAX_BYTES",
    "ActivityDesign",
    "ActivitySession",
    "Award",
    "BulletinIssue",
    "BulletinPanel",
    "Contest",
    "ContestEntry",
    "ContestJudge",
    "Feedback",
    "Lecture",
    "LectureSession",
    "LetterReading",
    "OpenLetter",
    "RubricCriterion",
    "Score",
    "SessionClass",
    "SessionFile",
    "StudentQuestion",
    "ThemeEvent",
    "ThemeMonth",
    "Venue",
]

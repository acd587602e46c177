"""The report's text: placeholders for figures, and the draft a new report starts from.

A figure stands in the text as 〔key〕 or 〔label〕 between the full-width brackets 〔 〕
(e.g. 〔lectures.sessions〕 or 〔讲座场次〕 in Chinese): easy to type with a Chinese input
method, never part of an ordinary sentence, and nothing like a template tag. The text is
data: it is escaped and its placeholders replaced by numbers, never rendered as a template.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"〔([^〔〕\n]{1,80})〕")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")
NUMERALS = "一二三四五六七八九十"


def _labels(figures):
    """label → key for the labels that name one figure only."""
    seen = {}
    for figure in figures:
        seen.setdefault(figure.label, []).append(figure.key)
    return {label: keys[0] for label, keys in seen.items() if len(keys) == 1}


def resolve(token, figures, labels=None):
    token = token.strip()
    if token in figures:
        return figures[token]
    key = (labels if labels is not None else _labels(figures)).get(token)
    return figures[key] if key else None


def unknown_placeholders(text, figures):
    """The placeholders of the text that name no figure, in order, once each."""
    labels = _labels(figures)
    unknown = []
    for token in PLACEHOLDER.findall(text or ""):
        if resolve(token, figures, labels) is None and token not in unknown:
            unknown.append(token)
    return unknown


def fill(text, figures, *, counselor=False):
    """The text with each placeholder replaced by its figure as the reader may see it
    (plain text; unknown placeholders stay as typed)."""
    labels = _labels(figures)

    def one(match):
        figure = resolve(match.group(1), figures, labels)
        return figure.display(counselor=counselor) if figure else match.group(0)

    return PLACEHOLDER.sub(one, text or "")


def paragraphs(text, figures, *, counselor=False):
    """The text as HTML paragraphs: escaped, figures filled in (marked so the preview can
    show where each number comes from), a line opening with （一） as a level-2 heading."""
    labels = _labels(figures)
    result = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        pieces, last = [], 0
        for match in PLACEHOLDER.finditer(line):
            pieces.append(escape(line[last : match.start()]))
            figure = resolve(match.group(1), figures, labels)
            if figure is None:
                pieces.append(f'<span class="unknown">{escape(match.group(0))}</span>')
            else:
                shown = escape(figure.display(counselor=counselor))
                pieces.append(
                    f'<span class="figure" data-key="{escape(figure.key)}">{shown}</span>'
                )
            last = match.end()
        pieces.append(escape(line[last:]))
        html = "".join(pieces)
        heading = LEVEL2.match(line)
        css = "level2" if heading else "para"
        result.append(mark_safe(f'<p class="{css}">{html}</p>'))
    return result


def numbered(index):
    """一、二、… for the level-1 headings."""
    if index < 10:
        return NUMERALS[index] + "、"
    return f"{index + 1}、"


def default_sections():
    """The outline of the seed's reports, each section drafted from the figures."""
    return [
        {
            "heading": _("Overview"),
            "body": _(
                "This semester the counseling office worked through the three-level network "
                "of school, departments and classes. It held 〔lectures.lectures〕 lectures "
                "in 〔lectures.sessions〕 sessions with 〔lectures.attendance〕 attendances, "
                "ran 〔activities.sessions〕 group activity sessions with "
                "〔activities.participants〕 participants, and received "
                "〔barometer.filed〕 weekly mood barometers from the classes."
            ),
        },
        {
            "heading": _("Main work"),
            "body": "\n".join(
                [
                    _("(1) Mental health lectures"),
                    _(
                        "〔lectures.lectures〕 lectures were given in 〔lectures.sessions〕 "
                        "sessions, reaching 〔lectures.classes_reached〕 classes and "
                        "〔lectures.students_reached〕 students, with "
                        "〔lectures.attendance〕 attendances in all."
                    ),
                    _("(2) Group activities"),
                    _(
                        "〔activities.designs〕 activity designs were used in "
                        "〔activities.sessions〕 sessions with 〔activities.participants〕 "
                        "participants."
                    ),
                    _("(3) Publicity"),
                    _(
                        "The bulletin board came out in 〔publicity.bulletin_issues〕 issues "
                        "and answered 〔publicity.questions_answered〕 of "
                        "〔publicity.questions〕 students' questions; "
                        "〔publicity.open_letters〕 open letters were confirmed by "
                        "〔publicity.letter_classes〕 classes; 〔publicity.theme_months〕 "
                        "theme months held 〔publicity.theme_events〕 events, with "
                        "〔publicity.contest_entries〕 contest entries and "
                        "〔publicity.awards〕 awards."
                    ),
                    _("(4) The committee network"),
                    _(
                        "〔committee.members〕 committee members served "
                        "〔committee.classes_covered〕 classes. 〔committee.meetings_held〕 of "
                        "〔committee.meetings_planned〕 planned meetings and "
                        "〔committee.trainings_held〕 of 〔committee.trainings_planned〕 "
                        "planned trainings were held, with an attendance of "
                        "〔committee.attendance_rate〕%; 〔committee.modules_completed〕 "
                        "training modules were completed."
                    ),
                    _("(5) The weekly mood barometer"),
                    _(
                        "〔barometer.filed〕 of 〔barometer.expected〕 expected barometers "
                        "were filed (〔barometer.completeness〕%), "
                        "〔barometer.timeliness〕% on time; the average weather was "
                        "〔barometer.average_weather〕. 〔barometer.alerts_raised〕 alerts "
                        "were raised and 〔barometer.alerts_closed〕 closed."
                    ),
                    _("(6) Suggestions to the departments' courses"),
                    _(
                        "〔suggestions.sent〕 suggestions were sent to the departments and "
                        "〔suggestions.answered〕 answered, in a median of "
                        "〔suggestions.median_days〕 days."
                    ),
                ]
            ),
        },
        {
            "heading": _("Results"),
            "body": _(
                "Lectures, group activities and theme months reached "
                "〔coverage.classes_reached〕 of the school's 〔coverage.classes〕 classes. "
                "〔feedback.answers〕 students gave feedback, with an average satisfaction of "
                "〔feedback.average〕 out of 5."
            ),
        },
        {
            "heading": _("Problems and challenges"),
            "body": _(
                "〔coverage.classes_uncovered〕 classes took part in nothing this semester, "
                "and 〔barometer.completeness〕 percent of the barometers expected were filed."
            ),
        },
        {
            "heading": _("Improvements"),
            "body": _(
                "Reach the classes that took part in nothing, and follow up each missing "
                "barometer with the class's committee member and teacher."
            ),
        },
        {
            "heading": _("Plan for next semester"),
            "body": _(
                "Continue the lectures for new students, the odd-week meetings and even-week "
                "trainings of the committee members, and the weekly barometer."
            ),
        },
    ]

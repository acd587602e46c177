"""The semester's figures for a school: one place that gathers them from every app.

Every number is read through the owning app's own queryset methods and figure functions
(`lectures/figures.py`, `committees/figures.py`, and, once it exists,
`consultations/figures.py`); reports never reads another app's tables by hand.

    figures = gather(school, semester)          # a FigureSet
    figures["lectures.sessions"].value          # exact, even for a sensitive kind
    figures["lectures.sessions"].display(counselor=False)   # "11"
    figures["lectures.sessions"].text(counselor=False)      # "11场" (value and unit)
    figures.section("barometer")                # the section's Figures, in KEYS order
    figures.tables["lectures"]                  # a row per lecture (see TABLES below)
    chart_svg(figures, "weather_by_week")       # SVG by committees/charts.py
    FigureSet.from_snapshot(figures.as_snapshot())   # behaves identically, frozen
    snapshots.shown_figures(semester)           # (FigureSet, counted at): the stored count

gather() counts afresh (some seventy queries): the report's draft and its submission call
it. The pages that only show the figures (the administrator's home, the figures page) read
the stored count instead, counted again in the background after a write and while the
semester runs (reports/figures/snapshots.py), and say when it was counted.

Values: counts are ints, percentages are floats from 0 to 100 (unit "%"), averages and
days are floats, and None means "no data" (displayed as "—"). `display()` gives the
number only (percent and averages with one decimal); `text()` appends the unit.

Suppression: a Figure with `sensitive=True` (concerns, alerts, immediate reports, and
later cases and referrals) whose `scope` is below the school ("department" or "class") and
whose value is 1 or 2 displays as "<3" to anyone but a counselor. Values stay exact inside
the FigureSet. Table cells follow the same rule: the sensitive columns of each table are
listed in SENSITIVE_COLUMNS (a parallel listing, so rows stay plain JSON), and
`FigureSet.display_cell(table, row, column, counselor=...)` / `display_rows(...)` apply it.
Every row of a department- or class-level table counts at that level. concerns_by_kind
is school-wide but suppressed too, as the barometer's trend pages do; and chart_svg()
leaves weather counts of 1 and 2 out of the weather chart unless `counselor=True`.

KEYS (key: label [unit]; "*" = sensitive). Keys are stable: never renamed, only added.

lectures
  lectures.lectures            Lecture series (not cancelled) [个]
  lectures.lectures_held       Lectures held (at least one session held) [个]
  lectures.sessions            Lecture sessions held [场]
  lectures.attendance          Lecture attendance (sum of present) [人次]
  lectures.classes_reached     Classes reached by a held session [个]
  lectures.students_reached    Students on the rosters of those classes [人]
activities
  activities.designs           Activity designs used in a held session [个]
  activities.sessions          Group activity sessions held [场]
  activities.participants      Participants in held sessions [人次]
publicity
  publicity.bulletin_issues    Bulletin issues published [期]
  publicity.questions          Student questions received [个]
  publicity.questions_answered Student questions answered [个]
  publicity.open_letters       Open letters sent [封]
  publicity.letter_classes     Classes that confirmed reading an open letter [个]
  publicity.theme_months       Theme months [个]
  publicity.theme_events       Theme-month events [项]
  publicity.contest_entries    Contest entries [件]
  publicity.awards             Awards given [项]
committee
  committee.members            Committee members (active) [人]
  committee.classes_covered    Classes with a committee member [个]
  committee.meetings_planned   Meetings planned (not cancelled) [次]
  committee.meetings_held      Meetings held [次]
  committee.trainings_planned  Trainings planned (not cancelled) [次]
  committee.trainings_held     Trainings held [次]
  committee.attendance_rate    Attendance at held meetings and trainings [%]
  committee.modules_completed  Training modules completed (member × module) [人次]
barometer
  barometer.filed              Barometers filed [份]
  barometer.expected           Barometers expected (class × week so far) [份]
  barometer.completeness       Filed / expected [%]
  barometer.timeliness         Filed on time / expected [%]
  barometer.average_weather    Average weather (1 sunny … 5 thunderstorm) []
  barometer.concerns         * Concerns reported (sum of counts) [人次]
  barometer.alerts_raised    * Alerts raised [条]
  barometer.alerts_escalated * Red alerts (the highest level) [条]
  barometer.alerts_closed    * Alerts closed [条]
  barometer.alerts_open      * Alerts still open [条]
  barometer.immediate_reports* Immediate reports [次]
suggestions
  suggestions.sent             Course suggestions sent [条]
  suggestions.answered         Course suggestions answered [条]
  suggestions.median_days      Median days to answer [天]
feedback
  feedback.answers             Feedback answers (lectures and activities) [份]
  feedback.average             Average satisfaction (1–5) []
  feedback.lecture_answers     Feedback answers on lectures [份]
  feedback.activity_answers    Feedback answers on group activities [份]
coverage
  coverage.classes             Active classes [个]
  coverage.classes_reached     Classes reached by a lecture, an activity or a theme event [个]
  coverage.classes_uncovered   Classes reached by nothing [个]
consultations
  whatever consultations.figures.semester_figures(school, semester) returns (keys
  "consultations.*"); the section is empty until that module exists.

TABLES (every value JSON-safe; dates as ISO strings; no student's name anywhere)
  lectures                 lecture_id, title, first_date, last_date, sessions, attendance,
                           classes, students, by_grade [{grade, classes, students}],
                           by_department [{department, classes, students}]
  activities               design, target_group, sessions, participants
  publicity                kind (bulletin|letter|theme_month|contest), title, date, count
                           (questions answered | classes confirmed | events | entries),
                           awards (contests only, else 0)
  meetings                 meeting_id, kind (meeting|training), date, topic, status,
                           expected, attended, rate (%, or None), modules [titles]
  committee_by_department  department, members, expected, attended, rate (%, or None)
  barometer_by_department  department, classes, expected, filed, on_time, completeness,
                           timeliness (%), concerns*, alerts*  (department level)
  barometer_by_week        week, expected, filed, on_time, completeness, timeliness (%),
                           average_weather
  concerns_by_kind         kind, label, count*  (school level, suppressed like the board)
  feedback                 kind (lecture|activity), title, answers, average
  uncovered_classes        class, department

CHARTS (data only, JSON-safe lists; drawn by chart_svg with committees/charts.py)
  weather_by_week          {"weeks": [w...], "weather": [1..5], "counts": [[n per weather]
                           per week]}  (school level: never suppressed)
  filing_by_week           {"weeks": [w...], "completeness": [% or None],
                           "timeliness": [% or None]}
  attendance_by_department {"labels": [department...], "values": [% rounded, or None]}
"""

from reports.figures.base import (
    KEYS,
    SECTIONS,
    SENSITIVE_COLUMNS,
    Figure,
    FigureSet,
)
from reports.figures.charts import chart_svg
from reports.figures.gathering import gather

__all__ = [
    "KEYS",
    "SECTIONS",
    "SENSITIVE_COLUMNS",
    "Figure",
    "FigureSet",
    "chart_svg",
    "gather",
]

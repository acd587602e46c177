"""Feedback from a QR code: no sign-in, one answer per device, a rate limit per address,
nothing personal kept; and the results counselors read."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from counseling import ratelimit
from counseling.errors import PortalError
from lectures.events.models import Status
from lectures.feedback import services as feedback_services
from lectures.feedback.views import DEVICE_COOKIE
from lectures.models import Feedback


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A private in-memory cache: rate-limit counters of other tests (or of a shared Redis)
    never leak in, and nothing is flushed from a Redis other processes use."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"feedback-tests-{id(settings)}",
        }
    }
    # The world's sessions were held weeks ago; the closing of the form is tested in
    # tests/security/test_feedback_ballots.py.
    settings.FEEDBACK_OPEN_DAYS = 10000


@pytest.fixture
def session(lw):
    """The first session of the world's lecture, held on 22 September, no answers yet."""
    return lw.sessions[0]


@pytest.fixture
def activity(lw):
    """The world's held 小船 activity."""
    return lw.activity


def url_of(target):
    return reverse("lectures:feedback-form", args=[target.feedback_token])


def answer(client, target, satisfaction=5, *, ip="10.0.0.1", **extra):
    data = {"satisfaction": satisfaction, "helped": "", "wish": "", **extra}
    return client.post(url_of(target), data, REMOTE_ADDR=ip)


class TestTheForm:
    def test_open_without_signing_in(self, client, session):
        response = client.get(url_of(session))
        assert response.status_code == 200
        html = response.content.decode()
        assert "成功从这里起步" in html
        assert html.count('name="satisfaction"') == 5
        cookie = response.cookies[DEVICE_COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert len(cookie.value) >= 32
        assert int(cookie["max-age"]) > 365 * 24 * 3600

    def test_an_answer_is_kept_without_anything_personal(self, client, session):
        client.get(url_of(session))
        device_cookie = client.cookies[DEVICE_COOKIE].value
        response = client.post(
            url_of(session),
            {"satisfaction": 4, "helped": " 多元化成功观 ", "wish": "多讲就业"},
            REMOTE_ADDR="10.9.8.7",
            HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) TestPhone",
        )
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "lectures:feedback-thanks", args=[session.feedback_token]
        )
        row = Feedback.objects.get(lecture_session=session)
        assert (row.satisfaction, row.helped, row.wish) == (4, "多元化成功观", "多讲就业")
        # The fields are these and no more: no user, no address, no browser (the signal is
        # a keyed hash of address and browser, checked below to hold neither in clear).
        assert {f.name for f in Feedback._meta.get_fields()} == {
            "id",
            "lecture_session",
            "activity_session",
            "satisfaction",
            "helped",
            "wish",
            "device",
            "signal",
            "created_at",
        }
        # The device is a keyed hash of the cookie, not the cookie.
        assert row.device == feedback_services.device_fingerprint(device_cookie)
        assert device_cookie not in row.device
        stored = " ".join(str(getattr(row, f.attname)) for f in Feedback._meta.concrete_fields)
        for trace in ("10.9.8.7", "TestPhone", "iPhone"):
            assert trace not in stored

    def test_the_thanks_page(self, client, session):
        answer(client, session)
        response = client.get(reverse("lectures:feedback-thanks", args=[session.feedback_token]))
        assert response.status_code == 200

    def test_one_answer_per_device(self, client, session):
        client.get(url_of(session))
        assert answer(client, session, 5).status_code == 302
        again = answer(client, session, 1)
        assert again.status_code == 409
        assert 'id="feedback-form"' not in again.content.decode()
        assert Feedback.objects.filter(lecture_session=session).count() == 1
        assert Feedback.objects.get(lecture_session=session).satisfaction == 5
        # Opening the form again says so at once.
        page = client.get(url_of(session))
        assert page.status_code == 200 and 'id="feedback-form"' not in page.content.decode()

    def test_a_new_device_is_a_new_answer(self, client, session):
        answer(client, session)
        client.cookies[DEVICE_COOKIE] = "another-phone-" + "x" * 40
        assert answer(client, session, 3).status_code == 302
        del client.cookies[DEVICE_COOKIE]
        assert answer(client, session, 2).status_code == 302  # no cookie: a new one is set
        assert Feedback.objects.filter(lecture_session=session).count() == 3

    def test_one_device_answers_each_session_once(self, client, session, activity):
        answer(client, session)
        assert answer(client, activity).status_code == 302
        assert Feedback.objects.filter(activity_session=activity).count() == 1

    def test_rate_limit_per_address(self, client, session, settings):
        settings.RATE_LIMITS = {"feedback": "3/m"}
        for address in ("10.1.1.1", "10.1.1.2"):
            ratelimit.reset("feedback", "3/m", f"ip:{address}")
        for n in range(3):
            client.cookies[DEVICE_COOKIE] = f"phone-{n}-" + "y" * 40
            assert answer(client, session, ip="10.1.1.1").status_code == 302
        client.cookies[DEVICE_COOKIE] = "phone-4-" + "y" * 40
        blocked = answer(client, session, ip="10.1.1.1")
        assert blocked.status_code == 429
        assert 'id="feedback-form"' not in blocked.content.decode()
        # Another address (another phone on mobile data) still gets through.
        assert answer(client, session, ip="10.1.1.2").status_code == 302
        assert Feedback.objects.filter(lecture_session=session).count() == 4

    def test_a_signed_in_user_stays_anonymous(self, sign_in, session):
        client = sign_in("student")
        assert answer(client, session).status_code == 302
        row = Feedback.objects.get(lecture_session=session)
        assert "student" not in " ".join(str(v) for v in row.__dict__.values())

    @pytest.mark.parametrize("bad", ["0", "6", "", "x"])
    def test_a_score_from_1_to_5(self, client, session, bad):
        response = answer(client, session, bad)
        assert response.status_code == 400
        assert not Feedback.objects.filter(lecture_session=session).exists()

    def test_long_text_refused(self, client, session):
        response = answer(client, session, 4, helped="长" * 1001)
        assert response.status_code == 400

    def test_cancelled_and_future_sessions_take_no_answers(self, client, session):
        session.status = Status.CANCELLED
        session.save()
        assert client.get(url_of(session)).status_code == 410
        assert answer(client, session).status_code == 410
        session.status = Status.PLANNED
        session.date = timezone.localdate() + datetime.timedelta(days=3)
        session.save()
        response = client.get(url_of(session))
        assert 'id="feedback-form"' not in response.content.decode()
        answer(client, session)
        assert not Feedback.objects.filter(lecture_session=session).exists()

    def test_unknown_token(self, client, db):
        assert client.get(reverse("lectures:feedback-form", args=["nope" * 6])).status_code == 404

    def test_phone_first_page(self, client, session):
        html = client.get(url_of(session)).content.decode()
        assert 'name="viewport"' in html
        assert "btn-check" in html and "w-100" in html
        # No name, no sign-in on the page itself.
        assert 'name="username"' not in html


class TestResults:
    @pytest.fixture
    def answered(self, client, session):
        """Scores 5, 5, 4, 2 with two comments, each from its own phone."""
        for n, (score, helped, wish) in enumerate(
            [(5, "很有用", ""), (5, "", "多讲人际"), (4, "", ""), (2, "", "")]
        ):
            client.cookies[DEVICE_COOKIE] = f"results-{n}-" + "z" * 40
            answer(client, session, score, helped=helped, wish=wish, ip=f"10.2.0.{n}")
        client.cookies.clear()
        return session

    def test_session_results(self, sign_in, answered):
        response = sign_in("counselor").get(
            reverse("lectures:feedback-results", args=["session", answered.pk])
        )
        assert response.status_code == 200
        summary = response.context["summary"]
        assert summary["count"] == 4
        assert summary["average"] == pytest.approx(4.0)
        assert summary["distribution"] == {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}
        bars = {b["score"]: b for b in response.context["bars"]}
        assert bars[5]["width"] == 100 and bars[4]["width"] == 50 and bars[5]["share"] == 50
        assert len(response.context["comments"]) == 2
        html = response.content.decode()
        assert "很有用" in html and "多讲人际" in html

    def test_lecture_results_per_session(self, sign_in, answered, lw):
        feedback_services.submit_feedback(lw.sessions[1], "second-session-phone", 3)
        response = sign_in("counselor").get(
            reverse("lectures:feedback-results", args=["lecture", answered.lecture_id])
        )
        assert response.status_code == 200
        per = dict(response.context["per_session"])
        assert per[answered]["count"] == 4
        assert per[lw.sessions[1]]["count"] == 1
        # The other session's answer counts for the lecture too.
        assert response.context["summary"]["count"] == 4 + 1

    def test_others_do_not_see_results(self, sign_in, client, answered):
        url = reverse("lectures:feedback-results", args=["session", answered.pk])
        for username in ("teacher", "principal", "member", "student"):
            assert sign_in(username).get(url).status_code == 403
        client.logout()
        assert client.get(url).status_code == 302

    def test_activity_results(self, client, sign_in, activity):
        for n, score in enumerate([3, 4]):
            client.cookies[DEVICE_COOKIE] = f"act-{n}-" + "w" * 40
            answer(client, activity, score, ip=f"10.3.0.{n}")
        response = sign_in("counselor").get(
            reverse("lectures:feedback-results", args=["activity", activity.pk])
        )
        assert response.context["summary"]["average"] == pytest.approx(3.5)

    def test_qr_code_page(self, sign_in, session):
        response = sign_in("counselor").get(
            reverse("lectures:feedback-qr", args=["session", session.pk])
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert f"http://testserver/lectures/f/{session.feedback_token}/" in html
        assert re.search(r"<svg[^>]*viewBox", html)

    def test_qr_code_uses_the_public_address_when_configured(self, sign_in, session, settings):
        settings.PORTAL_BASE_URL = "https://xinli.example.edu.cn/"
        response = sign_in("counselor").get(
            reverse("lectures:feedback-qr", args=["session", session.pk])
        )
        assert response.context["url"] == (
            f"https://xinli.example.edu.cn/lectures/f/{session.feedback_token}/"
        )


class TestFigures:
    def test_summary_and_figures_by_hand(self, lw):
        lecture = lw.lecture
        s1, s2 = lw.sessions
        activity = lw.activity
        for target, scores in [(s1, [5, 4]), (s2, [3]), (activity, [2, 4])]:
            for n, score in enumerate(scores):
                feedback_services.submit_feedback(target, f"device-{target.pk}-{n}-{score}", score)
        everything = Feedback.objects.for_semester(lecture.semester)
        assert everything.summary() == {
            "average": pytest.approx(3.6),
            "count": 5,
            "distribution": {1: 0, 2: 1, 3: 1, 4: 2, 5: 1},
        }
        figures = everything.figures()
        assert figures["answers"] == 5 and figures["average"] == pytest.approx(3.6)
        assert [(r["title"], r["answers"], r["average"]) for r in figures["by_lecture"]] == [
            ("成功从这里起步", 3, pytest.approx(4.0))
        ]
        assert [(r["name"], r["answers"], r["average"]) for r in figures["by_design"]] == [
            (activity.design.name, 2, pytest.approx(3.0))
        ]
        assert Feedback.objects.none().summary()["distribution"] == {n: 0 for n in range(1, 6)}

    def test_submit_feedback_once_per_device(self, session):
        assert feedback_services.submit_feedback(session, "same", 4) is True
        assert feedback_services.submit_feedback(session, "same", 5) is False
        with pytest.raises(PortalError):
            feedback_services.submit_feedback(session, "other", 9)

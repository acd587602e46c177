"""Two-factor sign-in for staff (django-otp): who must, enrolment with recovery codes, a
replayed or stale code refused, the admin site included, re-authentication before tier 3
leaves the portal."""

import time
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from counseling.models import Role
from tests.factories import PASSWORD, RoleFactory, SchoolClassFactory, UserFactory

HOME = "/"


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED = True
    return settings


@pytest.fixture
def w(db):
    school_class = SchoolClassFactory()
    school = school_class.department.school
    counselor = RoleFactory(kind=Role.Kind.COUNSELOR, school=school).user
    student = RoleFactory(kind=Role.Kind.STUDENT, school=school, school_class=school_class).user
    teacher = UserFactory()
    school_class.class_teacher = teacher
    school_class.save()
    admin = UserFactory(is_superuser=True, is_staff=True)
    return SimpleNamespace(
        school=school, counselor=counselor, student=student, teacher=teacher, admin=admin
    )


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


def code(device, at=None):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def enrol(client, user):
    """Enrol through the pages; returns the device and the recovery codes shown."""
    client.get(reverse("two-factor-enrol"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("two-factor-enrol"), {"token": code(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    return device, codes


def test_staff_must_verify_before_any_page(otp_on, w, client):
    sign_in(client, w.counselor)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("two-factor-verify")
    )
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two-factor-enrol"))
    page = response.content.decode()
    assert "<svg" in page  # the QR code, drawn inline
    device, codes = enrol(client, w.counselor)
    assert device.__class__.objects.get(pk=device.pk).confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(HOME).status_code == 200


def test_recovery_codes_are_shown_once(otp_on, w, client):
    sign_in(client, w.counselor)
    device, codes = enrol(client, w.counselor)
    again = client.get(reverse("two-factor-enrol"), follow=True)
    assert not any(c in again.content.decode() for c in codes)
    # Each recovery code signs in once.
    other = client.__class__()
    sign_in(other, w.counselor)
    other.post(reverse("two-factor-verify"), {"token": codes[0]})
    assert other.get(HOME).status_code == 200
    third = client.__class__()
    sign_in(third, w.counselor)
    third.post(reverse("two-factor-verify"), {"token": codes[0]})
    assert third.get(HOME).status_code == 302
    assert StaticToken.objects.filter(device__user=w.counselor).count() == 9


def test_a_replayed_code_is_refused(otp_on, w, client):
    sign_in(client, w.counselor)
    device, _ = enrol(client, w.counselor)
    device.refresh_from_db()
    used = code(device, device.last_t * device.step + device.t0)  # the code just used
    other = client.__class__()
    sign_in(other, w.counselor)
    response = other.post(reverse("two-factor-verify"), {"token": used})
    assert response.status_code == 200 and "已使用" in response.content.decode()
    assert other.get(HOME).status_code == 302


def test_a_stale_code_is_refused(otp_on, w, client):
    sign_in(client, w.counselor)
    device, _ = enrol(client, w.counselor)
    other = client.__class__()
    sign_in(other, w.counselor)
    stale = code(device, time.time() - 10 * device.step)
    other.post(reverse("two-factor-verify"), {"token": stale})
    assert other.get(HOME).status_code == 302


def test_a_wrong_code_is_refused_and_throttled(otp_on, w, client):
    sign_in(client, w.counselor)
    device, _ = enrol(client, w.counselor)
    other = client.__class__()
    sign_in(other, w.counselor)
    for _ in range(3):
        other.post(reverse("two-factor-verify"), {"token": "000000"})
    device.refresh_from_db()
    # After a failure django-otp waits before it tries again (and doubles the wait).
    assert device.throttling_failure_count >= 1
    # Throttled: even the right code waits.
    other.post(reverse("two-factor-verify"), {"token": code(device, time.time() + device.step)})
    assert other.get(HOME).status_code == 302


def test_students_never_need_it(otp_on, w, client):
    sign_in(client, w.student)
    assert client.get(HOME).status_code == 200


def test_class_teachers_as_their_school_says(otp_on, w, client):
    sign_in(client, w.teacher)
    assert client.get(HOME).status_code == 200
    w.school.second_factor_for_class_staff = True
    w.school.save()
    other = client.__class__()
    sign_in(other, w.teacher)
    assert other.get(HOME).status_code == 302


def test_the_admin_site_needs_it_too(otp_on, w, client):
    response = client.post(
        reverse("admin:login"), {"username": w.admin.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-verify"))
    response = client.get(reverse("admin:counseling_user_changelist"))
    assert response.status_code == 302


def test_off_in_the_demo_and_said_so(settings, w, client):
    settings.OTP_REQUIRED = False
    page = client.get(reverse("login")).content.decode()
    assert "two-factor-off" in page
    sign_in(client, w.counselor)
    assert client.get(HOME).status_code == 200
    settings.OTP_REQUIRED = True
    assert "two-factor-off" not in client.__class__().get(reverse("login")).content.decode()


def test_reauth_before_the_sensitive_export(otp_on, w, client):
    from counseling.auth.policy import VERIFIED_AT
    from tests.factories import SemesterFactory

    SemesterFactory(school=w.school)
    sign_in(client, w.counselor)
    enrol(client, w.counselor)
    url = reverse("committees:barometer-export") + "?sensitive=1"
    assert client.get(url).status_code == 200  # just verified
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    response = client.get(url)
    assert response.status_code == 302
    assert "again=1" in response["Location"]
    assert client.get(reverse("committees:barometer-export")).status_code == 200  # not tier 3
    device = TOTPDevice.objects.get(user=w.counselor)
    response = client.post(response["Location"], {"token": code(device, time.time() + device.step)})
    assert response.status_code == 302 and "sensitive=1" in response["Location"]
    assert client.get(url).status_code == 200


def test_reauth_helper_and_decorator(rf, settings, w):
    from django.contrib.sessions.backends.db import SessionStore

    from counseling.auth.reauth import is_recently_verified, require_recent_verification

    @require_recent_verification
    def view(request):
        return "ran"

    request = rf.get("/x/")
    request.session = SessionStore()
    request.user = w.counselor
    settings.OTP_REQUIRED = False
    assert is_recently_verified(request) and view(request) == "ran"
    settings.OTP_REQUIRED = True
    request.user.is_verified = lambda: True
    assert not is_recently_verified(request)
    assert view(request).status_code == 302
    request.session["otp_verified_at"] = time.time()
    assert is_recently_verified(request) and view(request) == "ran"


def test_breaking_the_glass_needs_a_fresh_code(otp_on, db, client):
    """The consultation room's emergency access opens tier 3: a code within minutes first."""
    from consultations.cases.models import BreakGlassGrant
    from counseling.auth.policy import VERIFIED_AT
    from tests.consultations.case_world import World

    world = World()
    case = world.case()
    world.other.set_password(PASSWORD)
    world.other.save()
    sign_in(client, world.other)
    enrol(client, world.other)
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    url = reverse("consultations:case-break-glass", args=[case.pk])
    response = client.post(url, {"reason": "值班时学生来电，需要了解情况"})
    assert response.status_code == 302 and "again=1" in response["Location"]
    assert not BreakGlassGrant.objects.filter(case=case).exists()
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()
    client.post(url, {"reason": "值班时学生来电，需要了解情况"})
    assert BreakGlassGrant.objects.filter(case=case, user=world.other).exists()


def test_the_owner_makes_new_recovery_codes_and_the_old_ones_stop_working(otp_on, w, client):
    from counseling.auth.policy import VERIFIED_AT

    sign_in(client, w.counselor)
    _device, old = enrol(client, w.counselor)
    url = reverse("two-factor-recovery-codes")
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600  # no fresh second factor: asked for one
    session.save()
    response = client.post(url)
    assert response.status_code == 302 and "again=1" in response["Location"]
    session = client.session
    session[VERIFIED_AT] = time.time()
    session.save()
    assert client.get(url).status_code == 200
    new = client.post(url).context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    verify = reverse("two-factor-verify")
    for token, status in ((new[0], 302), (old[1], 200)):  # the old one refused
        client.logout()
        sign_in(client, w.counselor)
        assert client.post(verify, {"token": token}).status_code == status, token

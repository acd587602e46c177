"""Enrolment of an authenticator app (QR code, recovery codes shown once) and the
second step of signing in."""

import base64
import time

import segno
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from counseling import audit
from counseling.auth.forms import TokenForm
from counseling.auth.policy import VERIFIED_AT
from counseling.auth.reauth import require_recent_verification

RECOVERY_CODES = 10


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _verified(request, device):
    otp_login(request, device)
    request.session[VERIFIED_AT] = time.time()
    audit.record(
        request.user,
        audit.AuditEntry.Action.LOGIN,
        request=request,
        label=_("Second factor: %(device)s") % {"device": type(device).__name__},
    )


@login_required
def verify(request):
    """The code, at sign-in; and again before a tier-3 export (`?again=1`)."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('two-factor-enrol')}?{urlencode({'next': _next(request)})}")
    if request.user.is_verified() and not request.GET.get("again"):
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # django-otp refuses a code already used (replay), one outside the time window
        # and, after failures, every code for a growing delay (throttling).
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            _verified(request, device)
            return redirect(_next(request))
        form.add_error("token", _("This code is not valid (wrong, expired or already used)."))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next(request), "again": bool(request.GET.get("again"))},
    )


@login_required
def enrol(request):
    if user_has_device(request.user):
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=_("Authenticator app"), confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(request.user)
            _verified(request, device)
            # Shown once, in this response only: never stored in clear, never shown again.
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error("token", _("This code is not valid (wrong, expired or already used)."))
    # A fixed mask: choosing the best of the eight was four fifths of the page's time
    # (about 10 ms), and any mask is a valid code that authenticator apps read.
    qr = segno.make(device.config_url, error="m", mask=4)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, dark="#000", light="#fff"),
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next(request),
        },
    )


@login_required
@require_recent_verification
def recovery_codes(request):
    """New recovery codes for their owner, after a fresh code: the old ones stop working."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        raise Http404("no second factor enrolled")
    if request.method == "POST":
        with transaction.atomic():
            codes = _new_recovery_codes(request.user)
            audit.record(
                request.user,
                audit.AuditEntry.Action.UPDATE,
                request=request,
                label=_("Recovery codes made anew"),
            )
        return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": "/"})
    return render(request, "registration/two_factor_new_codes.html")


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes

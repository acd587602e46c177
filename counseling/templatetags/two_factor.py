from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def otp_required():
    """Whether staff sign in with a second factor (read per request: tests change it)."""
    return settings.OTP_REQUIRED

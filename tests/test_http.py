from django.test import RequestFactory

from counseling.http import client_ip


def test_remote_addr_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.0.0.9"


def test_forwarded_address_counted_from_the_right(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.168.3.7"
    )
    assert client_ip(request) == "192.168.3.7"  # the spoofable left entry is ignored

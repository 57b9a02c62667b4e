"""The client's address, the one identity every per-IP throttle and lockout counts by.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
proxies we run appended to it: with ``TRUSTED_PROXY_COUNT = n`` (``DJANGO_TRUSTED_PROXY_COUNT``,
only with ``DJANGO_BEHIND_PROXY``), the client is the address the n-th proxy from the right saw,
i.e. the n-th entry from the end of the header. Anything left of it is the client's own claim and
is ignored. With no trusted proxy (the default), or a header too short or not an address, the
peer address of the TCP connection (``REMOTE_ADDR``) is the client.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    peer = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return peer  # a request that did not pass through every proxy: trust only the connection
    claimed = hops[-proxies]
    try:
        return str(ipaddress.ip_address(claimed))
    except ValueError:
        return peer

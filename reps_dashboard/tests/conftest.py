import socket

import pytest

_real_getaddrinfo = socket.getaddrinfo


def _loopback_only(host, *args, **kwargs):
    if host in ("localhost", "testserver") or str(host).startswith("127."):
        return _real_getaddrinfo(host, *args, **kwargs)
    raise socket.gaierror(socket.EAI_NONAME, "name resolution is off in this test")


@pytest.fixture
def offline(monkeypatch):
    """Generated URL imports must not reach the network, not even its DNS."""
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only)

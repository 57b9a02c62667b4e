"""Fetching a page for a URL import without becoming a proxy into the private network (SSRF).

Rules: only ``http``/``https``; the host name is resolved once and every address it resolves to
must be public (``ipaddress``' ``is_global`` and not multicast; an IPv6 form embedding an IPv4
address is judged by the IPv4 address; site-local and IPv4-compatible forms are refused), unless ``settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE_URLS``; the connection goes to the vetted
address (no second DNS lookup an attacker could answer differently); redirects are followed by
hand, at most ``MAX_REDIRECTS``, each target vetted the same way; connect and read time out;
the body stops at ``MAX_BYTES``; only HTML is accepted.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 5
TOTAL_SECONDS = 15
HTML_TYPES = {"text/html", "application/xhtml+xml"}
USER_AGENT = "RepsDashboard-KnowledgeImport/1.0"


class FetchError(Exception):
    """The page could not be fetched; the message is for the operator."""


@dataclass
class Page:
    url: str
    html: str


# IPv6 forms that carry an IPv4 address, which Python's ``is_global`` judges by the IPv6 prefix
# alone (so "6to4 of 127.0.0.1" would pass as global). Each is judged by the address it embeds.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits
# Never a public web site: RFC 8215 local-use NAT64, deprecated IPv4-compatible (::a.b.c.d) and
# site-local (fec0::/10, deprecated, still routed inside some networks).
_REFUSED_V6 = (ipaddress.ip_network("64:ff9b:1::/48"), ipaddress.ip_network("::/96"),
               ipaddress.ip_network("fec0::/10"))


def _public(ip) -> bool:
    return ip.is_global and not ip.is_multicast


def _allowed(address: str) -> bool:
    """A public unicast address, judged with ``ipaddress``' ``is_global`` (not a list of private
    ranges); an IPv6 address embedding an IPv4 one (mapped, 6to4, NAT64) is judged by that."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if any(ip in network for network in _REFUSED_V6):
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return _public(embedded)
    return _public(ip)


def _vetted_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f'The host "{host}" could not be found.')
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f'The host "{host}" could not be found.')
    if not settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE_URLS:
        for address in addresses:
            if not _allowed(address):
                raise FetchError(f'The host "{host}" resolves to a private or reserved network address; '
                                 "imports only reach public web sites.")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def check_url(url: str):
    """Scheme and host checks that need no network: ``(scheme, host, port)`` or ``FetchError``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("Only http and https URLs can be imported.")
    if not parts.hostname:
        raise FetchError("The URL has no host name.")
    if parts.username or parts.password:
        raise FetchError("URLs with a user name or password cannot be imported.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError("The URL's port is not valid.")
    return parts.scheme, parts.hostname, port


def fetch_html(url: str) -> Page:
    deadline = time.monotonic() + TOTAL_SECONDS
    for _ in range(MAX_REDIRECTS + 1):
        scheme, host, port = check_url(url)
        address = _vetted_address(host, port)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = cls(host, port, address, TIMEOUT_SECONDS)
        try:
            connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "text/html",
                                                       "Accept-Encoding": "identity"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"The page redirected (HTTP {response.status}) without saying where.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"The page answered HTTP {response.status} instead of 200.")
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in HTML_TYPES:
                raise FetchError(f'The URL is not an HTML page (it sent "{content_type or "no content type"}").')
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > MAX_BYTES:
                raise FetchError(f"The page is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            body = bytearray()
            while chunk := response.read(64 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    raise FetchError(f"The page is larger than {MAX_BYTES // (1024 * 1024)} MB.")
                if time.monotonic() > deadline:
                    raise FetchError("The page took too long to download.")
            charset = response.headers.get_content_charset() or "utf-8"
            try:
                html = bytes(body).decode(charset, errors="replace")
            except LookupError:
                html = bytes(body).decode("utf-8", errors="replace")
            return Page(url=url, html=html)
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError("The site did not answer in time.")
        except ssl.SSLError:
            raise FetchError("A secure connection to the site could not be established (TLS error).")
        except (OSError, http.client.HTTPException):
            raise FetchError("The site could not be reached.")
        finally:
            connection.close()
    raise FetchError(f"The page redirected more than {MAX_REDIRECTS} times.")

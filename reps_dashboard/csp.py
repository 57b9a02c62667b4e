"""Content-Security-Policy on every answer.

HTML pages (the admin, Swagger UI, ReDoc, error pages) may run scripts and load styles, images
and fonts from our own origin only: no inline script, no third-party host, no framing, no plugin.
Inline styles stay allowed (ReDoc and Swagger UI set styles at run time; styles cannot run code).
ReDoc's web worker starts from a ``blob:`` URL. Every other answer (JSON, CSV) loads nothing.
"""

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "media-src 'self' https:",  # the admin's call recordings, served by the voice platform over https
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            html = response.get("Content-Type", "").startswith("text/html")
            response[HEADER] = PAGE_POLICY if html else DATA_POLICY
        return response

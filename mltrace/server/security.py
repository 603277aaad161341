"""What the server does for browsers' safety: the headers every answer carries, and the Host names it answers."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.sansio.utils import host_is_trusted

from mltrace.server.errors import bad_request

# The console loads its scripts, styles and data from the server itself (`default-src 'self'` covers scripts,
# styles, fonts and fetches) and draws with React's style properties, set through the DOM, which a CSP does not
# restrict; `data:` is its empty favicon. `frame-ancestors 'none'` keeps every page out of frames (what
# X-Frame-Options did).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}


def add_security_headers(response: Response) -> Response:
    """Every answer, error or not, carries `SECURITY_HEADERS`."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def protect(app: Flask, allowed_hosts: tuple[str, ...]) -> None:
    """Adds the security headers to every answer of `app` and, when `allowed_hosts` is not empty, answers 400 to
    requests for any other Host (a name starting with a dot allows its subdomains)."""
    app.after_request(add_security_headers)
    if not allowed_hosts:
        return

    def check_host() -> None:
        host = request.host
        if not host_is_trusted(host, list(allowed_hosts)):
            raise bad_request(f"This server does not answer for the host {host!r}.", host=host)

    app.before_request(check_host)

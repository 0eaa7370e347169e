"""Security headers on every response, pages and API alike.

The pages load scripts, styles and fonts from this site only (bpmn-js is bundled, nothing comes
from a CDN) and run no inline script: data for the scripts travels in ``application/json``
blocks, which browsers never execute. No site may frame a page (clickjacking).
"""

from __future__ import annotations

from flask import Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # bpmn-js and its properties panel set style attributes; style elements stay refused
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: the CSRF check over HTTPS compares the Referer with the host
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Set the headers unless a view chose its own."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response

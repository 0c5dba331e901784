"""The headers every answer carries, whoever writes it: the app (``middleware``) and the HTTP
server when it refuses a request before the app sees it (``gunicorn_worker``)."""

from __future__ import annotations

from narcokg.web import cors

#: Headers on every response: set on the app's answers here, and by ``gunicorn_worker`` on the
#: answers gunicorn gives to requests it refuses before they reach the app.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    # CORS: any origin may read every answer (errors and redirects too); see ``cors``.
    **cors.HEADERS,
}

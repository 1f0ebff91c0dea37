"""The web's side of signing in: the session cookie, CSRF tokens and the same-origin rule.

A session is a random token in an HttpOnly, SameSite=Strict cookie. Every state-changing request
also carries the session's CSRF token, compared in constant time, and comes from the site's own
pages (`same_origin`), which covers POST /login too, before there is a session. Accounts,
passwords and sessions themselves are `casetrail.accounts`.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

# -- the session cookie (the web app sets it with these) ----------------------------------

SESSION_COOKIE = "casetrail_session"
SESSION_COOKIE_HTTPONLY = True  # page scripts never see the token
SESSION_COOKIE_SAMESITE = "strict"  # not sent on cross-site requests: a first line against CSRF
SESSION_COOKIE_PATH = "/"


def secure_cookies_default(host: str) -> bool:
    """Secure cookies everywhere except a loopback host, where the workbench may run on plain http."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(name).is_loopback
    except ValueError:
        return True


def session_cookie_options(secure: bool) -> dict[str, Any]:
    """Keyword arguments for `Response.set_cookie(SESSION_COOKIE, token, **...)`."""
    # No max_age: the cookie goes when the browser closes; the server ends it after 8 hours anyway.
    return {
        "httponly": SESSION_COOKIE_HTTPONLY,
        "samesite": SESSION_COOKIE_SAMESITE,
        "secure": secure,
        "path": SESSION_COOKIE_PATH,
    }


# -- CSRF and tokens --------------------------------------------------------------------------


def csrf_ok(session_csrf: str | None, submitted: str | None) -> bool:
    """The submitted token is the session's. Constant time; bytes, since compare_digest refuses non-ASCII str."""
    if not session_csrf or not submitted:
        return False
    return hmac.compare_digest(session_csrf.encode("utf-8"), submitted.encode("utf-8"))


# Sec-Fetch-Site values a browser sends for the site's own pages and for what the user typed.
SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def same_origin(headers: Mapping[str, str], host: str, scheme: str | None = None) -> bool:
    """Whether an unsafe request (POST) comes from this site's own pages: the second line against
    CSRF, for requests that carry no session yet (POST /login) as well as those that do.

    `host` is the request's Host header ("casetrail.example.org", "127.0.0.1:8000"); `scheme`,
    when known, the scheme the browser used. The request passes when its Origin (or, without
    one, its Referer) names that scheme, host and port; or when it has neither and Sec-Fetch-Site
    says same-origin or none. "Origin: null" (sandboxed frames, data: URLs, some redirects) and
    any cross-site Sec-Fetch-Site are refused, and so is a request with none of the three:
    every browser of the last several years sends Origin on a POST.

    Pages must not be served with `Referrer-Policy: no-referrer`: a browser then sends
    "Origin: null" on the page's own form posts (Fetch standard, "append a request Origin
    header"), and they would all be refused. `same-origin` keeps the URL from other sites alike.
    """
    found = {key.lower(): value for key, value in headers.items()}
    fetch_site = found.get("sec-fetch-site", "").strip().lower()
    if fetch_site and fetch_site not in SAME_ORIGIN_FETCH_SITES:
        return False
    claimed = found.get("origin")
    if claimed is None:
        claimed = found.get("referer")
    if claimed is None:
        return fetch_site in SAME_ORIGIN_FETCH_SITES
    expected = _host_port(host)
    origin = _origin(claimed)
    if expected is None or origin is None:
        return False
    origin_scheme, origin_host, origin_port = origin
    if scheme is not None and origin_scheme != scheme.lower():
        return False
    wanted_host, wanted_port = expected
    # A Host without a port means the default port of the scheme (checked equal to `scheme` above).
    return origin_host == wanted_host and origin_port == (wanted_port or _DEFAULT_PORTS[origin_scheme])


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an Origin or Referer value; None for "null" and anything unparseable."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _host_port(host: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(f"//{host.strip()}")
        port = parts.port
    except ValueError:
        return None
    return (parts.hostname.lower(), port) if parts.hostname else None

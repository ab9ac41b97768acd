"""A small HTTP client for the bench, standard library only (no dependency, nothing downloaded): keep-alive
connections to one loopback server, cookies, the real sign-in with its authenticator-app code, and the
Server-Timing header the bench middleware adds. The locustfile reuses `totp_code` and `form_token`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import re
import struct
import time
import urllib.parse
from dataclasses import dataclass, field

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_METRIC = re.compile(r"^\s*([A-Za-z0-9_-]+)((?:\s*;\s*[A-Za-z]+=(?:\"[^\"]*\"|[^;,]*))*)\s*$")


class BenchError(Exception):
    pass


def totp_code(secret: str, at: float | None = None, *, period: int = 30, digits: int = 6) -> str:
    """RFC 6238 code of an authenticator app keyed with the base32 `secret` (the synthetic accounts' key)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // period)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def form_token(html: str) -> str:
    found = _TOKEN.search(html)
    if not found:
        raise BenchError("no CSRF token in the form")
    return found.group(1)


def parse_server_timing(header: str) -> dict[str, dict[str, str]]:
    """`total;dur=1.2, sql;dur=0.4, queries;desc="3"` -> {"total": {"dur": "1.2"}, ...}."""
    metrics: dict[str, dict[str, str]] = {}
    for part in header.split(","):
        found = _METRIC.match(part)
        if not found:
            continue
        params = {}
        for param in found.group(2).split(";"):
            if "=" in param:
                name, value = param.split("=", 1)
                params[name.strip()] = value.strip().strip('"')
        metrics[found.group(1)] = params
    return metrics


@dataclass(frozen=True)
class Timed:
    """One response: its status, where it redirects, and the server's own figures (None without the header)."""

    status: int
    location: str
    body: str
    server_ms: float | None
    sql_ms: float | None
    queries: int | None
    wall_ms: float


def _timing(header: str | None) -> tuple[float | None, float | None, int | None]:
    if not header:
        return None, None, None
    metrics = parse_server_timing(header)
    try:
        return (
            float(metrics["total"]["dur"]),
            float(metrics["sql"]["dur"]),
            int(metrics["queries"]["desc"]),
        )
    except (KeyError, ValueError):
        return None, None, None


@dataclass
class Browser:
    """One signed-in person: a keep-alive connection and their cookies. Not shared between threads."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""  # an API token: sent as Authorization: Bearer on /api/ requests
    timeout: float = 120.0

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK:
            # The bench only ever talks to a server on this machine (docs/decisions/0031).
            raise BenchError(f"the bench targets loopback http only, not {self.base_url}")
        self.host, self.port = parts.hostname, parts.port or 80
        self._conn: http.client.HTTPConnection | None = None

    def copy(self) -> Browser:
        return Browser(self.base_url, dict(self.cookies), self.token, self.timeout)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, form: dict[str, str | list[str]] | None = None) -> Timed:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "keyworker-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"{self.base_url}{path}"
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
                continue
            wall = (time.perf_counter() - started) * 1000
            break
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "max-age=0" in cookie.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        server, sql, queries = _timing(response.getheader("Server-Timing"))
        return Timed(
            response.status,
            response.getheader("Location", ""),
            data.decode("utf-8", "replace"),
            server,
            sql,
            queries,
            wall,
        )

    def get(self, path: str) -> Timed:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str | list[str]]) -> Timed:
        return self.request("POST", path, form)

    def sign_in(self, email: str, password: str, totp_secret: str) -> None:
        """Sign in as a person does: the sign-in form, then the authenticator-app code (MFA is required)."""
        page = self.get("/accounts/login/")
        answer = self.post(
            "/accounts/login/", {"csrfmiddlewaretoken": form_token(page.body), "login": email, "password": password}
        )
        if answer.status != 302 or "/accounts/2fa/authenticate/" not in answer.location:
            raise BenchError(f"sign-in of {email} failed: {answer.status} {answer.location}")
        step = self.get("/accounts/2fa/authenticate/")
        done = self.post(
            "/accounts/2fa/authenticate/",
            {"csrfmiddlewaretoken": form_token(step.body), "code": totp_code(totp_secret)},
        )
        if done.status != 302 or "/accounts/" in done.location:
            raise BenchError(f"second step for {email} failed: {done.status} {done.location}")

    def csrf(self) -> str:
        token = self.cookies.get("csrftoken") or self.cookies.get("__Host-csrftoken")
        if not token:
            raise BenchError("no CSRF cookie: sign in first")
        return token

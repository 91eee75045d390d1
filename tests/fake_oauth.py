"""A local OAuth 2 authorization server for tests, strict the way real ones are.

``/authorize`` checks the client and sends the browser back to ``redirect_uri`` with a ``code``
and the ``state`` it was given (or ``error=access_denied`` when told to refuse). The token
endpoint (``token_path``) checks the client's authentication (HTTP Basic or form fields, as the
provider is described), that ``redirect_uri`` is the one the code was issued for, that a code is
used once, and the PKCE ``code_verifier`` against the S256 challenge; it answers the refresh
grant too, rotating the refresh token (revoking the old one) when told to. Errors are RFC 6749's:
400 ``invalid_grant``/``invalid_request``, 401 ``invalid_client``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import threading
import time
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from fake_platform import RecordingHandler, RecordingServer, answer, running

CLIENT_ID = "ecoute-test-client"
CLIENT_SECRET = "s3cr3t-client-Vx9"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeOAuth(RecordingServer):
    def __init__(
        self,
        *,
        client_auth: Literal["basic", "post"] = "basic",
        pkce: bool = True,
        token_path: str = "/token",
        rotate_refresh: bool = False,
    ) -> None:
        super().__init__(_Handler)
        self.client_auth, self.pkce, self.token_path = client_auth, pkce, token_path
        self.rotate_refresh = rotate_refresh
        self.consent = "approve"  # or "deny"
        self.codes: dict[str, dict[str, Any]] = {}
        self.used_codes: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.issued: list[dict[str, Any]] = []  # every token answer, in order
        self.refreshes = 0  # refresh grants answered (good or refused)
        self.refresh_delay_s = 0.0  # a slow token endpoint, to make racing refreshes overlap
        self.token_failure: tuple[int, dict[str, Any]] | None = None  # the next token answer
        self._serial = itertools.count(1)
        self.lock = threading.Lock()

    @property
    def authorize_url(self) -> str:
        return self.url + "/authorize"

    @property
    def token_url(self) -> str:
        return self.url + self.token_path

    def issue(self, *, refresh: bool = True) -> dict[str, Any]:
        n = next(self._serial)
        body: dict[str, Any] = {
            "access_token": f"at-{n}-{secrets.token_urlsafe(12)}",
            "token_type": "bearer",
            "expires_in": 3600,
        }
        if refresh:
            body["refresh_token"] = f"rt-{n}-{secrets.token_urlsafe(16)}"
            self.refresh_tokens.add(body["refresh_token"])
        self.issued.append(body)
        return body

    def secrets_issued(self) -> list[str]:
        return [v for body in self.issued for k, v in body.items() if k in ("access_token", "refresh_token")]


class _Handler(RecordingHandler):
    server: FakeOAuth

    def do_GET(self) -> None:  # the consent page, approved or refused at once
        self._record("GET", b"")
        url = urlsplit(self.path)
        if url.path != "/authorize":
            return answer(self, 404, b"{}", {"Content-Type": "application/json"})
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        server = self.server
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return answer(self, 400, b"unknown client or response_type", {"Content-Type": "text/plain"})
        redirect, state = query.get("redirect_uri", ""), query.get("state", "")
        if server.pkce and (not query.get("code_challenge") or query.get("code_challenge_method") != "S256"):
            back = {
                "error": "invalid_request",
                "error_description": "code_challenge required",
                "state": state,
            }
        elif server.consent == "deny":
            back = {"error": "access_denied", "state": state}
        else:
            code = secrets.token_urlsafe(16)
            with server.lock:
                server.codes[code] = {
                    "redirect_uri": redirect,
                    "challenge": query.get("code_challenge"),
                    "scope": query.get("scope", ""),
                }
            back = {"code": code, "state": state}
        answer(self, 302, b"", {"Location": redirect + ("&" if "?" in redirect else "?") + urlencode(back)})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._record("POST", raw)
        server = self.server
        if urlsplit(self.path).path != server.token_path:
            return self._json(404, {"error": "not_found"})
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        if not self._client_ok(form):
            return self._json(401, {"error": "invalid_client"})
        if form.get("grant_type") == "refresh_token":
            return self._refresh(form)
        if server.token_failure is not None:
            status, body = server.token_failure
            server.token_failure = None
            return self._json(status, body)
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        with server.lock:
            code = form.get("code", "")
            issued = server.codes.pop(code, None)
            if issued is None:
                reused = code in server.used_codes
                return self._json(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "code reused" if reused else "unknown code",
                    },
                )
            server.used_codes.add(code)
            if form.get("redirect_uri") != issued["redirect_uri"]:
                return self._json(
                    400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"}
                )
            if issued["challenge"] and s256(form.get("code_verifier", "")) != issued["challenge"]:
                return self._json(
                    400, {"error": "invalid_grant", "error_description": "code_verifier mismatch"}
                )
            return self._json(200, {**server.issue(), "scope": issued["scope"]})

    def _refresh(self, form: dict[str, str]) -> None:
        server = self.server
        with server.lock:
            server.refreshes += 1
            time.sleep(server.refresh_delay_s)
            token = form.get("refresh_token", "")
            if token not in server.refresh_tokens:
                return self._json(
                    400, {"error": "invalid_grant", "error_description": "refresh token revoked"}
                )
            if server.rotate_refresh:
                server.refresh_tokens.discard(token)
            return self._json(200, server.issue(refresh=server.rotate_refresh))

    def _client_ok(self, form: dict[str, str]) -> bool:
        if self.server.client_auth == "basic":
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            return self.headers.get("Authorization") == f"Basic {expected}" and "client_secret" not in form
        return form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET

    def _record(self, method: str, raw: bytes) -> None:
        with self.server.lock:
            self.server.requests.append((method, self.path, dict(self.headers), raw))

    def _json(self, status: int, body: Any) -> None:
        answer(
            self,
            status,
            json.dumps(body).encode(),
            {"Content-Type": "application/json", "Cache-Control": "no-store"},
        )


def running_oauth(**options: Any) -> Any:
    return running(FakeOAuth(**options))

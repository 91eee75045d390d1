"""Facebook Login and the Page listing, on the local Graph API of tests/fake_meta.py (one server:
the connected source then polls the same Graph with the Page token it was given).

- ``/{version}/dialog/oauth``: checks the app id and ``response_type=code``, keeps the scopes
  asked, and sends the browser back to ``redirect_uri`` with a single-use ``code`` and the
  ``state``, or, when told to refuse, ``error=access_denied&error_reason=user_denied``.
- ``/{version}/oauth/access_token`` (form body or query, as Graph takes either): the code
  exchange (the app secret, the same ``redirect_uri``, a code used once) hands a short-lived user
  token; ``grant_type=fb_exchange_token`` trades a short-lived user token for a long-lived one.
  Neither hands a refresh token. Errors are Graph's: HTTP 400 with ``{"error": {"message",
  "type": "OAuthException", "code", "error_subcode", "fbtrace_id"}}``.
- ``/{version}/me/accounts``: the Pages of the user token's owner (fixture
  ``facebook/accounts__me.json``), only the fields asked for, paged with ``paging.cursors``
  and ``paging.next`` (``page_size`` rows a page), ``appsecret_proof`` checked when sent.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fake_meta import VERSION, FakeMeta, _Handler, fixture, loaded
from fake_oauth import CLIENT_ID, CLIENT_SECRET
from fake_platform import answer, running

TOKEN_PATH = f"/{VERSION}/oauth/access_token"
DIALOG_PATH = f"/{VERSION}/dialog/oauth"


def graph_error(message: str, code: int, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": {**error, "fbtrace_id": "AbCdEfGhIjKlMnOpQrStUvW"}}


class FakeMetaLogin(FakeMeta):
    def __init__(self) -> None:
        super().__init__(_LoginHandler)
        self.app_secret = CLIENT_SECRET  # the app's secret signs appsecret_proof
        self.consent = "approve"  # or "deny"
        self.accounts: list[dict[str, Any]] = fixture("facebook", "accounts__me.json")["data"]
        self.page_size = 25
        self.accounts_error: tuple[int, dict[str, Any]] | None = None  # me/accounts answers it
        self.codes: dict[str, dict[str, str]] = {}  # code → redirect_uri, scope
        self.used_codes: set[str] = set()
        self.short_lived: set[str] = set()
        self.long_lived: set[str] = set()
        self.listed_with: list[str] = []  # the user token of each me/accounts call
        self.scopes: list[str] = []  # the scopes of each consent
        self._serial = itertools.count(1)

    @property
    def authorize_url(self) -> str:
        return self.url + DIALOG_PATH

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def user_tokens(self) -> list[str]:
        return [*self.short_lived, *self.long_lived]


class _LoginHandler(_Handler):
    server: FakeMetaLogin

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != DIALOG_PATH:
            return super().do_GET()
        with self.server.lock:
            self.server.requests.append(("GET", self.path, dict(self.headers), b""))
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return answer(self, 400, b"Invalid App ID", {"Content-Type": "text/html"})
        redirect, state = query.get("redirect_uri", ""), query.get("state", "")
        if self.server.consent == "deny":
            back = {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
                "state": state,
            }
        else:
            code = secrets.token_urlsafe(24)
            with self.server.lock:
                self.server.codes[code] = {"redirect_uri": redirect, "scope": query.get("scope", "")}
                self.server.scopes.append(query.get("scope", ""))
            back = {"code": code, "state": state}
        location = redirect + ("&" if "?" in redirect else "?") + urlencode(back)
        answer(self, 302, b"", {"Location": location})

    def respond(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        if path == TOKEN_PATH:
            given = {k: v[0] for k, v in query.items()}
            given |= {k: v[0] for k, v in parse_qs(body.decode()).items()}
            return self._token(given)
        if path == f"/{VERSION}/me/accounts":
            return self._accounts(query)
        return super().respond(method, path, query, body)

    def _token(self, given: dict[str, str]) -> Any:
        srv = self.server
        if given.get("client_id") != CLIENT_ID or given.get("client_secret") != CLIENT_SECRET:
            return 400, graph_error("Error validating client secret.", 1)
        if given.get("grant_type") == "fb_exchange_token":
            if given.get("fb_exchange_token") not in srv.short_lived:
                return 400, graph_error("Invalid OAuth access token - Cannot parse access token", 190)
            token = f"EAAlong{next(srv._serial)}{secrets.token_urlsafe(16)}"
            srv.long_lived.add(token)
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": 5183944}
        code = given.get("code", "")
        issued = srv.codes.pop(code, None)
        if issued is None:
            if code in srv.used_codes:
                return 400, graph_error("This authorization code has been used.", 100, 36009)
            return 400, graph_error("Invalid verification code format.", 100, 36007)
        srv.used_codes.add(code)
        if given.get("redirect_uri") != issued["redirect_uri"]:
            return 400, graph_error(
                "Error validating verification code. Please make sure your redirect_uri is identical "
                "to the one you used in the OAuth dialog request",
                100,
                36008,
            )
        token = f"EAAshort{next(srv._serial)}{secrets.token_urlsafe(16)}"
        srv.short_lived.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 5400}

    def _accounts(self, query: dict[str, list[str]]) -> Any:
        srv = self.server
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in srv.user_tokens():
            return 400, fixture("facebook", "error__token_expired.json")
        proof = query.get("appsecret_proof", [""])[0]
        expected = hmac.new(srv.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if proof and proof != expected:
            return 400, graph_error("Invalid appsecret_proof provided in the API argument", 100)
        srv.listed_with.append(token)
        if srv.accounts_error is not None:
            return srv.accounts_error
        fields = _fields(query.get("fields", ["id,name"])[0])
        rows = [{k: copy.deepcopy(v) for k, v in row.items() if k in fields} for row in srv.accounts]
        size = min(int(query.get("limit", ["25"])[0]), srv.page_size)
        start = int(query.get("after", ["c0"])[0].removeprefix("c") or 0)
        page = rows[start : start + size]
        body: dict[str, Any] = {"data": page}
        if page:
            body["paging"] = {"cursors": {"before": f"c{start}", "after": f"c{start + len(page)}"}}
            if start + size < len(rows):  # Graph's next address carries the token in its query
                next_query = urlencode({"access_token": token, "limit": size, "after": f"c{start + size}"})
                body["paging"]["next"] = f"https://graph.facebook.com/{VERSION}/me/accounts?{next_query}"
        return 200, body


def _fields(asked: str) -> set[str]:
    """The top-level names in a Graph ``fields`` list (``a,b{c,d}`` → ``{a, b}``)."""
    names, depth, current = set(), 0, ""
    for char in asked + ",":
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "," and depth == 0:
            names.add(current.strip())
            current = ""
            continue
        if depth == 0 and char not in "{}":
            current += char
    return names


def running_meta_login() -> Any:
    """The Meta of ``running_meta`` (a Page's posts and comments, an Instagram account's media),
    which also logs people in and lists their Pages."""
    return running(loaded(FakeMetaLogin()))

"""Unsubscribe links: ``<workspace id>.<user id>.<signature>``, signed with the instance's secret key
(HMAC-SHA-256, its own purpose string), so a link turns off one person's digest in one workspace
without a login, and a changed number or a forged signature is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

PURPOSE = b"ecoute digest unsubscribe v1\0"


class BadToken(ValueError):
    pass


@dataclass(frozen=True)
class Subscription:
    workspace_id: int
    user_id: int


def _signature(secret: str, body: str) -> str:
    mac = hmac.new(secret.encode("utf-8"), PURPOSE + body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode("ascii")


def unsubscribe_token(secret: str, workspace_id: int, user_id: int) -> str:
    body = f"{workspace_id}.{user_id}"
    return f"{body}.{_signature(secret, body)}"


def read_token(secret: str, token: str) -> Subscription:
    parts = token.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts[:2]) or len(token) > 100:
        raise BadToken("this unsubscribe link is not valid")
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_signature(secret, body), parts[2]):
        raise BadToken("this unsubscribe link is not valid")
    return Subscription(int(parts[0]), int(parts[1]))

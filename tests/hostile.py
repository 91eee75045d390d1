"""Addresses an attacker may put where a mention's link goes (a file, a feed, the API): none of
them may ever become a link."""

from __future__ import annotations

HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&#58;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "\\\\evil.example\\x",
    "/w/acme/admin",
    "https:alert(1)",
    "http:/evil.example",
    "https://",
    "https:// evil.example",
    "http://[::1",
    "file:///etc/passwd",
]

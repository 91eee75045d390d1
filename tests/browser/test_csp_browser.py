"""The Content-Security-Policy in a real browser: the app's own pages (login, inbox, conversation,
metrics, settings) run their scripts and styles with no violation reported, and an injected inline
script is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ecoute.store.models import Conversation

# Runs before any page script, outside the page's policy (Playwright injects it): records every
# violation the browser reports.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.context.add_init_script(WATCH)
    return console


def _violations(page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__csp || []"), *console]


def _a_conversation(live) -> int:
    with live.db.session() as session:
        return session.scalars(
            select(Conversation.id).where(Conversation.workspace_id == live.world.workspace.id).limit(1)
        ).one()


def test_the_login_page_passes_the_policy(browser, live):
    context = browser.new_context()
    page = context.new_page()
    console = _watch(page)

    page.goto(live.at("/login"))
    page.fill("input[name=email]", "nobody@example.org")

    assert page.locator("form[action='/login']").is_visible()
    assert _violations(page, console) == []
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/w/demo/",
        "/w/demo/c/{conversation}",
        "/w/demo/metrics",
        "/w/demo/insights",
        "/w/demo/alerts",
        "/w/demo/admin/members",
        "/w/demo/admin/rules",
        "/w/demo/admin/privacy",
    ],
)
def test_the_desk_pages_run_with_no_policy_violation(open_as, live, path):
    page = open_as()
    console = _watch(page)

    page.goto(live.at(path.format(conversation=_a_conversation(live))))
    page.wait_for_load_state("networkidle")
    if "/c/" in path:
        page.keyboard.press("r")  # the reply composer: its script and its draft
        page.wait_for_timeout(300)

    assert _violations(page, console) == []
    assert page.js_errors == []


def test_avatars_keep_their_colours_without_inline_styles(open_as, live):
    page = open_as()

    page.goto(live.at("/w/demo/"))
    hues = page.eval_on_selector_all(
        ".avatar", "els => els.map(e => getComputedStyle(e).getPropertyValue('--hue').trim())"
    )

    assert len(set(hues)) > 3  # several colours, not all the default


def test_an_injected_inline_script_is_refused(open_as, live):
    page = open_as()
    console = _watch(page)
    page.goto(live.at("/w/demo/"))

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    assert page.evaluate("window.__pwned") is None
    assert any(re.search(r"script-src", v) for v in _violations(page, console))

"""A digest as an e-mail (subject, plain text, HTML with inline styles and no images or SVG, which
mail clients do not show reliably) and as a Slack message (``text`` for notifications, and blocks).

Everything is in the reader's language (``ecoute.web.i18n``: the person's choice, else the
workspace's) and dates in the workspace's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ecoute.digests.content import Digest
from ecoute.web.i18n import Translator

TEMPLATES = Path(__file__).with_name("templates")
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
SLACK_SECTION = 2_900  # characters of a Slack section (3,000 at most)


@dataclass(frozen=True)
class Links:
    base: str  # the public URL, no trailing slash
    slug: str
    unsubscribe: str | None = None  # absent in the Slack message

    @property
    def home(self) -> str:
        return f"{self.base}/w/{self.slug}/"

    @property
    def waiting(self) -> str:
        return f"{self.base}/w/{self.slug}/?needs_reply=1"

    @property
    def preferences(self) -> str:
        return f"{self.base}/w/{self.slug}/digest"

    def conversation(self, conversation_id: int) -> str:
        return f"{self.base}/w/{self.slug}/c/{conversation_id}"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _count(i18n: Translator, key: str, n: int) -> str:
    return i18n.t(f"{key}.{'one' if n == 1 else 'other'}", n=i18n.number(n))


def lines(digest: Digest, i18n: Translator) -> dict[str, Any]:
    """The sentences every variant shows, worded once."""
    p, f = digest.period, digest.figures
    if p.kind == "daily":
        period = i18n.t("digest.period.daily", day=i18n.date(p.start, "full"))
    else:
        period = i18n.t("digest.period.weekly", first=i18n.date(p.start, "long"), last=_last_day(p, i18n))

    def signed(n: int) -> str:
        return ("+" if n > 0 else "") + i18n.number(n)

    def net(value: float | None) -> str:
        return "—" if value is None else ("+" if value > 0 else "") + i18n.number(round(value, 2))

    def share(value: float | None) -> str:
        return "—" if value is None else i18n.percent(value)

    figures = [
        (
            i18n.t("digest.figures.mentions"),
            i18n.number(f.mentions),
            i18n.t("digest.figures.previous", value=i18n.number(f.previous_mentions)),
        ),
        (
            i18n.t("digest.figures.net"),
            net(f.net_sentiment),
            i18n.t("digest.figures.previous", value=net(f.previous_net_sentiment)),
        ),
        (i18n.t("digest.figures.response_rate"), share(f.response_rate), ""),
        (
            i18n.t("digest.figures.first_response"),
            "—" if f.first_response_median_s is None else i18n.duration(f.first_response_median_s),
            "",
        ),
    ]
    missed = [
        i18n.t(
            "digest.missed.line",
            priority=m.priority,
            platform=m.platform,
            due=i18n.datetime(m.due_at, "short"),
        )
        + " — "
        + (
            i18n.t("digest.missed.answered", when=i18n.datetime(m.answered_at, "short"))
            if m.answered_at
            else i18n.t("digest.missed.unanswered")
        )
        for m in digest.missed
    ]
    alerts = [
        i18n.t(
            "digest.alerts.line",
            kind=i18n.t(f"digest.alerts.kind.{a.kind}"),
            subject=f" {a.subject}" if a.subject else "",
            when=i18n.datetime(a.started_at, "short"),
            observed=i18n.number(round(a.observed)),
            expected=i18n.number(round(a.expected)),
        )
        for a in digest.alerts
    ]
    topics = [
        i18n.t(
            "digest.topics.line",
            title=t.title,
            mentions=i18n.number(t.mentions),
            growth=signed(t.mentions - t.previous),
        )
        for t in digest.topics
    ]
    return {
        "title": i18n.t(f"digest.title.{p.kind}"),
        "period": period,
        "subject": i18n.t(f"digest.subject.{p.kind}", workspace=digest.workspace_name, period=period),
        "waiting_count": _count(i18n, "digest.waiting.count", digest.waiting_count)
        if digest.waiting_count
        else i18n.t("digest.waiting.none"),
        "missed_count": _count(i18n, "digest.missed.count", digest.missed_count)
        if digest.missed_count
        else i18n.t("digest.missed.none"),
        "missed": missed,
        "alerts": alerts,
        "topics": topics,
        "figures": figures,
        "footer": i18n.t(
            "digest.footer", frequency=i18n.t(f"digest.frequency.{p.kind}"), workspace=digest.workspace_name
        ),
    }


def _last_day(period: Any, i18n: Translator) -> str:
    return format_date(period.last_day, "long", locale=i18n.babel)


def email(digest: Digest, i18n: Translator, links: Links) -> Rendered:
    words = lines(digest, i18n)
    context = {"d": digest, "w": words, "t": i18n.t, "links": links, "i18n": i18n}
    return Rendered(
        subject=words["subject"],
        text=_env.get_template("digest.txt").render(context),
        html=_env.get_template("digest.html").render(context),
    )


def slack_escape(text: str) -> str:
    """What Slack reads as markup (``<!channel>``, links) shown as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(digest: Digest, i18n: Translator, links: Links) -> dict[str, Any]:
    """``{"text", "blocks"}`` for an incoming webhook: ``text`` alone says the essentials (mobile
    notifications show only it), the blocks say it all."""
    words = lines(digest, i18n)
    e = slack_escape

    def section(text: str) -> dict[str, Any]:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SLACK_SECTION]}}

    waiting = [f"*{e(words['waiting_count'])}*"] + [
        f"• <{links.conversation(item.conversation_id)}|{e(item.author or item.platform)}> "
        f"({e(item.platform)}): {e(item.excerpt)}"
        for item in digest.waiting
    ]
    if digest.waiting_count:
        waiting.append(f"<{links.waiting}|{e(i18n.t('digest.waiting.all'))}>")
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": f"{words['title']} · {digest.workspace_name}"[:150]},
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": e(words["period"])}]},
        {
            "type": "section",
            "fields": [
                {
                    "type": "mrkdwn",
                    "text": f"*{e(label)}*\n{e(value)}" + (f" ({e(before)})" if before else ""),
                }
                for label, value, before in words["figures"]
            ],
        },
        {"type": "divider"},
        section(f"*{e(i18n.t('digest.waiting.title'))}*\n" + "\n".join(waiting)),
        section(
            f"*{e(i18n.t('digest.missed.title'))}*\n{e(words['missed_count'])}"
            + "".join(f"\n• {e(line)}" for line in words["missed"])
        ),
        section(
            f"*{e(i18n.t('digest.alerts.title'))}*\n"
            + ("\n".join(f"• {e(line)}" for line in words["alerts"]) or e(i18n.t("digest.alerts.none")))
        ),
        section(
            f"*{e(i18n.t('digest.topics.title'))}*\n"
            + ("\n".join(f"• {e(line)}" for line in words["topics"]) or e(i18n.t("digest.topics.none")))
        ),
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"<{links.home}|{e(i18n.t('digest.open'))}>"}],
        },
    ]
    colon = i18n.t("digest.colon")
    figures = ", ".join(f"{label}{colon} {value}" for label, value, _ in words["figures"][:2])
    text = f"{words['subject']} — {words['waiting_count']} {figures}"
    return {"text": e(text), "blocks": blocks}

"""The shape of each draft, by what the customer needs: which sentences, in which order, which
ones may go when the platform is short of room (``drop``: the highest goes first).

- complaint: name the problem and apologise, say what happens next, move to a private channel;
  a third draft offers a call when the matter is serious (safety, money, being ignored);
- question: the workspace's answer when a snippet holds it, else a precise promise of follow-up
  (who finds out, and by when);
- praise: thanks with their own words or the colleague they named, an invitation to come back
  or to share; a reservation in the praise ("mais", "but") is acknowledged, not ignored;
- unhappy without a request: acknowledgement and an open door;
- anything else: a short, warm acknowledgement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .compose import Composer, Part
from .knowledge import KnowledgeMatch
from .specifics import Specifics
from .types import REVIEW_PLATFORMS

CALL_BACK_TOPICS = frozenset({"safety", "refund", "billing", "no_answer", "staff", "outage"})
_PRAISE_TOPICS = (
    ("echo_delivery", re.compile(r"livr|colis|deliver|arrived|parcel", re.IGNORECASE)),
    ("echo_repair", re.compile(r"r[ée]par|r[ée]vision|repair|fixed|mechanic", re.IGNORECASE)),
    ("echo_refund", re.compile(r"rembours|refund", re.IGNORECASE)),
    ("echo_shop", re.compile(r"boutique|accueil|vendeu|[ée]quipe|shop|staff|team|opening", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Plan:
    strategy: str
    parts: tuple[Part, ...]


def _greeting(composer: Composer) -> Part:
    return Part("greet" if composer.has("greet") else "greet_anon")


def _sign() -> Part:
    return Part("sign", optional=True, drop=1)


def complaint(composer: Composer, specifics: Specifics, match: KnowledgeMatch | None) -> list[Plan]:
    apology = Part(composer.first("apology", "apology_generic") or "apology_generic")
    private = Part(composer.first("private", "private_nochannel") or "private_nochannel")
    serious = bool(set(specifics.topics) & {"safety", "fraud", "outage", "refund"})
    full = [_greeting(composer), apology]
    said = composer.values.get("problem", "")
    waited = specifics.topics[:1] in (("delivery",), ("repair",), ("refund",))
    if waited and composer.has("wait_detail") and specifics.duration and specifics.duration not in said:
        full.append(Part("wait_detail", optional=True, drop=3))
    if serious:
        full.append(Part("serious", optional=True, drop=4))
    # The next step goes last of all when room runs out: the private channel carries one too.
    full.append(Part(composer.first("next", "next_generic") or "next_generic", optional=True, drop=0))
    if match is not None:
        full.append(Part("known_fix", optional=True, drop=2))
    full += [private, _sign()]
    plans = [
        Plan("apology_next_step", tuple(full)),
        Plan("apology_private", (_greeting(composer), apology, private, _sign())),
    ]
    if set(specifics.topics) & CALL_BACK_TOPICS:
        callback = Part(composer.first("callback", "callback_nochannel") or "callback_nochannel")
        plans.append(Plan("call_back", (_greeting(composer), apology, callback, _sign())))
    return plans


def answer(composer: Composer, specifics: Specifics, match: KnowledgeMatch) -> list[Plan]:
    text = match.item.answer.strip()
    literal = Part("answer", literal=text if text[-1:] in ".!?…" else text + ".")
    more = "answer_more_place" if composer.has("answer_more_place") else "answer_more"
    plans = [
        Plan("answer", (_greeting(composer), literal, Part(more, optional=True, drop=2), _sign())),
        Plan(
            "answer_short",
            (_greeting(composer), Part("question_ack", optional=True, drop=2), literal, _sign()),
        ),
    ]
    if specifics.order:
        plans.append(Plan("answer_private", (_greeting(composer), literal, Part("order_status"), _sign())))
    return plans


def follow_up(composer: Composer, specifics: Specifics, *, has_agent: bool) -> list[Plan]:
    promise = Part("promise_agent") if has_agent else Part("promise")
    plans = [
        Plan(
            "follow_up", (_greeting(composer), Part("question_ack", optional=True, drop=2), promise, _sign())
        ),
        Plan("follow_up_short", (_greeting(composer), Part("promise"), _sign())),
    ]
    if specifics.order:
        private = Part(composer.first("private", "private_nochannel") or "private_nochannel")
        plans.append(Plan("order_status", (_greeting(composer), Part("order_status"), private, _sign())))
    return plans


_THANKS_BACK = re.compile(r"\b(?:merci|thanks|thank you|thx|cheers)\b", re.IGNORECASE)


def praise(
    composer: Composer, specifics: Specifics, text: str, platform: str, *, self_thanked: bool = False
) -> list[Plan]:
    if len(text) < 80 and _THANKS_BACK.search(text) and not specifics.staff and not specifics.quote:
        return _welcome(composer)
    echoes = (["echo_self"] if self_thanked else []) + _echoes(composer, specifics, text)
    invite = _invite(composer, specifics, platform)
    if specifics.mixed:
        # Praise with a reservation: thank calmly, name the reservation, no invitation to share.
        thanks = Part("thanks_mixed" if composer.has("thanks_mixed") else "thanks_mixed_anon")
        mixed = Part("mixed" if composer.has("mixed") else "mixed_generic")
        echo = [Part(echoes[0], optional=True, drop=2)] if echoes[0] != "echo_generic" else []
        calm_invite = [invite] if invite.slot != "invite_share" else []
        return [
            Plan("thanks_reservation", (thanks, *echo, mixed, _sign())),
            Plan("thanks_reservation_short", (thanks, mixed, *calm_invite, _sign())),
        ]
    thanks = Part("thanks" if composer.has("thanks") else "thanks_anon")
    plans = [
        Plan("thanks_personal", (thanks, Part(echoes[0], optional=True, drop=2), invite, _sign())),
        Plan("thanks_short", (thanks, Part(echoes[-1] if len(echoes) > 1 else "echo_generic"), _sign())),
    ]
    if platform not in REVIEW_PLATFORMS:
        plans.append(
            Plan("thanks_share", (thanks, Part(echoes[0]), Part("invite_share", optional=True, drop=2)))
        )
    return plans


def _welcome(composer: Composer) -> list[Plan]:
    """A short "thanks for the answer" gets a short "you're welcome", not a speech."""
    welcome = Part("welcome" if composer.has("welcome") else "welcome_anon")
    return [
        Plan("welcome", (welcome, Part("welcome_more"), _sign())),
        Plan("welcome_short", (welcome, _sign())),
    ]


def unhappy(composer: Composer) -> list[Plan]:
    door = Part("open_door" if composer.has("open_door") else "open_door_nochannel")
    ack = Part("neg_ack_problem" if composer.has("neg_ack_problem") else "neg_ack")
    apology = Part(composer.first("apology", "apology_generic") or "apology_generic")
    return [
        Plan("acknowledge", (_greeting(composer), ack, door, _sign())),
        Plan("acknowledge_apology", (_greeting(composer), apology, door, _sign())),
    ]


def other(composer: Composer, *, positive: bool) -> list[Plan]:
    first = [_greeting(composer), Part("other_thanks")]
    return [
        Plan("acknowledge", (*first, Part("other_offer", optional=True, drop=2), _sign())),
        Plan("acknowledge_short", (*first, Part("invite_generic" if positive else "other_offer"), _sign())),
    ]


def _echoes(composer: Composer, specifics: Specifics, text: str) -> list[str]:
    """Ways to show we read their message, the most personal first."""
    echoes = [
        slot
        for slot, present in (("echo_staff", specifics.staff), ("echo_quote", specifics.quote))
        if present
    ]
    for slot, cue in _PRAISE_TOPICS:
        if cue.search(text) and composer.has(slot):
            echoes.append(slot)
            break
    if specifics.product and composer.has("echo_product"):
        echoes.append("echo_product")
    return echoes or ["echo_generic"]


def _invite(composer: Composer, specifics: Specifics, platform: str) -> Part:
    if platform in REVIEW_PLATFORMS:
        return Part("invite_review", optional=True, drop=2)
    for slot in ("invite_place", "invite_product"):
        if composer.has(slot):
            return Part(slot, optional=True, drop=2)
    return Part("invite_share", optional=True, drop=2)

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
from .fields import Reading
from .knowledge import KnowledgeMatch
from .specifics import Specifics
from .types import REVIEW_PLATFORMS


@dataclass(frozen=True)
class Plan:
    strategy: str
    parts: tuple[Part, ...]


def _greeting(composer: Composer) -> Part:
    return Part("greet" if composer.has("greet") else "greet_anon")


def _sign() -> Part:
    return Part("sign", optional=True, drop=1)


def complaint(
    composer: Composer, specifics: Specifics, reading: Reading, match: KnowledgeMatch | None
) -> list[Plan]:
    apology = Part(composer.first("apology", "ack_issue", "apology_generic") or "apology_generic")
    private = _private(composer)
    main = reading.main
    full = [_greeting(composer), apology]
    said = composer.values.get("problem", "")
    waited = main is not None and main.spec.waits and bool(specifics.duration)
    if waited and composer.has("wait_detail") and (specifics.duration or "") not in said:
        full.append(Part("wait_detail", optional=True, drop=3))
    if main is not None and main.spec.serious:
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
    if any(found.spec.callback for found in reading.problems):
        callback = Part(composer.first("callback", "callback_nochannel") or "callback_nochannel")
        plans.append(Plan("call_back", (_greeting(composer), apology, callback, _sign())))
    return plans


def _private(composer: Composer) -> Part:
    """Move to a private channel: with what to send when something is worth asking for."""
    return Part(composer.first("private", "private_noask", "private_nochannel") or "private_nochannel")


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
    about = "_subject" if composer.has("promise_subject") else ""
    promise = Part(
        f"promise{about}_agent" if has_agent and composer.has(f"promise{about}_agent") else f"promise{about}"
    )
    plans = [
        Plan(
            "follow_up", (_greeting(composer), Part("question_ack", optional=True, drop=2), promise, _sign())
        ),
        Plan("follow_up_short", (_greeting(composer), Part(f"promise{about}"), _sign())),
    ]
    if specifics.order:
        private = _private(composer)
        plans.append(Plan("order_status", (_greeting(composer), Part("order_status"), private, _sign())))
    return plans


_THANKS_BACK = re.compile(r"\b(?:merci|thanks|thank you|thx|cheers)\b", re.IGNORECASE)


def praise(
    composer: Composer,
    specifics: Specifics,
    reading: Reading,
    text: str,
    platform: str,
    *,
    self_thanked: bool = False,
) -> list[Plan]:
    if _thanks_for_a_reply(text, specifics, reading):
        return _welcome(composer)
    echoes = (["echo_self"] if self_thanked else []) + _echoes(composer, specifics)
    invite = _invite(composer, specifics, platform)
    if specifics.mixed:
        # Praise with a reservation: thank calmly, name the reservation, no invitation to share.
        thanks = Part("thanks_mixed" if composer.has("thanks_mixed") else "thanks_mixed_anon")
        mixed = Part(composer.first("mixed", "mixed_issue", "mixed_generic") or "mixed_generic")
        echo = [Part(echoes[0], optional=True, drop=2)] if echoes[0] != "echo_generic" else []
        calm_invite = [invite] if invite.slot != "invite_share" else []
        return [
            Plan("thanks_reservation", (thanks, *echo, mixed, _sign())),
            Plan("thanks_reservation_short", (thanks, *echo[:1], mixed, *calm_invite, _sign())),
        ]
    thanks = Part("thanks" if composer.has("thanks") else "thanks_anon")
    # Every draft echoes the most personal thing first; the longer one echoes the next one too.
    more = [Part(echoes[1], optional=True, drop=3)] if len(echoes) > 1 else []
    plans = [
        Plan("thanks_personal", (thanks, Part(echoes[0], optional=True, drop=2), *more, invite, _sign())),
        Plan("thanks_short", (thanks, Part(echoes[0]), _sign())),
    ]
    if platform not in REVIEW_PLATFORMS:
        plans.append(
            Plan("thanks_share", (thanks, Part(echoes[0]), Part("invite_share", optional=True, drop=2)))
        )
    return plans


_ABOUT_A_REPLY = re.compile(r"r[ée]ponse|retour|aide|info|conseil|answer|reply|help|info|tip", re.IGNORECASE)


def _thanks_for_a_reply(text: str, specifics: Specifics, reading: Reading) -> bool:
    """A short "merci pour la réponse" gets a short "avec plaisir"; thanks for the pizza does not."""
    if len(text) >= 80 or not _THANKS_BACK.search(text) or specifics.staff or specifics.quote:
        return False
    praised = [f for f in reading.praised if not f.spec.fallback]
    return not praised or bool(_ABOUT_A_REPLY.search(text))


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
    second = composer.first("apology", "neg_ack_problem", "apology_generic") or "apology_generic"
    # A concrete next step when the problem has one: acknowledging is good, doing is better.
    step = [Part("next", optional=True, drop=2)] if composer.has("next") else []
    return [
        Plan("acknowledge", (_greeting(composer), ack, *step, door, _sign())),
        Plan("acknowledge_apology", (_greeting(composer), Part(second), door, _sign())),
    ]


def other(composer: Composer, *, positive: bool) -> list[Plan]:
    first = [_greeting(composer), Part("other_thanks")]
    return [
        Plan("acknowledge", (*first, Part("other_offer", optional=True, drop=2), _sign())),
        Plan("acknowledge_short", (*first, Part("invite_generic" if positive else "other_offer"), _sign())),
    ]


def _echoes(composer: Composer, specifics: Specifics) -> list[str]:
    """Ways to show we read their message, the most personal first."""
    present = {"echo_staff": specifics.staff, "echo_quote": specifics.quote}
    echoes = [slot for slot, found in present.items() if found]
    echoes += [slot for slot in ("echo_praised", "echo_praised1") if composer.has(slot)]
    if specifics.product and composer.has("echo_product"):
        echoes.append("echo_product")
    return echoes or ["echo_generic"]


def _invite(composer: Composer, specifics: Specifics, platform: str) -> Part:
    if platform in REVIEW_PLATFORMS:
        return Part("invite_review", optional=True, drop=2)
    for slot in ("invite_venue", "invite_product"):
        if composer.has(slot):
            return Part(slot, optional=True, drop=2)
    return Part("invite_share", optional=True, drop=2)

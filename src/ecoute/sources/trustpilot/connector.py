"""Hearing a business's Trustpilot reviews — yours or a competitor's: the public API reads any
business unit — and answering your own.

Settings: ``api_key`` (sealed); ``domain`` (the business's website, found with
``/v1/business-units/find``) or ``business_unit_id``; to reply on your own business unit,
``client_secret`` (the API secret, sealed), ``username`` and ``password`` (sealed) of a business
user and ``business_user_id`` (their id, the reply's ``authorBusinessUserId``); ``api_base``
(Trustpilot's unless told); ``relist_hours`` (how often the whole listing is read again, to hear
deletions and edits, default 24); ``language`` (only reviews in it).

Reviews are listed newest first (``orderBy=createdat.desc``, ``page``/``perPage``) until the
stored high-water ``createdAt``; the first poll reads the whole listing. Edits (``updatedAt``)
of older reviews are heard when the whole listing is read again. On your own business unit (a
source with a business user), the company's reply to a review is recorded on its conversation,
which is answered; a competitor's replies stay in the review's raw payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from ecoute.sources.api_source import ApiSource, Pooled
from ecoute.sources.base import PollResult, ReplyTarget, SentReply, SourceError
from ecoute.sources.credentials import secret
from ecoute.sources.review_listing import Heard, listen, read_page, relist_hours
from ecoute.sources.trustpilot.api import API_BASE, BusinessUser, TrustpilotApi
from ecoute.sources.trustpilot.payload import PLATFORM, REVIEW_URL, Review, review_answer, review_item

PER_PAGE = 100  # the API's largest page
MAX_PAGES = 200  # 20,000 reviews per listing
MAX_REPLY = 1000  # no documented limit: the composer's default for an unknown platform
REQUIRED_SETTINGS = ("api_key",)
ONE_OF_SETTINGS = ("domain", "business_unit_id")
_REPLY_SETTINGS = ("client_secret", "username", "password", "business_user_id")


class TrustpilotSource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = (
        "Trustpilot: reviews of any business unit (yours or a competitor's); replies on yours"
    )

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        language = str(settings.get("language") or "").strip()
        with self._api(settings) as api:
            unit = _business_unit(api, settings, cursor)

            def fetch(page: Any) -> tuple[list[Heard], Any]:
                number = int(page or 1)
                params: dict[str, Any] = {"orderBy": "createdat.desc", "page": number, "perPage": PER_PAGE}
                if language:
                    params["language"] = language
                body = api.get(f"/v1/business-units/{quote(unit, safe='')}/reviews", params)
                heard = read_page(body, _read, where=f"business unit {unit}")
                return heard, number + 1 if _has_next(body, len(heard)) else None

            result = listen(fetch, cursor, max_pages=MAX_PAGES, relist_hours=relist_hours(settings))
        result.cursor.update(business_unit_id=unit, domain=_domain(settings))
        if not _is_own(settings):  # a competitor's replies are not the team's: left in the raw payload
            result.answered = []
        return result

    def check(self, settings: Mapping[str, Any]) -> str:
        """The API key answers and the business unit is found."""
        with self._api(settings) as api:
            unit = _business_unit(api, settings, {})
            body = api.get(f"/v1/business-units/{quote(unit, safe='')}/reviews", {"perPage": 1})
        count = len(body.get("reviews") or []) if isinstance(body, dict) else 0
        return f"business unit {unit} answers{' with reviews' if count else ', no reviews yet'}"

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        """POST the reply as the business user. Trustpilot takes no idempotency key: the review
        is read first, and a company reply with the same text (a retry after a lost answer) is
        returned instead of posting again."""
        text = text.strip()
        if not text:
            raise SourceError("reply: the text is empty", retriable=False)
        if len(text) > MAX_REPLY:
            raise SourceError(
                f"reply: {len(text)} characters, over the limit of {MAX_REPLY}", retriable=False
            )
        review_id = in_reply_to.external_id
        sent = SentReply(
            platform_reply_id=f"{review_id}/reply", url=in_reply_to.url or REVIEW_URL + review_id
        )
        with self._api(settings) as api:
            if api.user is None:
                api.post_reply(review_id, text)  # refused with the reason, before any call
            current = api.get(f"/v1/reviews/{quote(review_id, safe='')}")
            reply = current.get("companyReply") if isinstance(current, dict) else None
            if isinstance(reply, dict) and str(reply.get("text") or "").strip() == text:
                return sent
            api.post_reply(review_id, text)
        return sent

    def _api(self, settings: Mapping[str, Any]) -> Pooled[TrustpilotApi]:
        app = self.app_settings
        api_key = secret(settings, "api_key", app)
        user = None
        if _is_own(settings):
            user = BusinessUser(
                username=str(settings["username"]),
                password=secret(settings, "password", app),
                user_id=str(settings["business_user_id"]),
                api_secret=secret(settings, "client_secret", app),
            )
        return Pooled(
            self._client,
            lambda client: TrustpilotApi(
                api_key=api_key,
                user=user,
                api_base=str(settings.get("api_base") or API_BASE),
                settings=app,
                client=client,
                sleep=self._sleep,
            ),
        )


def _business_unit(api: TrustpilotApi, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> str:
    """The business unit's id: as set, as found on an earlier poll, or found by its domain."""
    given = str(settings.get("business_unit_id") or "").strip()
    if given:
        return given
    domain = _domain(settings)
    if not domain:
        raise SourceError(
            "setting 'domain' or 'business_unit_id' is missing: add one to the source", retriable=False
        )
    known = cursor.get("business_unit_id")
    if isinstance(known, str) and known and cursor.get("domain") == domain:
        return known
    found = api.get("/v1/business-units/find", {"name": domain})
    unit = found.get("id") if isinstance(found, dict) else None
    if not isinstance(unit, str) or not unit:
        raise SourceError(f"Trustpilot knows no business unit for {domain!r}", retriable=False)
    return unit


def _is_own(settings: Mapping[str, Any]) -> bool:
    """Whether the source hears the workspace's own business unit (it has a business user)."""
    return all(settings.get(name) or settings.get(f"{name}_sealed") for name in _REPLY_SETTINGS)


def _domain(settings: Mapping[str, Any]) -> str:
    domain = str(settings.get("domain") or "").strip().lower()
    return domain.removeprefix("https://").removeprefix("http://").split("/", 1)[0]


def _read(payload: Any, where: str) -> Heard:
    review = Review.read(payload, where=where)
    return Heard(
        review_item(review, location=REVIEW_URL + review.id), review.created_at, review_answer(review)
    )


def _has_next(body: Any, count: int) -> bool:
    """Whether another page follows: a ``next-page`` link, else a full page."""
    links = body.get("links") if isinstance(body, dict) else None
    if isinstance(links, list) and links:
        return any(isinstance(link, dict) and link.get("rel") == "next-page" for link in links)
    return count >= PER_PAGE

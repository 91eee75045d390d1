"""Hearing a business's Google reviews (Google Business Profile, one location per source) and
answering them.

Settings: ``account_id`` and ``location_id`` (the numbers in ``accounts/{a}/locations/{l}``);
``refresh_token``, ``client_id`` and ``client_secret`` (sealed) — or an ``access_token`` (sealed)
for a short test; ``api_base`` and ``token_url`` (Google's unless told); ``relist_hours`` (how
often the whole listing is read again to hear deletions and edits of older reviews, default 24);
``page_size`` (1 to 50, default 50).

Reviews are listed newest update first (``orderBy=updateTime desc``) until the stored high-water
``updateTime``: a new review and an edited one (newer ``updateTime``) both come first, and an edit
updates the stored mention (its text and its stars). The first poll reads the whole listing.
A review's existing reply (``reviewReply``) is recorded on its conversation, which is answered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ecoute.sources.api_source import ApiSource, Pooled
from ecoute.sources.base import PollResult, ReplyTarget, SentReply, SourceError
from ecoute.sources.credentials import secret
from ecoute.sources.google_reviews.api import API_BASE, TOKEN_URL, GoogleReviewsApi
from ecoute.sources.google_reviews.payload import PLATFORM, Review, review_answer, review_item
from ecoute.sources.review_listing import Heard, listen, read_page, relist_hours
from ecoute.sources.youtube.api import OAuth

PAGE_SIZE = 50  # the API's largest page
MAX_PAGES = 200  # 10,000 reviews per listing
MAX_REPLY_BYTES = 4096  # ReviewReply.comment: "maximum length is 4096 bytes"
REQUIRED_SETTINGS = ("account_id", "location_id")
# ... and a way in: the refresh token (with client_id and client_secret) or an access token.
ONE_OF_SETTINGS = ("refresh_token", "access_token")


class GoogleReviewsSource(ApiSource):
    platform: ClassVar[str] = PLATFORM
    description: ClassVar[str] = "Google reviews of a Business Profile location; replies"

    def poll(self, settings: Mapping[str, Any], cursor: Mapping[str, Any]) -> PollResult:
        location = _location(settings)
        size = _page_size(settings)

        with self._api(settings) as api:

            def fetch(token: Any) -> tuple[list[Heard], Any]:
                params: dict[str, Any] = {"pageSize": size, "orderBy": "updateTime desc"}
                if token:
                    params["pageToken"] = token
                body = api.get(f"/{location}/reviews", params)
                return read_page(body, _read(location), where=location), _next(body)

            return listen(fetch, cursor, max_pages=MAX_PAGES, relist_hours=relist_hours(settings))

    def check(self, settings: Mapping[str, Any]) -> str:
        """One review asked for: the authorisation and the location both answer."""
        location = _location(settings)
        with self._api(settings) as api:
            body = api.get(f"/{location}/reviews", {"pageSize": 1, "orderBy": "updateTime desc"})
        total = body.get("totalReviewCount") if isinstance(body, dict) else None
        return f"{location} answers: {total if isinstance(total, int) else 'an unknown number of'} reviews"

    def send_reply(
        self, settings: Mapping[str, Any], in_reply_to: ReplyTarget, text: str, idempotency_key: str
    ) -> SentReply:
        """PUT the review's reply. Google keeps one reply per review and the PUT replaces it, so
        a retry with the same text (after a lost answer) never makes a second reply: no key or
        look-up is needed."""
        text = text.strip()
        if not text:
            raise SourceError("reply: the text is empty", retriable=False)
        size = len(text.encode("utf-8"))
        if size > MAX_REPLY_BYTES:
            raise SourceError(
                f"reply: {size} bytes in UTF-8, over Google's limit of {MAX_REPLY_BYTES} bytes",
                retriable=False,
            )
        review = f"{_location(settings)}/reviews/{in_reply_to.external_id}"
        with self._api(settings) as api:
            answer = api.put_reply(review, text)
        if not isinstance(answer, dict) or not isinstance(answer.get("comment"), str):
            raise SourceError("reply: Google's answer is not a review reply", retriable=True)
        return SentReply(platform_reply_id=f"{review}/reply", url=in_reply_to.url)

    def _api(self, settings: Mapping[str, Any]) -> Pooled[GoogleReviewsApi]:
        app = self.app_settings
        if settings.get("refresh_token_sealed"):
            oauth = OAuth(
                refresh_token=secret(settings, "refresh_token", app),
                client_id=str(settings.get("client_id") or ""),
                client_secret=secret(settings, "client_secret", app),
            )
        else:
            oauth = OAuth(access_token=secret(settings, "access_token", app))
        return Pooled(
            self._client,
            lambda client: GoogleReviewsApi(
                oauth=oauth,
                api_base=str(settings.get("api_base") or API_BASE),
                token_url=str(settings.get("token_url") or TOKEN_URL),
                settings=app,
                client=client,
                sleep=self._sleep,
            ),
        )


def _location(settings: Mapping[str, Any]) -> str:
    parts = []
    for name in REQUIRED_SETTINGS:
        value = str(settings.get(name) or "").strip().rsplit("/", 1)[-1]
        if not value or not value.replace("-", "").replace("_", "").isalnum():
            raise SourceError(
                f"setting {name!r}: expected the number Google gives it, got {value[:40]!r}", retriable=False
            )
        parts.append(value)
    return f"accounts/{parts[0]}/locations/{parts[1]}"


def _page_size(settings: Mapping[str, Any]) -> int:
    try:
        size = int(str(settings.get("page_size") or PAGE_SIZE))
    except ValueError:
        raise SourceError(f"setting 'page_size': expected 1 to {PAGE_SIZE}", retriable=False) from None
    return min(max(size, 1), PAGE_SIZE)


def _read(location: str) -> Callable[[Any, str], Heard]:
    def read(payload: Any, where: str) -> Heard:
        review = Review.read(payload, where=where)
        item = review_item(review, location=f"{location}/reviews/{review.id}")
        return Heard(item, review.updated_at, review_answer(review))

    return read


def _next(body: Any) -> str | None:
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return token if isinstance(token, str) and token else None

"""The platforms an admin can connect an account of, as data: where to send them to consent,
where to exchange the code, which scopes, whether PKCE is used, how the client authenticates.

Each source type connected this way (``CONNECTIONS``) names its provider, the scopes it needs,
the settings the admin types on the Sources page before leaving (a Reddit username, a YouTube
channel id) and how the tokens become the source's settings. A provider's client id and secret
come from the environment (``ECOUTE_OAUTH_<PROVIDER>_CLIENT_ID`` / ``_CLIENT_SECRET``, see
docs/settings.md): one app registered per installation, with one redirect URI,
``<ECOUTE_PUBLIC_URL>/oauth/callback``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ecoute.settings import Settings
from ecoute.sources import registry
from ecoute.sources.meta.api import GRAPH_VERSION

if TYPE_CHECKING:
    from ecoute.sources.connect.choices import Choice

CALLBACK_PATH = "/oauth/callback"


@dataclass(frozen=True)
class Provider:
    name: str  # in setting names: ECOUTE_OAUTH_<NAME>_CLIENT_ID
    label: str
    authorize_url: str
    token_url: str
    pkce: bool  # S256 code challenge on the consent request, verifier on the exchange
    client_auth: Literal["basic", "post"]  # HTTP Basic, or client_id/client_secret in the form
    extra_params: Mapping[str, str] = field(default_factory=dict)  # added to the consent request
    scope_separator: str = " "
    refresh_token: bool = True  # the exchange hands out a refresh token (Meta's does not)

    def client_id(self, settings: Settings) -> str:
        return settings.raw(f"oauth_{self.name}_client_id").strip()

    def client_secret(self, settings: Settings) -> str:
        return settings.raw(f"oauth_{self.name}_client_secret").strip()

    def configured(self, settings: Settings) -> bool:
        return bool(self.client_id(settings) and self.client_secret(settings))


PROVIDERS: dict[str, Provider] = {
    # Reddit: no PKCE; ``duration=permanent`` is what makes it hand out a refresh token.
    "reddit": Provider(
        "reddit",
        "Reddit",
        authorize_url="https://www.reddit.com/api/v1/authorize",
        token_url="https://www.reddit.com/api/v1/access_token",
        pkce=False,
        client_auth="basic",
        extra_params={"duration": "permanent"},
    ),
    # Google (YouTube, Business Profile): without ``access_type=offline`` no refresh token, and
    # without ``prompt=consent`` none either when the account consented once before.
    "google": Provider(
        "google",
        "Google",
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        pkce=True,
        client_auth="post",
        extra_params={"access_type": "offline", "prompt": "consent"},
    ),
    # X: PKCE is mandatory; a refresh token comes only with the ``offline.access`` scope, and
    # each refresh revokes the refresh token it used.
    "x": Provider(
        "x",
        "X",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        pkce=True,
        client_auth="basic",
    ),
    # Meta (Facebook Login), at the Graph version the connector speaks: a short-lived user token,
    # no refresh token; it is exchanged for a long-lived one, which lists the Pages' own tokens
    # (me/accounts), and the admin picks the Page (connect/meta.py).
    "meta": Provider(
        "meta",
        "Facebook",
        authorize_url=f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth",
        token_url=f"https://graph.facebook.com/{GRAPH_VERSION}/oauth/access_token",
        pkce=False,
        client_auth="post",
        scope_separator=",",
        refresh_token=False,
    ),
}

Settings_ = Callable[[Provider, Settings, Mapping[str, Any]], dict[str, Any]]
# What the token answer lets the admin pick from (Meta: their Pages), for a source of a kind.
Chooser = Callable[[Provider, Settings, Mapping[str, Any], str], "list[Choice]"]


def _reddit_settings(provider: Provider, settings: Settings, tokens: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "client_id": provider.client_id(settings),
        "client_secret": provider.client_secret(settings),
        "refresh_token": tokens["refresh_token"],
        "auth_base": provider.token_url.removesuffix("/api/v1/access_token"),
    }


def _google_settings(provider: Provider, settings: Settings, tokens: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "client_id": provider.client_id(settings),
        "client_secret": provider.client_secret(settings),
        "refresh_token": tokens["refresh_token"],
        "token_url": provider.token_url,
    }


def _x_settings(provider: Provider, settings: Settings, tokens: Mapping[str, Any]) -> dict[str, Any]:
    # X rotates the refresh token at each refresh: the connector keeps the newest one sealed in its
    # cursor; the access token handed out now is used first (it lasts two hours).
    return {
        "client_id": provider.client_id(settings),
        "client_secret": provider.client_secret(settings),
        "refresh_token": tokens["refresh_token"],
        "access_token": tokens.get("access_token") or "",
        "token_url": provider.token_url,
    }


def _meta_settings(provider: Provider, settings: Settings, chosen: Mapping[str, Any]) -> dict[str, Any]:
    # ``chosen``: the Page's (or Instagram account's) id and its Page token. The app's secret
    # signs each Graph call (appsecret_proof, which apps may require) and checks webhooks.
    from ecoute.sources.connect.meta import graph_base

    return {**chosen, "app_secret": provider.client_secret(settings), "api_base": graph_base(provider)}


def _meta_pages(provider: Provider, settings: Settings, tokens: Mapping[str, Any], kind: str) -> list[Choice]:
    from ecoute.sources.connect.meta import page_choices

    return page_choices(provider, settings, tokens, kind)


@dataclass(frozen=True)
class Connection:
    """A source type connected through ``provider``."""

    kind: str
    provider: str
    scopes: tuple[str, ...]
    asks: tuple[str, ...]  # plain settings typed on the page before leaving for the platform
    optional: tuple[str, ...]  # more plain settings the page offers (searches, subreddits …)
    settings: Settings_  # the source's settings from the token answer (secrets sealed later)
    # When set, the token answer lists accounts to pick from, and ``settings`` is given the
    # picked one's values instead of the token answer.
    choose: Chooser | None = None
    account_setting: str = ""  # with ``choose``: the setting naming the account picked (kept on reconnecting)


CONNECTIONS: dict[str, Connection] = {
    "reddit": Connection(
        "reddit",
        "reddit",
        scopes=("identity", "read", "history", "privatemessages", "submit"),
        asks=("username",),
        optional=("searches", "subreddits", "keywords"),
        settings=_reddit_settings,
    ),
    "youtube": Connection(
        "youtube",
        "google",
        scopes=("https://www.googleapis.com/auth/youtube.force-ssl",),
        asks=("channel_id",),
        optional=("videos",),
        settings=_google_settings,
    ),
    "google_reviews": Connection(
        "google_reviews",
        "google",
        scopes=("https://www.googleapis.com/auth/business.manage",),
        asks=("account_id", "location_id"),
        optional=(),
        settings=_google_settings,
    ),
    "x": Connection(
        "x",
        "x",
        scopes=("tweet.read", "users.read", "tweet.write", "offline.access"),
        asks=("username",),
        optional=("searches",),
        settings=_x_settings,
    ),
}

# Reading a Page's posts and comments and replying as the Page; business_management because a
# Page the person manages through a business portfolio is listed by me/accounts only with it.
_PAGE_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
    "pages_manage_metadata",
    "business_management",
)
CONNECTIONS |= {
    "facebook": Connection(
        "facebook",
        "meta",
        scopes=_PAGE_SCOPES,
        asks=(),
        optional=("posts",),
        settings=_meta_settings,
        choose=_meta_pages,
        account_setting="page_id",
    ),
    "instagram": Connection(
        "instagram",
        "meta",
        scopes=(*_PAGE_SCOPES, "instagram_basic", "instagram_manage_comments"),
        asks=(),
        optional=("posts",),
        settings=_meta_settings,
        choose=_meta_pages,
        account_setting="ig_user_id",
    ),
}


def connectable() -> list[Connection]:
    """The connections whose source type is installed (another package may bring it later)."""
    installed = registry.available()
    return [conn for conn in CONNECTIONS.values() if conn.kind in installed]


def connection(kind: str) -> Connection | None:
    return CONNECTIONS.get(kind)


def provider_of(kind: str) -> Provider:
    return PROVIDERS[CONNECTIONS[kind].provider]


def redirect_uri(settings: Settings) -> str:
    return settings.public_url + CALLBACK_PATH

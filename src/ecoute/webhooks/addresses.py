"""Where outgoing webhooks may go: public addresses only, unless ``ECOUTE_WEBHOOK_ALLOW_PRIVATE``
lists exceptions (``10.0.0.0/8,127.0.0.1``).

A workspace admin chooses the URL, so without this a webhook is a probe into the server's own
network (loopback, the cloud's metadata address, private ranges). The URL is checked when the
endpoint is added (a clear error), and again at every delivery on the address actually connected
to: the name is resolved once, every address it resolves to is checked, and the connection goes to
the checked address, so a name that resolves to a public address when checked and a private one
when connecting (DNS rebinding) gets nowhere. TLS still verifies the certificate for the name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import httpcore
import httpx

from ecoute.settings import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The webhook's host is (or resolves to) an address outside the allowed ones."""


def allowed_networks(settings: Settings) -> tuple[Network, ...]:
    """The exceptions the operator allowed; a bad entry is an error naming it."""
    networks = []
    for entry in settings.raw("webhook_allow_private").split(","):
        if entry.strip():
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"ECOUTE_WEBHOOK_ALLOW_PRIVATE: {entry.strip()!r} is not an address or network"
                ) from None
    return tuple(networks)


def _plain(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address


def check_address(value: str, allowed: Sequence[Network]) -> None:
    address = _plain(ipaddress.ip_address(value.split("%", 1)[0]))
    if any(address in network for network in allowed):
        return
    if not address.is_global or address.is_multicast:
        raise AddressRefused(
            f"{address} is a loopback, private, link-local or reserved address: webhooks go to "
            "public addresses only (an operator may allow some with ECOUTE_WEBHOOK_ALLOW_PRIVATE)"
        )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, allowed: Sequence[Network]) -> None:
    """At creation: refuse a URL whose host is, or resolves to, a refused address. A name that does
    not resolve now is accepted: every delivery checks again where it connects."""
    host = urlsplit(url).hostname or ""
    port = urlsplit(url).port or 443
    if host == "localhost" or host.endswith(".localhost"):
        check_address("127.0.0.1", allowed)
    try:
        addresses = resolve(host, port)
    except httpcore.ConnectError:
        return
    for address in addresses:
        check_address(address, allowed)


class GuardedBackend(httpcore.SyncBackend):
    """Resolves, checks every address, connects to the checked one, and checks the peer again."""

    def __init__(self, allowed: Sequence[Network]) -> None:
        self.allowed = tuple(allowed)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = resolve(host, port)
        for address in addresses:
            check_address(address, self.allowed)
        stream = super().connect_tcp(addresses[0], port, timeout, local_address, socket_options)
        peer = stream.get_extra_info("socket").getpeername()[0]
        try:
            check_address(peer, self.allowed)
        except AddressRefused:
            stream.close()
            raise
        return stream


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through ``GuardedBackend``; no proxy from the
    environment (a proxy would connect on our behalf, out of our sight)."""

    def __init__(self, allowed: Sequence[Network]) -> None:
        super().__init__(trust_env=False)
        # httpx builds its connection pool without a way to pass the network backend: rebuild it.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=GuardedBackend(allowed),
        )


def guarded_client(settings: Settings) -> httpx.Client:
    return httpx.Client(
        transport=GuardedTransport(allowed_networks(settings)),
        timeout=httpx.Timeout(settings.int("http_timeout")),
        follow_redirects=False,
        trust_env=False,
    )

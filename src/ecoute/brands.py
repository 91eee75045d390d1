"""Decide which brands and competitors an item is about, from their listening queries and handles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecoute.listening import Document, Query, QuerySyntaxError, parse
from ecoute.store.models import Brand


@dataclass(frozen=True, slots=True)
class CompiledBrand:
    brand_id: int
    query: Query | None
    handles: frozenset[str]


class BrandMatcher:
    """Every brand's query compiled once; ``match`` is called for each ingested item."""

    def __init__(self, brands: Sequence[Brand]):
        self._brands = [self._compile(brand) for brand in brands]
        # The accounts the workspace's own brands post from (not competitors'): their posts are
        # the brand speaking, never something to answer.
        self.own_handles = frozenset(
            handle
            for brand in brands
            if brand.competitor_of_id is None
            for handle in self._compile(brand).handles
        )
        # The accounts declared competitors post from: heard, never answered.
        self.competitor_handles = (
            frozenset(
                handle
                for brand in brands
                if brand.competitor_of_id is not None
                for handle in self._compile(brand).handles
            )
            - self.own_handles
        )

    @staticmethod
    def _compile(brand: Brand) -> CompiledBrand:
        try:
            query = parse(brand.query) if brand.query.strip() else None
        except QuerySyntaxError as error:  # stored queries are validated on save; be explicit anyway
            raise QuerySyntaxError(f"brand {brand.name!r}: {error.message}", error.position) from None
        handles = frozenset(h.lstrip("@").lower() for h in brand.handles or [])
        return CompiledBrand(brand.id, query, handles)

    def __bool__(self) -> bool:
        return bool(self._brands)

    def match(self, doc: Document) -> list[int]:
        return [
            brand.brand_id
            for brand in self._brands
            if (brand.query is not None and brand.query.matches(doc))
            or (brand.handles and not brand.handles.isdisjoint(doc.handles))
        ]


def validate_query(query: str) -> None:
    """Raise QuerySyntaxError (with the position) when a listening query does not parse."""
    if query.strip():
        parse(query)

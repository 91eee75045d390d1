"""A report's HTML turned into a PDF by WeasyPrint: on the server, with no browser, the same bytes
for the same document, and CSS paged media (A4 pages, page numbers, no row cut in two).

WeasyPrint needs the Pango library of the system; it is imported only when a PDF is asked for, so
the rest of Écoute runs without it and the error says what to install."""

from __future__ import annotations

import logging
from typing import Any


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango, HarfBuzz) are missing."""


def _weasyprint() -> Any:
    try:
        import weasyprint  # noqa: PLC0415 - heavy, and needs system libraries: only when a PDF is made
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF reports need WeasyPrint and the Pango library "
            "(Debian/Ubuntu: apt install libpango-1.0-0 libpangoft2-1.0-0; see docs/reports.md): "
            f"{error}"
        ) from None
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document (it must not need anything from outside)."""
    weasyprint = _weasyprint()
    # It warns about every screen-only rule of the style (media queries, scrolling): not news.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refuse)
    return bytes(document.write_pdf())


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # A report carries everything it shows; nothing is fetched, not even a file of the server.
    raise ValueError(f"a report fetches nothing: {url[:80]}")

"""Readable text from the HTML fragments platforms send (feed summaries, Mastodon statuses)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_LINE_BREAKS = frozenset({"br"})
_PARAGRAPHS = frozenset({"p", "div", "li", "blockquote", "pre", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_BLANKS = re.compile(r"[ \t\r\f\v]+")


def html_to_text(value: str, *, keep_lines: bool = False) -> str:
    """The text of an HTML fragment, entities unescaped, scripts and styles dropped.

    By default all whitespace collapses to single spaces; ``keep_lines`` keeps ``<br>`` as a line
    break and paragraphs as a blank line between them (how a status reads on Mastodon).
    """
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    text = "".join(extractor.parts)
    if not keep_lines:
        return " ".join(text.replace("\x00", " ").split())
    lines = [_BLANKS.sub(" ", line).strip() for line in text.replace("\x00", "\n\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    """Collects the fragment's text, marking line breaks ("\\n") and block ends (NUL, placed
    between blocks, read as a blank line or a space)."""

    _BLOCKS = _PARAGRAPHS | frozenset({"ul", "ol", "td", "th", "table", "hr", "figure", "figcaption"})
    _HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag, opening=True)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._boundary(tag, opening=True)

    def handle_endtag(self, tag: str) -> None:
        self._boundary(tag, opening=False)

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(" ".join(data.split("\n")))

    def _boundary(self, tag: str, *, opening: bool) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth = max(0, self._hidden_depth + (1 if opening else -1))
        elif tag in _LINE_BREAKS:
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\x00")

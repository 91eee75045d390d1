"""French typography for replies: the spaces and apostrophes a careful French writer uses.

- a narrow no-break space (U+202F) before ``? ! ;`` and a no-break space (U+00A0) before ``:``
  and inside « guillemets », so that a line never starts with a lone "?" on a phone screen;
- a no-break space between a number and its unit (``18 h``, ``1 490 €``, ``3 %``);
- the typographic apostrophe (’) instead of the typewriter one.
Links, e-mail addresses, handles and times such as 10:30 are left as they are.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

_PROTECTED = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|(?<!\w)@\w+|\d+:\d+")
_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]*([?!;]+)")
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_UNIT = re.compile(r"(?<=\d) (?=(?:€|%|h\b|km\b|kg\b|min\b|ans?\b|jours?\b))")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


_HOLD = "\ue000"  # stands in for a protected piece (a private-use character: never in real text)


def french(text: str) -> str:
    """``text`` with French spacing and apostrophes (idempotent)."""
    held = _PROTECTED.findall(text)
    fixed = _fix(_PROTECTED.sub(_HOLD, text))
    for piece in held:
        fixed = fixed.replace(_HOLD, piece, 1)
    return fixed


def _fix(chunk: str) -> str:
    chunk = _APOSTROPHE.sub("’", chunk)
    chunk = _BEFORE_HIGH.sub(lambda m: _high(m, chunk), chunk)
    chunk = _BEFORE_COLON.sub(NBSP + ":", chunk)
    chunk = _OPEN_QUOTE.sub("«" + NBSP, chunk)
    chunk = _CLOSE_QUOTE.sub(NBSP + "»", chunk)
    chunk = _THOUSANDS.sub(NNBSP, chunk)
    return _UNIT.sub(NBSP, chunk)


def _high(match: re.Match[str], chunk: str) -> str:
    # "?!" after an emoji or at the very start keeps no space: only words get one.
    start = match.start()
    if start == 0 or not (chunk[start - 1].isalnum() or chunk[start - 1] in " \u00a0\u202f»)" + _HOLD):
        return match.group(1)
    return NNBSP + match.group(1)

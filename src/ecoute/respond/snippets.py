"""Saved replies: texts the team writes once, per workspace and language, with variables.

    render_snippet("Bonjour {first_name}, votre commande {order} part aujourd'hui. — {agent_name}",
                   {"first_name": "Claire", "order": "#CL-20931", "agent_name": "Chloé"})

A variable the team mistyped (``{frist_name}``) is an error that names it, says where it is and
suggests the closest known one: better caught when saving than sent to a customer. A known
variable with no value for this message (no first name, no order number) is left out with the
space before it, so "Bonjour {first_name}," becomes "Bonjour,"; the result lists what was missing
so the interface can point at it. ``{{`` and ``}}`` write literal braces.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

VARIABLES: dict[str, str] = {
    "first_name": "the customer's first name (empty when their display name gives none)",
    "name": "the customer's display name",
    "handle": "the customer's handle on the platform",
    "brand": "the brand's name",
    "order": "the order number found in the message",
    "ticket": "the ticket or case number found in the message",
    "product": "the product named in the message",
    "place": "the shop or town named in the message",
    "agent_name": "the first name of the agent who sends the reply",
    "email": "the workspace's support e-mail address",
}
_TOKEN = re.compile(r"{{|}}|{([^{}]*)}")


class SnippetError(ValueError):
    """A saved reply that cannot be rendered: unknown or malformed variables."""


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...] = ()


def variables_in(template: str) -> list[str]:
    """The variables a saved reply uses, in order; raises ``SnippetError`` for unknown ones."""
    found: list[str] = []
    problems: list[str] = []
    for match in _TOKEN.finditer(template):
        name = match.group(1)
        if name is None:
            continue
        if name not in VARIABLES:
            problems.append(_unknown(name, match.start()))
        elif name not in found:
            found.append(name)
    if problems or template.replace("{{", "").replace("}}", "").count("{") != len(_fields(template)):
        problems = problems or ["an unclosed '{' (write '{{' for a literal brace)"]
        known = ", ".join("{" + name + "}" for name in VARIABLES)
        raise SnippetError(f"saved reply has {'; '.join(problems)}. Known variables: {known}")
    return found


def render_snippet(template: str, values: Mapping[str, str | None]) -> Rendered:
    """Fill a saved reply's variables; see the module docstring for the rules."""
    variables_in(template)
    missing: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) in ("{{", "}}"):
            return match.group(0)[0]
        name = match.group(1)
        value = (values.get(name) or "").strip()
        if not value and name not in missing:
            missing.append(name)
        return value or "\0"

    text = _TOKEN.sub(substitute, template)
    # An empty variable takes the space before it along: "Bonjour {first_name}," -> "Bonjour,".
    text = re.sub(r"[ \u00a0]*\0", "", text)
    return Rendered(text=text, missing=tuple(missing))


def _fields(template: str) -> list[str]:
    return [m.group(1) for m in _TOKEN.finditer(template) if m.group(1) is not None]


def _unknown(name: str, position: int) -> str:
    close = difflib.get_close_matches(name, VARIABLES, n=1)
    hint = f" (did you mean {{{close[0]}}}?)" if close else ""
    return f"unknown variable {{{name}}} at character {position + 1}{hint}"

"""Boolean listening queries: decide which mentions belong to which brand or competitor.

A brand's query, e.g. ``velora OR "service client" -emploi lang:fr``, is parsed once with
:func:`parse`; every ingested item is turned once into a :class:`Document` and tested against every
brand with :meth:`Query.matches`.

Syntax
------
- ``velora``: a whole word (``velo`` does not match ``velora``). Case and accents never matter:
  ``reponse`` matches ``Réponse``. A word also matches the hashtag ``#velora``, the handle
  ``@velora`` and posts whose author is ``velora``, because users expect a brand name to catch those.
- ``rembours*``: any word starting with ``rembours`` (``remboursé``, ``remboursement``). The ``*``
  is allowed only at the end; it also works on ``#tags*`` and ``@handles*``.
- ``"service client"``: the words in this order, as whole words (not ``service clientèle``);
  punctuation and emojis between them do not matter. ``“…”`` and ``«…»`` are accepted too.
- ``#velora`` matches only that hashtag; ``@velora_fr`` matches only posts mentioning that handle
  or written by that account (``@velora`` also matches ``@velora@mastodon.social``).
- ``lang:fr`` (any 2- or 3-letter ISO code) matches items detected in that language. An item whose
  language is unknown matches no ``lang:`` filter, so ``NOT lang:en`` keeps it. No other ``field:``
  exists: a URL or anything containing ``:`` goes in quotes.
- ``OR``, ``AND``, ``NOT`` are operators only when written in capitals, as in Brandwatch, Talkwalker
  and X search: French ``or`` ("now", "gold") and English ``not`` are words people search for.
  ``-term`` is ``NOT term``. Adjacent terms are joined by AND. Precedence: NOT > AND > OR, so
  ``a OR b c`` is ``a OR (b AND c)``; parentheses group.
- An empty query matches nothing (brands without one only get items from sources bound to them). A
  query that would match a post containing none of its terms (``-spam``, ``NOT lang:en``) is refused.

Words are runs of letters, digits and ``_``; everything else separates them. So French elision
splits (``l'application`` gives ``l`` and ``application``; ``d'Velora`` gives ``velora``), and so do
hyphens (``e-mail`` gives ``e`` and ``mail``). A query word that splits into several words is
searched as a phrase: ``e-mail`` matches "e-mail" and "e mail" but not "email", and ``saint-étienne``
matches "Saint-Étienne" and "Saint Etienne".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce


class QuerySyntaxError(ValueError):
    """A query that does not parse; ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"position {position}: {message}")
        self.message = message
        self.position = position

    def __reduce__(self) -> tuple[type[QuerySyntaxError], tuple[str, int]]:
        return type(self), (self.message, self.position)

    def pointer(self, query: str) -> str:
        """The query line holding the error, and a ``^`` under the offending character."""
        start = query.rfind("\n", 0, self.position) + 1
        end = query.find("\n", self.position)
        line = query[start : len(query) if end < 0 else end]
        # Keep tabs so the caret lines up under them in a terminal.
        pad = "".join("\t" if char == "\t" else " " for char in query[start : self.position])
        return f"{line}\n{pad}^"


# --- text folding ------------------------------------------------------------------------------


_APOSTROPHES = {ord(c): "'" for c in "’‘ʼ′´"}


class _FoldTable(dict[int, str]):
    """Per-character fold, computed the first time a character is seen (str.translate calls us)."""

    def __missing__(self, code: int) -> str:
        folded = chr(code)
        for _ in range(4):  # some characters need two passes to reach a fixed point ("ŉ" gives "ʼn")
            stripped = unicodedata.normalize("NFKD", folded.translate(_APOSTROPHES))
            again = "".join(c for c in stripped if not unicodedata.combining(c)).casefold()
            if again == folded:
                break
            folded = again
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accent-free, straight-apostrophe form in which queries and documents are compared."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


_WORD = re.compile(r"\w+")
# The look-behinds (not "x#y", "&#39;", "a@b.fr") sit after the literal so re can jump to each # or @.
_HASHTAG = re.compile(r"#(?<![\w&#]#)(\w+)")
_MENTION = re.compile(r"@(?<![\w@.]@)(\w[\w.\-]*(?:@\w[\w.\-]*)?)")
_HANDLE_BODY = re.compile(r"\w(?:[\w.\-]*\w)?(?:@\w(?:[\w.\-]*\w)?)?")
_LANG_CODE = re.compile(r"[A-Za-z]{2,3}")


def _handle_forms(handle: str) -> tuple[str, ...]:
    # A Mastodon handle user@server also answers to the bare user name people type.
    user, at, _server = handle.partition("@")
    return (handle, user) if at else (handle,)


class Document:
    """One item in the form every brand query is tested against; build it once per item.

    ``text`` holds the folded words joined by single spaces, with a space at both ends, so a
    word, a word prefix or a phrase is a substring test on it. ``tokens`` (the set of words) is
    built only when a query asks for it (a long OR of words). Read-only by convention."""

    __slots__ = ("text", "hashtags", "handles", "lang", "_tokens")

    def __init__(
        self,
        text: str,
        hashtags: frozenset[str] = frozenset(),
        handles: frozenset[str] = frozenset(),
        lang: str | None = None,
    ) -> None:
        self.text = text
        self.hashtags = hashtags
        self.handles = handles  # mentioned handles and the author's, folded, without "@"
        self.lang = lang
        self._tokens: frozenset[str] | None = None

    @property
    def tokens(self) -> frozenset[str]:
        if self._tokens is None:
            self._tokens = frozenset(self.text.split())
        return self._tokens

    def __repr__(self) -> str:
        tags, handles = sorted(self.hashtags), sorted(self.handles)
        return f"Document({self.text!r}, hashtags={tags}, handles={handles}, lang={self.lang!r})"

    @classmethod
    def of(cls, text: str, *, lang: str | None = None, author: str | None = None) -> Document:
        folded = fold(text)
        hashtags = frozenset(_HASHTAG.findall(folded)) if "#" in folded else _NONE
        handles: frozenset[str] = _NONE
        if "@" in folded or author:
            found: set[str] = set()
            if "@" in folded:
                for mention in _MENTION.findall(folded):
                    found.update(_handle_forms(mention.rstrip(".-")))
            if author:
                found.update(_handle_forms(fold(author.strip()).lstrip("@")))
            handles = frozenset(found)
        # "fr-CA" and "fr_FR" are French for lang:fr.
        code = _LANG_SPLIT.split(lang.strip().lower(), maxsplit=1)[0] if lang else None
        return cls(f" {' '.join(_WORD.findall(folded))} ", hashtags, handles, code or None)


_NONE: frozenset[str] = frozenset()
_LANG_SPLIT = re.compile(r"[-_]")


# --- the query tree ----------------------------------------------------------------------------


def _star(prefix: bool) -> str:
    return "*" if prefix else ""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    prefix: bool = False

    def __str__(self) -> str:
        return self.text + _star(self.prefix)


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f'"{" ".join(self.words)}"'


@dataclass(frozen=True, slots=True)
class Hashtag:
    tag: str
    prefix: bool = False

    def __str__(self) -> str:
        return f"#{self.tag}{_star(self.prefix)}"


@dataclass(frozen=True, slots=True)
class Handle:
    handle: str
    prefix: bool = False

    def __str__(self) -> str:
        return f"@{self.handle}{_star(self.prefix)}"


@dataclass(frozen=True, slots=True)
class Lang:
    code: str

    def __str__(self) -> str:
        return f"lang:{self.code}"


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node

    def __str__(self) -> str:
        return f"NOT {_grouped(self.operand)}"


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_grouped(operand) for operand in self.operands)


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_grouped(operand) for operand in self.operands)


Term = Word | Phrase | Hashtag | Handle
Node = Word | Phrase | Hashtag | Handle | Lang | Not | And | Or


def _grouped(node: Node) -> str:
    # Always bracket a group inside another, so users see the precedence instead of recalling it.
    return f"({node})" if isinstance(node, And | Or) else str(node)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed listening query; ``root`` is None for the empty query, which matches nothing."""

    root: Node | None
    _match: Callable[[Document], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_match", _never if self.root is None else _compile(self.root))

    def matches(self, doc: Document) -> bool:
        return self._match(doc)

    def terms(self) -> tuple[Term, ...]:
        """The words, phrases, hashtags and handles the query looks for (not the excluded ones)."""
        found: dict[Term, None] = {}
        _collect(self.root, True, found)
        return tuple(found)

    def __str__(self) -> str:
        return "" if self.root is None else str(self.root)


def _collect(node: Node | None, positive: bool, found: dict[Term, None]) -> None:
    if isinstance(node, Word | Phrase | Hashtag | Handle) and positive:
        found[node] = None
    elif isinstance(node, Not):
        _collect(node.operand, not positive, found)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            _collect(operand, positive, found)


# --- compiling a tree into closures (the hot path) ---------------------------------------------

Matcher = Callable[[Document], bool]


def _never(doc: Document) -> bool:
    return False


def _starts_any(items: Iterable[str], prefix: str) -> bool:
    return any(item.startswith(prefix) for item in items)


def _compile(node: Node) -> Matcher:
    match node:
        case Word(text, False):
            # Words in d.text are space-separated and hold no space: " velora " occurs iff the
            # word does (cheaper than building the set of words).
            whole = f" {text} "
            return lambda d: whole in d.text or text in d.handles
        case Word(text, True):
            # Words in d.text are space-separated, so " rembours" occurs iff a word starts with it.
            needle = " " + text
            return lambda d: needle in d.text or _starts_any(d.handles, text)
        case Phrase(words):
            needle = f" {' '.join(words)} "
            return lambda d: needle in d.text
        case Hashtag(tag, False):
            return lambda d: tag in d.hashtags
        case Hashtag(tag, True):
            return lambda d: _starts_any(d.hashtags, tag)
        case Handle(handle, False):
            return lambda d: handle in d.handles
        case Handle(handle, True):
            return lambda d: _starts_any(d.handles, handle)
        case Lang(code):
            return lambda d: d.lang == code
        case Not(operand):
            inner = _compile(operand)
            return lambda d: not inner(d)
        case And(operands):
            return reduce(_both, [_compile(operand) for operand in operands])
        case Or(operands):
            return reduce(_either, _compile_alternatives(operands))
    raise TypeError(f"not a query node: {node!r}")


def _both(first: Matcher, second: Matcher) -> Matcher:
    return lambda d: first(d) and second(d)


def _either(first: Matcher, second: Matcher) -> Matcher:
    return lambda d: first(d) or second(d)


def _is_exact(node: Node) -> bool:
    return isinstance(node, Word | Hashtag | Handle) and not node.prefix


def _compile_alternatives(operands: tuple[Node, ...]) -> list[Matcher]:
    # Brand queries are mostly long ORs of names; one set test beats one closure call per name.
    words = frozenset(op.text for op in operands if isinstance(op, Word) and _is_exact(op))
    tags = frozenset(op.tag for op in operands if isinstance(op, Hashtag) and _is_exact(op))
    handles = frozenset(op.handle for op in operands if isinstance(op, Handle) and _is_exact(op))
    matchers = [_compile(op) for op in operands if not _is_exact(op)]
    if len(words) > 1:
        matchers.append(lambda d: not words.isdisjoint(d.tokens) or not words.isdisjoint(d.handles))
    else:
        matchers.extend(_compile(Word(word)) for word in words)
    if len(tags) > 1:
        matchers.append(lambda d: not tags.isdisjoint(d.hashtags))
    else:
        matchers.extend(_compile(Hashtag(tag)) for tag in tags)
    if len(handles) > 1:
        matchers.append(lambda d: not handles.isdisjoint(d.handles))
    else:
        matchers.extend(_compile(Handle(handle)) for handle in handles)
    return matchers


# --- lexing and parsing ------------------------------------------------------------------------

_QUOTES = {'"': '"', "“": "”", "”": "”", "«": "»"}
_BREAKS = frozenset("()") | frozenset(_QUOTES)
_OPERATORS = frozenset({"OR", "AND", "NOT"})
_MAX_DEPTH = 50


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(", ")", "OR", "AND", "NOT", "-", "phrase", "term" or "end"
    text: str
    pos: int


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, end = 0, len(query)
    while i < end:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char in _QUOTES:
            close = query.find(_QUOTES[char], i + 1)
            if close < 0:
                raise QuerySyntaxError("unclosed quote", i)
            tokens.append(_Token("phrase", query[i + 1 : close], i))
            i = close + 1
        elif char == "-":
            following = query[i + 1 : i + 2]
            if not following or following.isspace() or following == ")":
                raise QuerySyntaxError("'-' must be directly followed by the term to exclude", i)
            tokens.append(_Token("-", char, i))
            i += 1
        else:
            j = i
            while j < end and not query[j].isspace() and query[j] not in _BREAKS:
                j += 1
            text = query[i:j]
            tokens.append(_Token(text if text in _OPERATORS else "term", text, i))
            i = j
    tokens.append(_Token("end", "", end))
    return tokens


def _split_star(text: str, pos: int) -> tuple[str, bool]:
    star = text.find("*")
    if star < 0:
        return text, False
    if star != len(text) - 1:
        raise QuerySyntaxError("'*' is only allowed at the end of a word", pos + star)
    return text[:-1], True


def _term(token: _Token) -> Node:
    text, pos = token.text, token.pos
    if text[0] in "#@":
        return _tagged(text, pos)
    name, colon, value = text.partition(":")
    if colon and name.isalpha():
        return _field(name, value, pos)
    body, prefix = _split_star(text, pos)
    if not body:
        raise QuerySyntaxError("'*' needs the start of a word before it", pos)
    words = _WORD.findall(fold(body))
    if not words:
        raise QuerySyntaxError(f"nothing to search for in {text!r}: use letters or digits", pos)
    if len(words) == 1:
        return Word(words[0], prefix)
    if prefix:
        raise QuerySyntaxError("'*' only works after a single word", pos + len(text) - 1)
    return Phrase(tuple(words))


def _tagged(text: str, pos: int) -> Node:
    body, prefix = _split_star(text[1:], pos + 1)
    body = fold(body)
    if text[0] == "#":
        if not _WORD.fullmatch(body):
            raise QuerySyntaxError("a hashtag needs letters, digits or _ after '#', and nothing else", pos)
        return Hashtag(body, prefix)
    if not _HANDLE_BODY.fullmatch(body):
        raise QuerySyntaxError("a handle needs letters, digits, _, '.' or '-' after '@'", pos)
    return Handle(body, prefix)


def _field(name: str, value: str, pos: int) -> Lang:
    if name.lower() != "lang":
        message = f"unknown field '{name}:' (only lang: exists; put text containing ':' in quotes)"
        raise QuerySyntaxError(message, pos)
    if not _LANG_CODE.fullmatch(value):
        message = "lang: needs a 2- or 3-letter language code, like lang:fr"
        raise QuerySyntaxError(message, pos + len(name) + 1)
    return Lang(value.lower())


def _negate(node: Node) -> Node:
    return node.operand if isinstance(node, Not) else Not(node)


def _combine(kind: type[And] | type[Or], operands: list[Node]) -> Node:
    # Flatten nested groups of the same operator so equal queries give equal trees.
    flat: list[Node] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


class _Parser:
    """Recursive descent: or := and (OR and)* ; and := not (AND? not)* ; not := (NOT|-)* atom."""

    def __init__(self, query: str) -> None:
        self.tokens = _lex(query)
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        self.index += 1
        return self.tokens[self.index - 1]

    def query(self) -> Node | None:
        if self.peek().kind == "end":
            return None
        node = self.disjunction(None)
        if self.peek().kind == ")":
            raise QuerySyntaxError("unmatched closing parenthesis", self.peek().pos)
        return node

    def disjunction(self, after: _Token | None) -> Node:
        operands = [self.conjunction(after)]
        while self.peek().kind == "OR":
            operands.append(self.conjunction(self.take()))
        return _combine(Or, operands)

    def conjunction(self, after: _Token | None) -> Node:
        operands = [self.negation(after)]
        while self.peek().kind not in ("OR", ")", "end"):
            operands.append(self.negation(self.take() if self.peek().kind == "AND" else None))
        return _combine(And, operands)

    def negation(self, after: _Token | None) -> Node:
        negations = 0
        while self.peek().kind in ("NOT", "-"):
            after = self.take()
            negations += 1
        node = self.atom(after)
        return _negate(node) if negations % 2 else node

    def atom(self, after: _Token | None) -> Node:
        token = self.peek()
        if token.kind == "term":
            return _term(self.take())
        if token.kind == "phrase":
            words = _WORD.findall(fold(self.take().text))
            if not words:
                raise QuerySyntaxError("empty phrase", token.pos)
            return Phrase(tuple(words))
        if token.kind == "(":
            return self.group(self.take())
        raise self.missing_term(token, after)

    def group(self, opening: _Token) -> Node:
        if self.depth >= _MAX_DEPTH:
            raise QuerySyntaxError("parentheses nested too deeply", opening.pos)
        self.depth += 1
        node = self.disjunction(opening)
        self.depth -= 1
        if self.peek().kind != ")":
            raise QuerySyntaxError("unclosed parenthesis", opening.pos)
        self.take()
        return node

    @staticmethod
    def missing_term(found: _Token, after: _Token | None) -> QuerySyntaxError:
        """Explain why no term stands at ``found``, given the token that required one."""
        if after is not None and after.kind == "(":
            if found.kind == ")":
                return QuerySyntaxError("empty parentheses", after.pos)
            if found.kind == "end":
                return QuerySyntaxError("unclosed parenthesis", after.pos)
        elif after is not None:
            return QuerySyntaxError(f"{after.text} needs a term after it", after.pos)
        if found.kind in ("OR", "AND"):
            return QuerySyntaxError(f"{found.text} needs a term before it", found.pos)
        return QuerySyntaxError("unmatched closing parenthesis", found.pos)


_EMPTY_DOCUMENT = Document.of("")


def parse(query: str) -> Query:
    """Parse a listening query; raise QuerySyntaxError saying where and why it is wrong."""
    parsed = Query(_Parser(query).query())
    if parsed.matches(_EMPTY_DOCUMENT):
        # Such a query (``-spam``, ``NOT lang:en``) would file nearly every item under the brand.
        raise QuerySyntaxError("the query only excludes; add a word, phrase, hashtag or handle to find", 0)
    return parsed

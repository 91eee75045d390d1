"""Text clean-up before the models see a post: one normal form for training and for inference."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

# Bump when ``for_model`` changes: cached embeddings of the old form are then ignored.
NORMAL_FORM_VERSION = 1
# Past this, a post is cut for the models: the opening says what the post is about, and the
# embedding's cost grows with length (50 KB pasted logs would take seconds for nothing).
MAX_MODEL_CHARS = 1000
# Lexicons and cues are cheap and linear: they may read further.
MAX_LEXICON_CHARS = 5000

URL_RE = re.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|fr|net|org|io|ly|co|be|ch|ca)/\S*", re.IGNORECASE
)
HANDLE_RE = re.compile(r"(?<![\w@])@\w+")
HASHTAG_RE = re.compile(r"(?<![\w#])#\w+")
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# Some exports (and the XLM-T corpus) carry JSON escapes as literal text: "I\u2019m".
LITERAL_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")
SPACE_RE = re.compile(r"\s+")
REPEAT_USER_RE = re.compile(r"(?:@user\s*){3,}")


def text_hash(text: str) -> str:
    """Stable key for caches and training-data fingerprints."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def unescape(text: str) -> str:
    """Undo HTML entities (Twitter sends "&amp;") and literal \\uXXXX escapes; drop control chars."""
    if "\\u" in text:
        text = LITERAL_ESCAPE_RE.sub(_escaped_char, text)
    if "&" in text:
        text = html.unescape(text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C" or ch == "\u200d")


def _escaped_char(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return "" if 0xD800 <= ord(char) <= 0xDFFF else char


def for_model(text: str) -> str:
    """The form the embedding and lexicons read: @handles → @user, links → http, one line.

    It is the convention of the public tweet corpora, so that a handle or a link never carries
    meaning of its own; long runs of handles (reply chains) are collapsed too.
    """
    text = unescape(text[: MAX_LEXICON_CHARS * 2])
    text = URL_RE.sub("http", EMAIL_RE.sub("email", text))
    text = HANDLE_RE.sub("@user", text)
    text = REPEAT_USER_RE.sub("@user @user ", text)
    return SPACE_RE.sub(" ", text).strip()


def truncate(text: str, limit: int = MAX_MODEL_CHARS) -> str:
    """Cut at a word boundary near ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit - 100, limit)
    return text[: cut if cut > 0 else limit]


def for_language(text: str) -> str:
    """Only the words that say which language a post is in.

    Handles, hashtags, links, e-mails and numbers say nothing about it (an English hashtag or a
    brand handle in a French tweet must not make it English), nor do emojis and punctuation.
    """
    text = unescape(text[:4000])
    text = URL_RE.sub(" ", EMAIL_RE.sub(" ", text))
    text = HANDLE_RE.sub(" ", HASHTAG_RE.sub(" ", text))
    kept = [ch if (ch.isalpha() or ch in "'’- ") else " " for ch in text]
    return SPACE_RE.sub(" ", "".join(kept)).strip()


def letter_count(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def word_set(spaced: str) -> frozenset[str]:
    """A vocabulary written as one readable string of space-separated words."""
    return frozenset(spaced.split())

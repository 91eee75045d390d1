"""The one normal form of a post before the models: handles, links, escapes, length."""

from __future__ import annotations

from ecoute.analysis.text import MAX_MODEL_CHARS, for_language, for_model, text_hash, truncate, unescape


def test_handles_and_links_become_the_corpus_placeholders() -> None:
    text = "@SpotifyCares my playlist is gone https://t.co/AbC123 see www.example.com/page"
    assert for_model(text) == "@user my playlist is gone http see http"


def test_html_entities_and_literal_escapes_are_decoded() -> None:
    assert unescape("Fish &amp; chips, I\\u2019m in") == "Fish & chips, I’m in"


def test_control_characters_are_dropped_but_emoji_joiners_kept() -> None:
    assert unescape("a\x00b\x07c 👩\u200d💻") == "abc 👩\u200d💻"


def test_language_text_keeps_only_words() -> None:
    assert for_language("@Apple J'adore #iPhone15 😍 https://t.co/x 42 !") == "J'adore"


def test_truncate_cuts_long_text_at_a_word_boundary() -> None:
    long_text = "mot " * 20_000
    cut = truncate(long_text)
    assert len(cut) <= MAX_MODEL_CHARS
    assert cut.endswith("mot")


def test_text_hash_is_stable_and_distinguishes_texts() -> None:
    assert text_hash("bonjour") == text_hash("bonjour")
    assert text_hash("bonjour") != text_hash("Bonjour")

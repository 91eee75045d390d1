"""Listening queries: syntax, matching on French and English posts, error positions, round trips."""

from __future__ import annotations

import pickle
from contextlib import suppress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecoute.listening import (
    And,
    Document,
    Handle,
    Hashtag,
    Lang,
    Not,
    Or,
    Phrase,
    Query,
    QuerySyntaxError,
    Word,
    fold,
    parse,
)

MATCHES = [
    # words: whole words, case and accents ignored
    ("velora", "J'adore Velora !", True),
    ("velora", "VELORA", True),
    ("velo", "Velora, c'est top", False),
    ("velora", "Velorama n'a rien à voir", False),
    ("remboursement", "REMBOURSEMENT refusé", True),
    ("reponse", "Aucune réponse du SAV", True),
    ("réponse", "aucune reponse du sav", True),
    ("Élodie", "merci elodie", True),
    ("garcon", "Garçon !", True),
    ("coeur", "cœur brisé", False),
    ("refund", "I want a REFUND", True),
    # French elision and apostrophes: a separator, typographic or not
    ("application", "l'application plante", True),
    ("application", "L’application plante", True),
    ("velora", "c'est l'avis d'Velora", True),
    ("l'application", "j'aime l’application", True),
    ("aujourd'hui", "Livré aujourd’hui", True),
    ("can't", "I can’t log in", True),
    # hyphens separate words; a hyphenated query word is a phrase
    ("e-mail", "envoyez un e-mail", True),
    ("e-mail", "envoyez un e mail", True),
    ("e-mail", "envoyez un email", False),
    ("email", "envoyez un e-mail", False),
    ("mail", "envoyez un e-mail", True),
    ("saint-étienne", "Saint Etienne ce soir", True),
    ('"saint-étienne"', "à Saint-Étienne ce soir", True),
    ('"saint-étienne"', "les saint-étiennois", False),
    # phrases: whole words in order; punctuation and emojis in between do not matter
    ('"service client"', "Le service client est nul", True),
    ('"service client"', "Le service clientèle est nul", False),
    ('"service client"', "client, service", False),
    ('"service client"', "Service, client : rien", True),
    ('"Service Client"', "SERVICE CLIENT !!!", True),
    ('"customer service"', "Customer-service is awful", True),
    ('"customer service"', "customer services", False),
    ("«service client»", "le service client", True),
    ("“service client”", "le service client", True),
    ('"velora nul"', "velora 💩 nul", True),
    ('"https://velora.fr/promo"', "voir https://velora.fr/promo !", True),
    # emojis and punctuation are separators
    ("velora", "Velora😡😡", True),
    ("velora", "(velora)", True),
    # hashtags: #tag matches only the hashtag; a word matches its hashtag too
    ("#velora", "Bravo #Velora", True),
    ("#velora", "Bravo Velora", False),
    ("#velora", "Bravo @velora", False),
    ("#velora", "#velora_fr", False),
    ("#velorafail", "#VeloraFail", True),
    ("#sécurité", "#securite", True),
    ("velora", "bravo #velora", True),
    ("velora", "#VeloraFail", False),
    # handles: @handle matches only that mention; a word matches the handle too
    ("@velora_fr", "merci @Velora_FR", True),
    ("@velora_fr", "merci velora_fr", False),
    ("@velora", "merci @velora_fr", False),
    ("@velora", "merci @velora.", True),
    ("@velora", "écrivez à contact@velora.fr", False),
    ("@velora", "@velora@mastodon.social bonjour", True),
    ("@velora@mastodon.social", "@Velora@mastodon.social bonjour", True),
    ("@velora@mastodon.social", "@velora bonjour", False),
    ("@velora.bsky.social", "cc @velora.bsky.social", True),
    ("velora", "merci @velora", True),
    ("velora", "écrivez à contact@velora.fr", True),
    # prefix wildcard
    ("rembours*", "Je veux être remboursé", True),
    ("rembours*", "Remboursement ?", True),
    ("rembours*", "pas de sous", False),
    ("rembours*", "c'est non-remboursable", True),  # the hyphen splits "non" off
    ("rembours*", "c'est nonremboursable", False),
    ("refund*", "Still no refunds", True),
    ("#velora*", "#VeloraFail", True),
    ("#velora*", "velorafail", False),
    ("@velora*", "cc @velora_support", True),
    # exclusion
    ("velora -emploi", "Velora est top", True),
    ("velora -emploi", "Velora recrute : offre d'emploi", False),
    ("velora NOT emploi", "Velora recrute : offre d'emploi", False),
    ('velora -"offre d\'emploi"', "Velora : une offre d’emploi", False),
    ('velora -"offre d\'emploi"', "Velora : une offre, un emploi", True),
    ("velora -#pub", "Velora #pub", False),
    ("velora -(emploi OR stage)", "stage chez Velora", False),
    ("velora -(emploi OR stage)", "Velora en panne", True),
    # operators are capitals only; lower-case or/and/not are words
    ("velora or vizio", "velora vizio", False),
    ("velora or vizio", "Velora, or Vizio…", True),
    ("velora not working", "velora not working", True),
    ("velora OR vizio", "vizio", True),
    ("velora AND vizio", "vizio", False),
    # precedence: NOT > AND > OR; implicit AND
    ("velora OR vizio panne", "velora", True),
    ("velora OR vizio panne", "vizio", False),
    ("velora OR vizio panne", "vizio en panne", True),
    ("(velora OR vizio) panne", "velora", False),
    ("(velora OR vizio) panne", "velora en panne", True),
    ("velora panne OR retard", "retard", True),
    ("velora AND panne OR retard", "velora", False),
    ("NOT panne velora", "velora", True),
    ("NOT panne velora", "velora en panne", False),
    ("NOT (panne velora) vizio", "velora en panne et vizio", False),
    ("NOT (panne velora) vizio", "vizio en panne", True),
    ("NOT NOT velora", "velora", True),
    ("velora OR vizio OR #koala OR #ours", "#ours brun", True),
    ("velora OR vizio OR @koala OR @ours", "merci @koala", True),
    ("velora OR vizio OR @koala OR @ours", "merci koala", False),
    # the empty query matches nothing
    ("", "velora", False),
    ("   ", "", False),
]


@pytest.mark.parametrize(("query", "text", "expected"), MATCHES)
def test_query_matches_text(query: str, text: str, expected: bool) -> None:
    assert parse(query).matches(Document.of(text, lang="fr", author=None)) is expected


CONTEXT_MATCHES = [
    # query, text, document language, author, expected
    ("velora lang:fr", "Velora", "fr", None, True),
    ("velora lang:fr", "Velora", "en", None, False),
    ("velora lang:fr", "Velora", None, None, False),
    ("velora -lang:en", "Velora", None, None, True),
    ("velora NOT lang:en", "Velora", "en", None, False),
    ("velora lang:fr", "Velora", "fr-CA", None, True),
    ("velora lang:fr", "Velora", "FR", None, True),
    ("velora LANG:FR", "Velora", "fr", None, True),
    ("velora (lang:fr OR lang:en)", "Velora", "en", None, True),
    ("velora lang:gsw", "Velora", "gsw", None, True),
    ("@velora_fr", "Nouvelle collection", None, "@Velora_FR", True),
    ("@velora_fr", "Nouvelle collection", None, "velora_fr", True),
    ("@velora_fr", "Nouvelle collection", None, "quelquun", False),
    ("velora_fr", "Nouvelle collection", None, "velora_fr", True),
    ("@velora", "Nouvelle collection", None, "velora@mastodon.social", True),
    ("#velora", "Nouvelle collection", None, "velora", False),
]


@pytest.mark.parametrize(("query", "text", "lang", "author", "expected"), CONTEXT_MATCHES)
def test_query_matches_language_and_author(
    query: str, text: str, lang: str | None, author: str | None, expected: bool
) -> None:
    assert parse(query).matches(Document.of(text, lang=lang, author=author)) is expected


_QUOTE_COLONS = "(only lang: exists; put text containing ':' in quotes)"
ERRORS = [
    ("(velora OR vizio", 0, "unclosed parenthesis"),
    ("velora AND (vizio OR panne", 11, "unclosed parenthesis"),
    ("velora (", 7, "unclosed parenthesis"),
    ("velora ((vizio)", 7, "unclosed parenthesis"),
    ("velora)", 6, "unmatched closing parenthesis"),
    (") velora", 0, "unmatched closing parenthesis"),
    ("(velora))", 8, "unmatched closing parenthesis"),
    ('velora "service client', 7, "unclosed quote"),
    ("velora «service client", 7, "unclosed quote"),
    ("velora OR", 7, "OR needs a term after it"),
    ("velora AND", 7, "AND needs a term after it"),
    ("velora AND OR vizio", 7, "AND needs a term after it"),
    ("velora (vizio OR)", 14, "OR needs a term after it"),
    ("OR velora", 0, "OR needs a term before it"),
    ("(AND velora)", 1, "AND needs a term before it"),
    ("velora NOT", 7, "NOT needs a term after it"),
    ("velora NOT )", 7, "NOT needs a term after it"),
    ("velora - spam", 7, "'-' must be directly followed by the term to exclude"),
    ("velora -", 7, "'-' must be directly followed by the term to exclude"),
    ("velora ()", 7, "empty parentheses"),
    ("velora ( )", 7, "empty parentheses"),
    ('velora ""', 7, "empty phrase"),
    ('velora " !! 😡 "', 7, "empty phrase"),
    (
        "velora site:twitter.com",
        7,
        "unknown field 'site:' (only lang: exists; put text containing ':' in quotes)",
    ),
    (
        "velora https://velora.fr",
        7,
        "unknown field 'https:' (only lang: exists; put text containing ':' in quotes)",
    ),
    ("velora lang:", 12, "lang: needs a 2- or 3-letter language code, like lang:fr"),
    ("velora lang:french", 12, "lang: needs a 2- or 3-letter language code, like lang:fr"),
    ("rem*bours", 3, "'*' is only allowed at the end of a word"),
    ("velora #velo*ra", 12, "'*' is only allowed at the end of a word"),
    ("velora *", 7, "'*' needs the start of a word before it"),
    ("velora e-mai*", 12, "'*' only works after a single word"),
    ("velora #", 7, "a hashtag needs letters, digits or _ after '#', and nothing else"),
    ("velora #velo-ra", 7, "a hashtag needs letters, digits or _ after '#', and nothing else"),
    ("velora @", 7, "a handle needs letters, digits, _, '.' or '-' after '@'"),
    ("velora , vizio", 7, "nothing to search for in ',': use letters or digits"),
    ("-spam", 0, "the query only excludes; add a word, phrase, hashtag or handle to find"),
    ("NOT lang:en", 0, "the query only excludes; add a word, phrase, hashtag or handle to find"),
    ("velora OR -spam", 0, "the query only excludes; add a word, phrase, hashtag or handle to find"),
    ("(" * 60 + "velora" + ")" * 60, 50, "parentheses nested too deeply"),
]


@pytest.mark.parametrize(("query", "position", "message"), ERRORS)
def test_syntax_error_position_and_message(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert (caught.value.position, caught.value.message) == (position, message)


def test_syntax_error_is_a_value_error_with_position_in_its_text() -> None:
    with pytest.raises(ValueError, match=r"^position 14: unclosed parenthesis$"):
        parse("velora emploi (vizio OR koala")


def test_syntax_error_pointer_puts_a_caret_under_the_position() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse("velora OR")
    assert caught.value.pointer("velora OR") == "velora OR\n       ^"


def test_syntax_error_pointer_shows_only_the_line_at_fault_and_keeps_tabs() -> None:
    query = "velora\n\tOR (vizio"
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert caught.value.pointer(query) == "\tOR (vizio\n\t   ^"


def test_syntax_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(QuerySyntaxError("unclosed quote", 3)))
    assert (error.message, error.position, str(error)) == ("unclosed quote", 3, "position 3: unclosed quote")


CANONICAL = [
    ("Velora OR vizio panne", "velora OR (vizio AND panne)"),
    ("velora -emploi", "velora AND NOT emploi"),
    ("(velora vizio) panne", "velora AND vizio AND panne"),
    ("velora OR (vizio OR koala)", "velora OR vizio OR koala"),
    ("NOT (velora OR vizio) panne", "NOT (velora OR vizio) AND panne"),
    ("NOT NOT velora", "velora"),
    ("velora --spam", "velora AND spam"),
    ("e-mail", '"e mail"'),
    ("L'Application", '"l application"'),
    ("«Service  Client»", '"service client"'),
    ("velora LANG:FR", "velora AND lang:fr"),
    ("#Sécurité @Velora_FR Rembours*", "#securite AND @velora_fr AND rembours*"),
    ("velora or vizio", "velora AND or AND vizio"),
    ("", ""),
]


@pytest.mark.parametrize(("query", "canonical"), CANONICAL)
def test_str_shows_how_the_query_was_understood(query: str, canonical: str) -> None:
    assert str(parse(query)) == canonical


def test_parse_builds_a_flat_tree() -> None:
    expected = Or((Word("velora"), And((Phrase(("service", "client")), Not(Hashtag("pub")), Lang("fr")))))
    assert parse('velora OR "service client" -#pub lang:fr') == Query(expected)


def test_empty_and_blank_queries_are_the_same_empty_query() -> None:
    assert (parse(""), parse("  \n ")) == (Query(None), Query(None))


def test_terms_lists_positive_terms_once_in_order() -> None:
    query = parse('velora OR "service client" -emploi #velora NOT (stage OR @rh) lang:fr velora @velora_fr*')
    expected = (Word("velora"), Phrase(("service", "client")), Hashtag("velora"), Handle("velora_fr", True))
    assert query.terms() == expected


def test_terms_of_double_negation_is_positive() -> None:
    assert parse("velora NOT (spam NOT remboursement)").terms() == (Word("velora"), Word("remboursement"))


def test_query_is_immutable_and_hashable() -> None:
    query = parse("velora")
    with pytest.raises(AttributeError):
        query.root = None  # type: ignore[misc]
    assert len({query, parse("Velora"), parse("VÉLORA")}) == 1


def test_document_folds_case_accents_and_apostrophes() -> None:
    doc = Document.of("L’Élan d'Velora — e-mail 😡 #Sécurité @Velora_FR", lang="fr-FR", author="@Boss")
    assert doc.tokens == {"l", "elan", "d", "velora", "e", "mail", "securite", "velora_fr"}
    assert doc.text == " l elan d velora e mail securite velora_fr "
    assert (doc.hashtags, doc.handles, doc.lang) == ({"securite"}, {"velora_fr", "boss"}, "fr")


def test_fold_straightens_apostrophes_and_strips_accents() -> None:
    assert fold("L’ÉTÉ à Noël ß") == "l'ete a noel ss"


# --- properties --------------------------------------------------------------------------------

_WORDS = st.text(alphabet="abcdeéèçàôuVELORANTæ_1", min_size=1, max_size=8).filter(
    lambda word: word not in {"OR", "AND", "NOT"}
)
_POSITIVE = st.one_of(
    _WORDS,
    _WORDS.map(lambda word: word + "*"),
    st.lists(_WORDS, min_size=1, max_size=3).map(lambda words: '"' + " ".join(words) + '"'),
    _WORDS.map(lambda word: "#" + word),
    _WORDS.map(lambda word: "@" + word),
    st.sampled_from(["e-mail", "l'appli", "aujourd’hui", "«service client»", "@velora@mastodon.social"]),
)
_LEAVES = st.one_of(_POSITIVE, st.sampled_from(["lang:fr", "LANG:en", "lang:gsw"]))
_EXPRESSIONS = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" OR ".join),
        st.tuples(inner, inner).map(" AND ".join),
        st.tuples(inner, inner).map(" ".join),
        inner.map(lambda query: "NOT " + query),
        inner.map(lambda query: "-" + query),
        inner.map(lambda query: f"({query})"),
    ),
    max_leaves=12,
)
# Each alternative needs something positive to find, or the parser rightly refuses it.
_ANCHORED = st.tuples(_POSITIVE, _EXPRESSIONS).map(lambda pair: f"{pair[0]} ({pair[1]})")
_VALID_QUERIES = st.lists(_ANCHORED, min_size=1, max_size=3).map(" OR ".join)


@given(_VALID_QUERIES)
def test_canonical_form_parses_back_to_the_same_tree(query: str) -> None:
    tree = parse(query)
    assert parse(str(tree)) == tree


_SYNTAX_SOUP = st.text(alphabet=list("()\"«»#@-*: \tORANDNOTlang:fréÉ’'_.velo😡"), max_size=40)


@given(st.one_of(st.text(max_size=60), _SYNTAX_SOUP))
def test_parse_only_ever_raises_query_syntax_errors_within_the_query(query: str) -> None:
    try:
        parse(query)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(query)


@given(st.one_of(st.text(max_size=60), _SYNTAX_SOUP))
def test_whatever_parses_round_trips_through_its_canonical_form(query: str) -> None:
    with suppress(QuerySyntaxError):
        tree = parse(query)
        assert parse(str(tree)) == tree


@given(st.text(max_size=80))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)

"""The analyzer on real posts and on the worst inputs: every post gets a defined, well-formed answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecoute.analysis import INTENTS, SENTIMENTS, AnalysisInput, Analyzer, Annotation, get_analyzer

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def check_well_formed(note: Annotation) -> None:
    assert note.sentiment in SENTIMENTS
    assert note.intent in INTENTS
    assert -1.0 <= note.sentiment_score <= 1.0
    assert sum(note.sentiment_probs.values()) == pytest.approx(1.0, abs=1e-4)
    assert sum(note.intent_probs.values()) == pytest.approx(1.0, abs=1e-4)
    assert note.intent_confidence == pytest.approx(note.intent_probs[note.intent])
    assert 0.0 <= note.needs_reply_confidence <= 1.0
    assert 0 <= note.priority <= 100


def test_clear_posts_are_understood(analyzer: Analyzer) -> None:
    notes = analyzer.analyze(
        [
            AnalysisInput(
                "@SNCF_Voyageurs train annulé, 2h d'attente et aucune info, je veux être remboursé !!"
            ),
            AnalysisInput("@acme_help hi, do you ship to Canada? and how long does it usually take?"),
            AnalysisInput("Un grand merci à toute l'équipe du magasin de Nantes, accueil au top 😍"),
            AnalysisInput("The council meeting is on Tuesday at 7pm in the town hall"),
        ],
        now=NOW,
    )
    assert [(n.lang, n.sentiment, n.intent, n.needs_reply) for n in notes] == [
        ("fr", "negative", "complaint", True),
        ("en", "neutral", "question", True),
        ("fr", "positive", "praise", True),
        ("en", "neutral", "other", False),
    ]
    for note in notes:
        check_well_formed(note)


def test_priority_and_reasons_follow_the_workspace_locale(analyzer: Analyzer) -> None:
    item = AnalysisInput(
        "@acme where is my refund?? 3 weeks waiting, this is a scam",
        author_followers=48_000,
        created_at=NOW - timedelta(hours=3),
    )
    [fr] = analyzer.analyze([item], now=NOW, locale="fr")
    [en] = analyzer.analyze([item], now=NOW, locale="en")
    assert fr.priority == en.priority
    assert fr.priority >= 70
    assert fr.reasons[0] == "plainte négative"
    assert en.reasons[0] == "negative complaint"
    assert "48k followers" in en.reasons
    assert "keyword: refund" in en.reasons


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t",
        "😍😍😍",
        "👍",
        "https://t.co/abc https://t.co/def",
        "@user @user @user",
        "12345 678",
        "\x00\x01\x02",
        "\ufffd\ufffd",
        "a" * 50_000,
        "spam " * 12_000,
        "#" * 3000,
    ],
)
def test_bad_inputs_get_a_defined_answer(analyzer: Analyzer, text: str) -> None:
    [note] = analyzer.analyze([AnalysisInput(text)], now=NOW)
    check_well_formed(note)


def test_empty_and_emoji_only_posts_have_no_language(analyzer: Analyzer) -> None:
    notes = analyzer.analyze([AnalysisInput(""), AnalysisInput("😡😡😡"), AnalysisInput("http://x.co/1")])
    assert [note.lang for note in notes] == ["und", "und", "und"]
    assert (notes[0].sentiment, notes[0].intent, notes[0].needs_reply) == ("neutral", "other", False)


def test_order_is_kept_and_duplicates_share_one_analysis(analyzer: Analyzer) -> None:
    texts = [
        "Colis jamais reçu, c'est honteux",
        "Love this app",
        "Colis jamais reçu, c'est honteux",
        "Love this app",
    ]
    before = analyzer.analysed
    notes = analyzer.analyze([AnalysisInput(text) for text in texts * 50])
    assert analyzer.analysed - before <= 2
    assert [note.sentiment for note in notes[:4]] == ["negative", "positive", "negative", "positive"]
    assert notes[0] == notes[2]


def test_priority_depends_on_reach_even_for_a_cached_text(analyzer: Analyzer) -> None:
    text = "@acme my order never arrived"
    small, big = analyzer.analyze(
        [
            AnalysisInput(text, author_followers=10),
            AnalysisInput(text, author_followers=500_000, author_verified=True),
        ],
        now=NOW,
    )
    assert big.priority > small.priority
    assert small.sentiment_probs == big.sentiment_probs


def test_praise_follows_the_workspace_policy(analyzer: Analyzer) -> None:
    item = AnalysisInput("Merci @acme, livraison rapide et produit parfait 👍")
    [thanked] = analyzer.analyze([item], praise_needs_reply=True)
    [left] = analyzer.analyze([item], praise_needs_reply=False)
    assert thanked.intent == left.intent == "praise"
    assert (thanked.needs_reply, left.needs_reply) == (True, False)


def test_a_complaint_to_the_brand_always_needs_a_reply(analyzer: Analyzer) -> None:
    [note] = analyzer.analyze(
        [AnalysisInput("@acme third broken charger this year, useless", addressed_to_brand=True)]
    )
    assert note.intent == "complaint"
    assert note.needs_reply is True


def test_a_fitness_idiom_in_a_recommendation_is_no_safety_issue(analyzer: Analyzer) -> None:
    tip, fire = analyzer.analyze(
        [
            AnalysisInput(
                "Paris tip: skip the hop-on bus, rent a @cyclune_fr e-bike for €35 and do your own tour. "
                "Montmartre without the leg burn 😅"
            ),
            AnalysisInput("@cyclune_fr the charger burned my hand last night, the plug is black"),
        ],
        now=NOW,
        locale="en",
    )
    assert list(tip.keywords) == []
    assert (tip.sentiment, tip.intent) == ("positive", "praise")
    assert tip.priority < 20
    assert list(fire.keywords) == ["burned"]
    assert fire.intent == "complaint" and fire.priority > tip.priority + 30


def test_the_analyzer_is_shared_per_model_folder(analyzer: Analyzer) -> None:
    assert get_analyzer() is analyzer


def test_unknown_locale_is_refused(analyzer: Analyzer) -> None:
    with pytest.raises(ValueError, match="unknown locale"):
        analyzer.analyze([AnalysisInput("x")], locale="de")


def varied_posts(count: int) -> list[str]:
    """Distinct posts of every kind, so that some go on to the full stage and some do not."""
    kinds = [
        "@acme colis {n} jamais arrivé, remboursez-moi",
        "Merci @acme pour la commande {n}, parfait 👍",
        "Quels sont vos horaires le {n} décembre ?",
        "Match {n} ce soir, on verra bien",
        "@acme order {n} is late again, third time this month",
        "Thanks @acme, ticket {n} solved in minutes",
        "",
        "🙂 {n}",
    ]
    return [kinds[n % len(kinds)].format(n=n) for n in range(count)]


def test_the_pipeline_gives_the_same_answers_as_one_batch_after_another(analyzer: Analyzer) -> None:
    texts = varied_posts(300)  # five batches of 64: the full stage of one overlaps the next
    pipelined = Analyzer(analyzer.model).understand(texts)
    sequential = Analyzer(analyzer.model, pipeline=False).understand(texts)
    assert pipelined == sequential
    assert [result.lang for result in pipelined[6:8]] == ["und", "und"]
    routed = Analyzer(analyzer.model)
    routed.understand(texts)
    assert 0 < routed.routed < routed.analysed  # both stages were exercised


def test_an_error_in_a_batch_reaches_the_caller_and_the_analyzer_still_works(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Analyzer(analyzer.model)
    calls = 0
    finish = broken._finish

    def fail_on_the_second_batch(begun):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("embedding engine failed")
        return finish(begun)

    monkeypatch.setattr(broken, "_finish", fail_on_the_second_batch)
    with pytest.raises(RuntimeError, match="embedding engine failed"):
        broken.understand(varied_posts(200))
    monkeypatch.setattr(broken, "_finish", finish)
    again = broken.understand(varied_posts(200))
    assert again == Analyzer(analyzer.model, pipeline=False).understand(varied_posts(200))


def test_a_stream_of_batches_gives_each_batch_what_analyze_gives_it(analyzer: Analyzer) -> None:
    texts = varied_posts(400)
    batches = [
        [AnalysisInput(text) for text in texts[:150]],
        [],  # an empty batch keeps its place
        [AnalysisInput(text) for text in texts[150:151]],
        [AnalysisInput(text) for text in texts[:40]],  # all seen before, or still in the models
        [AnalysisInput(text) for text in texts[151:]],
    ]
    streamed = list(Analyzer(analyzer.model).analyze_stream(iter(batches), now=NOW, locale="en"))
    one_by_one = Analyzer(analyzer.model, pipeline=False)
    assert streamed == [one_by_one.analyze(batch, now=NOW, locale="en") for batch in batches]
    assert [len(notes) for notes in streamed] == [150, 0, 1, 40, 249]


def test_the_stream_keeps_the_models_busy_across_batches(analyzer: Analyzer) -> None:
    """The full stage of a batch's last 64 posts must still be running when the next batch's first
    posts go through the fast stage: a stream that drained the pipeline at each batch's end would
    leave this wait to time out."""
    import threading

    streaming = Analyzer(analyzer.model)
    next_batch_begun = threading.Event()
    overlapped: list[bool] = []
    begin, finish = streaming._begin, streaming._finish
    texts = varied_posts(256)
    first, second = texts[:128], texts[128:]

    def begin_and_tell(batch):  # type: ignore[no-untyped-def]
        if batch[0] == second[0]:
            next_batch_begun.set()
        return begin(batch)

    def finish_after_the_next_batch_begins(begun):  # type: ignore[no-untyped-def]
        if begun.texts[-1] == first[-1]:
            overlapped.append(next_batch_begun.wait(timeout=30))
        return finish(begun)

    streaming._begin = begin_and_tell  # type: ignore[method-assign]
    streaming._finish = finish_after_the_next_batch_begins  # type: ignore[method-assign]
    read: list[int] = []

    def batches():  # type: ignore[no-untyped-def]
        for n, batch in enumerate((first, second)):
            read.append(n)
            yield batch

    results = []
    for chunk in streaming.understand_stream(batches()):
        results.append(chunk)
        assert read == [0, 1]  # the second batch was read before the first came back
    assert overlapped == [True]
    assert results == [Analyzer(analyzer.model, pipeline=False).understand(part) for part in (first, second)]


def test_an_error_in_a_stream_reaches_the_caller_and_frees_the_analyzer(analyzer: Analyzer) -> None:
    streaming = Analyzer(analyzer.model)

    def batches():  # type: ignore[no-untyped-def]
        yield [AnalysisInput(text) for text in varied_posts(100)]
        raise ValueError("line 7: not JSON")

    with pytest.raises(ValueError, match="line 7"):
        list(streaming.analyze_stream(batches(), now=NOW))
    assert len(streaming.analyze([AnalysisInput("merci !")], now=NOW)) == 1  # not left locked

"""The one ingest path, on SQLite and PostgreSQL: dedupe, rejects, threads, brands, isolation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ecoute.ingest import IngestOptions, ingest
from ecoute.sources.base import Rejected
from ecoute.store import repo
from ecoute.store.models import Author, Conversation, Mention, MentionBrand
from factories import BASE_TIME, raw_item


def _mentions(db, workspace):
    with db.session() as session:
        rows = session.scalars(
            select(Mention).where(Mention.workspace_id == workspace.id).order_by(Mention.external_id)
        )
        return list(rows)


def _conversation_of(db, workspace, external_id):
    with db.session() as session:
        return session.scalar(
            select(Mention.conversation_id).where(
                Mention.workspace_id == workspace.id, Mention.external_id == external_id
            )
        )


def test_good_bad_and_duplicate_items_store_each_good_item_once(db, workspace):
    stream = [
        raw_item("1", "Colis toujours pas livré"),
        raw_item("2", "", created_at=BASE_TIME),
        raw_item("3", "date cassée", created_at="2026-02-30T10:00:00"),
        Rejected("export.jsonl line 4", "not valid JSON"),
        raw_item("1", "Colis toujours pas livré"),
        raw_item("5", "Merci pour la réparation express"),
    ]

    report = ingest(db, workspace, stream)

    assert [m.external_id for m in _mentions(db, workspace)] == ["1", "5"]
    assert (report.received, report.stored, report.duplicates) == (6, 2, 1)
    assert [(r.location, r.field) for r in report.rejected] == [
        ("item 2", "text"),
        ("item 3", "created_at"),
        ("export.jsonl line 4", None),
    ]


def test_ingesting_the_same_items_again_adds_nothing(db, workspace):
    items = [raw_item(str(n), f"message {n}") for n in range(25)]
    ingest(db, workspace, items, options=IngestOptions(batch_size=7))

    again = ingest(db, workspace, [raw_item(str(n), f"message {n}") for n in range(25)])

    assert (again.stored, again.duplicates) == (0, 25)
    assert len(_mentions(db, workspace)) == 25


def test_fields_are_normalised_and_stored(db, workspace):
    item = raw_item(
        "42",
        "  Batterie HS après 2 mois  ",
        author="@Marie_L",
        author_name="Marie L.",
        author_followers="48000",
        author_verified="true",
        kind="Review",
        rating="2,5",
        likes=-3,
        shares="7",
        language="FR",
        url="https://example.org/42",
        raw={"extra": "kept"},
        created_at="2026-10-01T11:00:00+02:00",
    )

    ingest(db, workspace, [item])

    [mention] = _mentions(db, workspace)
    assert (mention.text, mention.kind, mention.rating, mention.language) == (
        "Batterie HS après 2 mois",
        "review",
        2.5,
        "fr",
    )
    assert (mention.likes, mention.shares, mention.created_at) == (0, 7, BASE_TIME)
    assert mention.raw == {"extra": "kept"}
    with db.session() as session:
        author = session.scalar(select(Author).where(Author.workspace_id == workspace.id))
    assert (author.handle, author.display_name, author.followers, author.verified) == (
        "marie_l",
        "Marie L.",
        48000,
        True,
    )


def test_naive_dates_are_read_in_the_workspace_time_zone(db, workspace):
    ingest(db, workspace, [raw_item("1", created_at="2026-10-01 11:00:00")])

    [mention] = _mentions(db, workspace)
    assert mention.created_at == BASE_TIME  # 11:00 in Paris (UTC+2 in October) is 09:00 UTC


def test_replies_join_their_thread_even_when_they_arrive_first(db, workspace):
    ingest(db, workspace, [_reply("11", "moi aussi", "bob", "10", "10")])
    ingest(
        db,
        workspace,
        [
            raw_item("10", "Application en panne", author="alice"),
            _reply("12", "pareil", "carol", "11", "10"),
        ],
    )

    assert _conversation_of(db, workspace, "10") == _conversation_of(db, workspace, "11")
    assert _conversation_of(db, workspace, "12") == _conversation_of(db, workspace, "10")


def test_loose_posts_by_one_author_share_a_conversation_and_counters(db, workspace):
    ingest(
        db, workspace, [raw_item("1", "premier message", author="alice"), raw_item("3", "rien", author="bob")]
    )
    ingest(db, workspace, [raw_item("2", "deuxième message", author="alice")])

    conversation_id = _conversation_of(db, workspace, "1")
    assert _conversation_of(db, workspace, "2") == conversation_id
    assert _conversation_of(db, workspace, "3") != conversation_id
    with db.session() as session:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.workspace_id == workspace.id, Conversation.id == conversation_id
            )
        )
    assert conversation.mention_count == 2
    assert conversation.first_mention_at == BASE_TIME + timedelta(minutes=1)
    assert conversation.last_mention_at == BASE_TIME + timedelta(minutes=2)


def test_brand_queries_and_handles_decide_which_brand_an_item_is_about(db, workspace):
    with db.session() as session:
        velora = repo.add_brand(
            session, workspace.id, "Velora", query='(velora OR "velo ra") -recrute', handles=["velora_fr"]
        )
        cyclia = repo.add_brand(session, workspace.id, "Cyclia", query="cyclia", competitor_of="Velora")
    stream = [
        raw_item("1", "Mon VÉLORA est tombé en panne"),
        raw_item("2", "Question pour @velora_fr : livrez-vous à Lyon ?"),
        raw_item("3", "Cyclia ou Velora, lequel choisir ?"),
        raw_item("4", "Velora recrute à Bordeaux"),
        raw_item("5", "Rien à voir"),
    ]

    report = ingest(db, workspace, stream)

    with db.session() as session:
        links = session.execute(
            select(Mention.external_id, MentionBrand.brand_id)
            .join(MentionBrand, MentionBrand.mention_id == Mention.id)
            .where(Mention.workspace_id == workspace.id)
            .order_by(Mention.external_id, MentionBrand.brand_id)
        ).all()
    assert [tuple(link) for link in links] == [
        ("1", velora.id),
        ("2", velora.id),
        ("3", velora.id),
        ("3", cyclia.id),
    ]
    assert report.stored == 5  # file imports keep unmatched items by default


def test_sources_can_skip_items_that_match_no_brand(db, workspace):
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Velora", query="velora")

    report = ingest(
        db,
        workspace,
        [raw_item("1", "velora"), raw_item("2", "autre chose")],
        options=IngestOptions(keep_unmatched=False),
    )

    assert (report.stored, report.unmatched) == (1, 1)
    assert [m.external_id for m in _mentions(db, workspace)] == ["1"]


def test_workspaces_are_isolated(db, workspace, other_workspace):
    ingest(db, workspace, [raw_item("1", "remboursement refusé")])
    ingest(db, other_workspace, [raw_item("1", "remboursement refusé"), raw_item("2", "remboursement ok")])

    with db.session() as session:
        counts = (
            repo.count_mentions(session, workspace.id),
            repo.count_mentions(session, other_workspace.id),
        )
        found = repo.search_mentions(session, workspace.id, "remboursement")
    assert counts == (1, 2)
    assert [(m.workspace_id, m.external_id) for m in found] == [(workspace.id, "1")]


def test_full_text_search_folds_accents_and_case(db, workspace):
    ingest(
        db,
        workspace,
        [
            raw_item("1", "Aucune RÉPONSE du service client"),
            raw_item("2", "Livraison rapide, merci"),
            raw_item("3", "No reply from support"),
        ],
    )

    with db.session() as session:
        french = [m.external_id for m in repo.search_mentions(session, workspace.id, "reponse")]
        english = [m.external_id for m in repo.search_mentions(session, workspace.id, "reply support")]
        nothing = repo.search_mentions(session, workspace.id, '"; DROP TABLE mentions; --')
    assert (french, english, nothing) == (["1"], ["3"], [])


def test_new_mention_needing_reply_reopens_a_resolved_conversation(db, workspace):
    class Annotation:
        lang, sentiment, sentiment_score, intent = "fr", "negative", -0.8, "complaint"
        needs_reply, priority, reasons = True, 70, ["plainte négative"]

        def details(self):
            return {"intent_confidence": 0.9}

    def annotate(items):
        return [Annotation() for _ in items]

    ingest(db, workspace, [raw_item("1", "panne", author="alice")])
    conversation_id = _conversation_of(db, workspace, "1")
    with db.session() as session:
        session.get(Conversation, conversation_id).status = "resolved"

    ingest(
        db,
        workspace,
        [raw_item("2", "toujours en panne", author="alice")],
        options=IngestOptions(annotate=annotate),
    )

    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        stored = session.scalar(
            select(Mention).where(Mention.workspace_id == workspace.id, Mention.external_id == "2")
        )
        total = session.scalar(select(func.count()).select_from(Conversation))
    assert (conversation.status, conversation.priority, conversation.needs_reply) == ("open", 70, True)
    assert (stored.intent, stored.priority, stored.reasons, stored.analysis) == (
        "complaint",
        70,
        ["plainte négative"],
        {"intent_confidence": 0.9},
    )
    assert total == 1


def test_posts_by_the_brands_own_accounts_and_its_competitors_never_need_a_reply(db, workspace):
    class Annotation:
        lang, sentiment, sentiment_score, intent = "fr", "negative", -0.6, "complaint"
        needs_reply, priority, reasons = True, 90, ["plainte négative"]

        def details(self):
            return {}

    with db.session() as session:
        repo.add_brand(session, workspace.id, "Velora", query="velora", handles=["velora_fr"])
        repo.add_brand(
            session, workspace.id, "Cyclia", query="cyclia", handles=["cyclia"], competitor_of="Velora"
        )
    stream = [
        raw_item("1", "Velora : panne en cours, nous sommes désolés", author="velora_fr"),
        raw_item("2", "Cyclia : panne en cours", author="cyclia"),
    ]

    ingest(db, workspace, stream, options=IngestOptions(annotate=lambda items: [Annotation() for _ in items]))

    own, rival = _mentions(db, workspace)
    assert (own.needs_reply, own.priority, own.reasons, own.sentiment) == (False, 0, [], "negative")
    assert own.analysis == {"own_account": True}
    # A competitor's own post is heard (alerts, insights), not answered, and is not a complaint.
    assert (rival.needs_reply, rival.priority, rival.intent) == (False, 36, "other")
    assert rival.reasons == ["publication d'un concurrent", "pas de réponse attendue"]
    assert rival.analysis == {
        "speaker": "competitor",
        "model": {"intent": "complaint", "needs_reply": True, "priority": 90},
    }


def test_a_new_conversation_is_created_with_its_batch_totals_and_top_mention(db, workspace):
    class Annotation:
        def __init__(self, priority, sentiment, needs_reply):
            self.lang, self.sentiment, self.sentiment_score, self.intent = "fr", sentiment, 0.0, "other"
            self.needs_reply, self.priority, self.reasons = needs_reply, priority, []

        def details(self):
            return {}

    labels = {"1": (20, "neutral", False), "2": (60, "negative", True), "3": (60, "positive", False)}

    def annotate(items):
        return [Annotation(*labels[item.external_id]) for item in items]

    stream = [raw_item(n, f"message {n}", author="alice") for n in ("2", "1", "3")]
    ingest(db, workspace, stream, options=IngestOptions(annotate=annotate))

    with db.session() as session:
        [conversation] = session.scalars(
            select(Conversation).where(Conversation.workspace_id == workspace.id)
        )
        top = session.get(Mention, conversation.top_mention_id)
    assert (conversation.mention_count, conversation.priority, conversation.needs_reply) == (3, 60, True)
    assert (conversation.first_mention_at, conversation.last_mention_at) == (
        BASE_TIME + timedelta(minutes=1),
        BASE_TIME + timedelta(minutes=3),
    )
    # Highest priority, then newest: "3" (60, 09:03) over "2" (60, 09:02).
    assert (top.external_id, conversation.sentiment, conversation.status) == ("3", "positive", "new")


def test_a_known_author_is_updated_only_with_what_is_new(db, workspace):
    def author():
        with db.session() as session:
            return session.scalar(select(Author).where(Author.workspace_id == workspace.id))

    ingest(db, workspace, [raw_item("1", author="alice", author_followers=10)])
    first = author()
    ingest(db, workspace, [raw_item("2", author="alice", author_followers=10)])
    unchanged = author()
    ingest(db, workspace, [raw_item("3", author="alice", author_name="Alice", author_verified=True)])
    ingest(db, workspace, [raw_item("4", author="alice", author_followers=25)])
    last = author()

    assert unchanged.updated_at == first.updated_at  # nothing new: the row was not rewritten
    assert (last.id, last.display_name, last.followers, last.verified) == (first.id, "Alice", 25, True)
    with db.session() as session:
        authors = set(session.scalars(select(Mention.author_id).where(Mention.workspace_id == workspace.id)))
    assert authors == {first.id}


def test_a_mention_stored_meanwhile_by_another_writer_is_not_counted_in_its_new_conversation(db, workspace):
    from ecoute.normalise import normalise
    from ecoute.store import mentions as store

    items = [normalise(raw_item(n, f"message {n}", author="alice")) for n in ("1", "2")]
    with db.session() as session:
        authors = store.upsert_authors(session, workspace.id, items)
        resolved = store.resolve_conversations(session, workspace.id, items, authors)
        # Another writer stores "2" between the look-up and the insert (same conversation here).
        store.insert_mentions(
            session,
            workspace.id,
            None,
            items[1:],
            author_ids=authors,
            conversation_ids=resolved.ids[1:],
            annotations=None,
        )
        inserted = store.insert_mentions(
            session,
            workspace.id,
            None,
            items,
            author_ids=authors,
            conversation_ids=resolved.ids,
            annotations=None,
            mention_ids=resolved.mention_ids,
        )
        store.refresh_conversations(session, workspace.id, items, resolved, None, inserted)

    assert list(inserted) == [("x", "1")]
    with db.session() as session:
        [conversation] = session.scalars(
            select(Conversation).where(Conversation.workspace_id == workspace.id)
        )
        top = session.get(Mention, conversation.top_mention_id)
    assert (conversation.mention_count, top.external_id) == (1, "1")
    assert conversation.last_mention_at == BASE_TIME + timedelta(minutes=1)


def _reply(external_id, text, author, parent, thread):
    return raw_item(external_id, text, author=author, parent_id=parent, thread_id=thread)


def _as_velora(db, workspace, handle, *batches):
    """Ingest ``batches`` one after the other for a workspace whose brand posts as ``handle``."""
    with db.session() as session:
        repo.add_brand(session, workspace.id, "Velora", query="velora", handles=[handle])
    for batch in batches:
        ingest(db, workspace, batch)


def test_each_customer_answering_the_brands_own_post_gets_a_conversation_of_their_own(db, workspace):
    _as_velora(
        db,
        workspace,
        "@Velora_FR",
        [
            raw_item("b1", "Velora : panne du service de déverrouillage, on s'en occupe", author="velora_fr"),
            _reply("l1", "@velora_fr 3 heures pour un tweet, velora", "lea", "b1", "b1"),
            _reply("f1", "@velora_fr et mon abonnement velora ?", "flo", "b1", "b1"),
        ],
        [
            # The brand answers Léa; she answers back; Flo writes again under the brand's first post.
            _reply("r1", "@lea désolés, velora vous rembourse le mois", "Velora_FR", "l1", "b1"),
            _reply("l2", "@velora_fr merci velora, c'est noté", "lea", "r1", "b1"),
            _reply("f2", "@velora_fr toujours rien velora", "flo", "b1", "b1"),
            _reply("m1", "@flo @velora_fr pareil, velora", "max", "f1", "b1"),
        ],
    )

    of = {n: _conversation_of(db, workspace, n) for n in ("b1", "l1", "f1", "r1", "l2", "f2", "m1")}
    assert len({of["b1"], of["l1"], of["f1"], of["m1"]}) == 4  # Max answering Flo has his own too
    assert of["l1"] == of["r1"] == of["l2"]
    assert of["f1"] == of["f2"]
    with db.session() as session:
        handles = dict(
            session.execute(
                select(Conversation.id, Author.handle)
                .join(Author, Author.id == Conversation.author_id)
                .where(Conversation.workspace_id == workspace.id)
            ).all()
        )
    assert (handles[of["b1"]], handles[of["l1"]], handles[of["f1"]]) == ("velora_fr", "lea", "flo")


def test_replies_under_a_customers_post_stay_in_its_conversation_whoever_writes_them(db, workspace):
    _as_velora(
        db,
        workspace,
        "velora_fr",
        [
            raw_item("c1", "velora en panne depuis ce matin", author="alice"),
            _reply("c2", "@alice pareil, velora ne répond pas", "bob", "c1", "c1"),
            _reply("c3", "@alice @bob velora : on regarde", "velora_fr", "c2", "c1"),
            _reply("c4", "@velora_fr velora merci", "bob", "c3", "c1"),
        ],
    )

    # Bob answering the brand's reply under Alice's post: the thread is Alice's, not the brand's.
    assert len({_conversation_of(db, workspace, n) for n in ("c1", "c2", "c3", "c4")}) == 1

"""Another workspace's pages and ids answer 404, exactly like ones that do not exist."""

import inbox_factories


def test_a_workspace_the_user_is_not_in_is_not_found(owner, other_workspace):
    theirs = owner.get("/w/globex/")
    missing = owner.get("/w/does-not-exist/")

    assert theirs.status_code == 404
    assert missing.status_code == 404
    assert "Globex" not in theirs.text


def test_another_workspaces_conversation_is_not_found_under_ones_own_slug(
    owner, db, workspace, other_workspace
):
    secret = inbox_factories.conversation(db, other_workspace, text="Secret de Globex")
    mine = inbox_factories.conversation(db, workspace, text="Colis perdu")

    leaked = owner.get(f"/w/acme/c/{secret.id}")
    own = owner.get(f"/w/acme/c/{mine.id}")

    assert leaked.status_code == 404
    assert "Secret de Globex" not in leaked.text
    assert own.status_code == 200
    assert "Colis perdu" in own.text


def test_the_inbox_lists_only_the_workspaces_own_conversations(owner, db, workspace, other_workspace):
    inbox_factories.conversation(db, other_workspace, text="Secret de Globex", priority=99)
    inbox_factories.conversation(db, workspace, text="Colis perdu", priority=10)

    page = owner.get("/w/acme/").text

    assert "Colis perdu" in page
    assert "Secret de Globex" not in page


def test_bad_input_is_a_clear_4xx_never_a_500(owner):
    responses = {
        "cursor": owner.get("/w/acme/?cursor=not-a-cursor").status_code,
        "date": owner.get("/w/acme/?since=yesterday").status_code,
        "status": owner.get("/w/acme/?status=archived").status_code,
        "id": owner.get("/w/acme/c/abc").status_code,
        "number": owner.get("/w/acme/?tag=red").status_code,
    }

    assert responses == {"cursor": 400, "date": 400, "status": 400, "id": 400, "number": 400}

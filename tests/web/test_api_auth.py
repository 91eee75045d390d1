"""API token authentication: the token decides the workspace; errors share one JSON shape."""

from ecoute.auth import api_tokens


def _token(db, workspace, role="agent"):
    with db.session() as session:
        token, row = api_tokens.create_token(session, workspace.id, name="tests", role=role)
    return token, row


def test_a_token_reaches_its_own_workspace(client, db, workspace, other_workspace):
    token, _ = _token(db, workspace, "viewer")

    response = client.get("/api/v1/workspace", headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {
        "slug": "acme",
        "name": "Acme",
        "locale": "fr",
        "timezone": "Europe/Paris",
        "role": "viewer",
    }


def test_missing_wrong_and_revoked_tokens_get_401_with_the_error_shape(client, db, workspace):
    token, row = _token(db, workspace)
    with db.session() as session:
        api_tokens.revoke_token(session, workspace.id, row.id)

    missing = client.get("/api/v1/workspace")
    wrong = client.get("/api/v1/workspace", headers={"authorization": "Bearer ecu_nope"})
    revoked = client.get("/api/v1/workspace", headers={"authorization": f"Bearer {token}"})

    assert [missing.status_code, wrong.status_code, revoked.status_code] == [401, 401, 401]
    assert revoked.json() == {"detail": "missing, unknown or revoked API token"}
    assert revoked.headers["www-authenticate"] == "Bearer"


def test_the_openapi_description_lists_the_api_and_not_the_pages(client):
    paths = client.get("/openapi.json").json()["paths"]

    assert "/api/v1/workspace" in paths
    assert "/login" not in paths

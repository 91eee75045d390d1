"""Logging in and out, and CSRF protection on every form."""

import inbox_factories
from web.conftest import csrf_of, log_in


def test_pages_need_a_login_and_send_back_to_where_one_was_going(client, workspace):
    response = client.get("/w/acme/?status=all")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fw%2Facme%2F%3Fstatus%3Dall"


def test_logging_in_opens_the_only_workspace_and_sets_an_http_only_session_cookie(client, db, workspace):
    member = inbox_factories.user(db, workspace, "agent")
    token = csrf_of(client.get("/login").text)

    response = client.post(
        "/login", data={"email": member.email, "password": inbox_factories.PASSWORD, "csrf_token": token}
    )
    home = client.get("/")

    assert response.status_code == 303
    assert "ecoute_session=" in response.headers["set-cookie"]
    assert "httponly" in response.headers["set-cookie"].lower()
    assert home.headers["location"] == "/w/acme/"


def test_a_wrong_password_is_refused_with_a_message(client, db, workspace):
    member = inbox_factories.user(db, workspace)
    token = csrf_of(client.get("/login", headers={"accept-language": "en"}).text)

    response = client.post(
        "/login",
        data={"email": member.email, "password": "wrong password", "csrf_token": token},
        headers={"accept-language": "en"},
    )

    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert "ecoute_session" not in response.headers.get("set-cookie", "")


def test_login_never_redirects_to_another_site(client, db, workspace):
    member = inbox_factories.user(db, workspace)
    token = csrf_of(client.get("/login").text)

    response = client.post(
        "/login",
        data={
            "email": member.email,
            "password": inbox_factories.PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )

    assert response.headers["location"] == "/"


def test_a_login_form_without_its_csrf_token_is_refused(client, db, workspace):
    member = inbox_factories.user(db, workspace)
    client.get("/login")

    response = client.post("/login", data={"email": member.email, "password": inbox_factories.PASSWORD})

    assert response.status_code == 403
    assert "ecoute_session" not in response.headers.get("set-cookie", "")


def test_logout_needs_the_session_csrf_token_and_then_ends_the_session(owner):
    page = owner.get("/w/acme/")
    refused = owner.post("/logout", data={"csrf_token": "forged"})
    still_in = owner.get("/w/acme/")
    session_cookie = owner.cookies.get("ecoute_session")

    accepted = owner.post("/logout", data={"csrf_token": csrf_of(page.text)})
    owner.cookies.set("ecoute_session", session_cookie)  # replaying the old cookie does not work
    after = owner.get("/w/acme/")

    assert refused.status_code == 403
    assert still_in.status_code == 200
    assert accepted.status_code == 303
    assert after.status_code == 303
    assert after.headers["location"].startswith("/login")


def test_the_csrf_header_is_accepted_instead_of_the_form_field(owner):
    token = csrf_of(owner.get("/w/acme/").text)

    response = owner.post("/locale", data={"locale": "en"}, headers={"x-csrf-token": token})

    assert response.status_code == 303


def test_log_in_helper_reaches_the_inbox(client, db, workspace):
    member = inbox_factories.user(db, workspace, "viewer")

    response = log_in(client, member.email).get("/w/acme/")

    assert response.status_code == 200

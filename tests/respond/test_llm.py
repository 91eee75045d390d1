"""Polishing through an OpenAI-compatible server: a real local HTTP server answers like
/v1/chat/completions does; on every kind of failure the template draft comes back unchanged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ecoute.respond.llm import polish
from ecoute.respond.types import Draft
from ecoute.settings import Settings

DRAFT = Draft(
    text="Bonjour Bastien, toutes nos excuses pour le retard de votre commande #CL-20931. Pouvez-vous nous "
    "écrire en message privé ? — Chloé",
    lang="fr",
    intent="complaint",
    strategy="apology_private",
    limit=280,
)


class ChatServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply: str = ""
        self.status = 200
        self.raw_body: bytes | None = None
        self.requests: list[dict] = []
        self.headers_seen: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: ChatServer

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
        self.server.headers_seen.append(dict(self.headers))
        body = (
            self.server.raw_body
            or json.dumps(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1760000000,
                    "model": "local",
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": self.server.reply},
                        }
                    ],
                    "usage": {"prompt_tokens": 80, "completion_tokens": 40, "total_tokens": 120},
                }
            ).encode()
        )
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ChatServer]:
    chat = ChatServer()
    thread = threading.Thread(target=chat.serve_forever, daemon=True)
    thread.start()
    yield chat
    chat.shutdown()
    chat.server_close()


def settings_for(url: str) -> Settings:
    return Settings(
        {"llm_url": url, "llm_model": "local-7b", "llm_api_key": "sk-local", "http_timeout": "5"}, environ={}
    )


def test_polished_text_replaces_the_draft(server):
    server.reply = (
        "Bonjour Bastien, on est vraiment désolés pour le retard de la commande #CL-20931. "
        "Écrivez-nous en message privé et on s'en occupe. — Chloé"
    )

    result = polish(
        DRAFT,
        customer_text="Toujours rien pour #CL-20931",
        first_name="Bastien",
        settings=settings_for(server.url),
    )

    assert result.polished is True
    assert result.text == server.reply
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert server.requests[0]["body"]["model"] == "local-7b"
    assert server.requests[0]["body"]["messages"][1]["content"].endswith(DRAFT.text)
    assert server.headers_seen[0]["Authorization"] == "Bearer sk-local"


def test_a_rewrite_that_drops_the_order_number_is_refused(server):
    server.reply = "Bonjour Bastien, désolés pour le retard ! Écrivez-nous en privé."

    result = polish(DRAFT, customer_text="…", first_name="Bastien", settings=settings_for(server.url))

    assert result == DRAFT


def test_a_server_error_falls_back_to_the_template(server):
    server.status = 503

    assert polish(DRAFT, customer_text="…", settings=settings_for(server.url)) == DRAFT


def test_an_unexpected_answer_shape_falls_back_to_the_template(server):
    server.raw_body = b'{"error": {"message": "model not loaded"}}'

    assert polish(DRAFT, customer_text="…", settings=settings_for(server.url)) == DRAFT


def test_nobody_listening_falls_back_to_the_template(server):
    url = server.url
    server.shutdown()
    server.server_close()

    assert polish(DRAFT, customer_text="…", settings=settings_for(url)) == DRAFT


def test_without_the_setting_nothing_is_sent():
    assert polish(DRAFT, customer_text="…", settings=Settings(environ={})) == DRAFT

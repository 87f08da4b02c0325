"""The HTTP layer: retries and backoff, Retry-After and rate-limit headers, errors by cause
with French messages, redacted secrets, bounded concurrency. Nothing here really waits."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fakes.servers import fake_server, reset_server
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from observatory import PROJECT_URL
from observatory.collect.http import (
    BadRequest,
    BadResponse,
    Http,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    Unauthorized,
    parse_reset,
    parse_retry_after,
    redact,
)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    with fake_server() as s:
        yield s


def client(sleeps: Sleeps, **options: object) -> Http:
    settings: dict[str, object] = dict(sleep=sleeps, min_interval=0.0, retries=3, backoff=1.0,
                                       timeout=(1.0, 1.0), monotonic=lambda: 1000.0,
                                       wallclock=lambda: 1_700_000_000.0)
    settings.update(options)
    return Http(**settings)  # type: ignore[arg-type]


def test_user_agent_names_the_project(server: HTTPServer) -> None:
    server.expect_request("/ok").respond_with_json({"ok": True})
    assert client(Sleeps()).get_json(server.url_for("/ok")) == {"ok": True}
    agent = server.log[0][0].headers["User-Agent"]
    assert agent == f"Observatoire/0.1 (+{PROJECT_URL})"


def test_429_with_retry_after_is_waited_then_retried(server: HTTPServer) -> None:
    server.expect_oneshot_request("/x").respond_with_json({"error": "RateLimitExceeded"}, status=429,
                                                          headers={"Retry-After": "7"})
    server.expect_request("/x").respond_with_json({"ok": 1})
    sleeps = Sleeps()
    http = client(sleeps)
    assert http.get_json(server.url_for("/x"), tag="bluesky") == {"ok": 1}
    assert sleeps == [7.0]
    assert http.requests["bluesky"] == 2


def test_too_long_retry_after_fails_at_once(server: HTTPServer) -> None:
    server.expect_request("/x").respond_with_json({}, status=429, headers={"Retry-After": "3600"})
    sleeps = Sleeps()
    with pytest.raises(RateLimited) as caught:
        client(sleeps, max_retry_after=120).get_json(server.url_for("/x"))
    assert sleeps == [] and len(server.log) == 1
    assert "limite de requêtes atteinte" in str(caught.value) and "3600 s" in str(caught.value)


def test_5xx_backoff_is_exponential_with_jitter(server: HTTPServer) -> None:
    server.expect_request("/x").respond_with_data("panne", status=503)
    sleeps = Sleeps()
    with pytest.raises(ServerError) as caught:
        client(sleeps, retries=3).get_json(server.url_for("/x"))
    assert len(server.log) == 4
    assert [0.5 <= sleeps[0] <= 1.0, 1.0 <= sleeps[1] <= 2.0, 2.0 <= sleeps[2] <= 4.0] == [True] * 3
    assert "erreur du serveur (503" in str(caught.value) and "abandon après 4 essais" in str(caught.value)


def test_500_then_success(server: HTTPServer) -> None:
    server.expect_oneshot_request("/x").respond_with_data("oups", status=500)
    server.expect_request("/x").respond_with_json([1, 2])
    assert client(Sleeps()).get_json(server.url_for("/x")) == [1, 2]


def test_timeout_is_a_network_error(server: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.4)
        return Response("{}", content_type="application/json")

    server.expect_request("/slow").respond_with_handler(slow)
    sleeps = Sleeps()
    with pytest.raises(NetworkError) as caught:
        client(sleeps, retries=1, timeout=(0.5, 0.1)).get_json(server.url_for("/slow"))
    assert "délai de réponse dépassé" in str(caught.value)
    assert len(sleeps) == 1


def test_connection_reset_is_a_network_error() -> None:
    with reset_server() as url:
        sleeps = Sleeps()
        with pytest.raises(NetworkError) as caught:
            client(sleeps, retries=2).get_json(url + "/x")
    assert "connexion impossible ou coupée" in str(caught.value)
    assert len(sleeps) == 2


@pytest.mark.parametrize(("body", "words"), [
    ('{"profiles": [', "JSON tronqué"),
    ("<html>maintenance</html>", "n'est pas du JSON"),
    ("", "réponse vide"),
])
def test_malformed_bodies(server: HTTPServer, body: str, words: str) -> None:
    server.expect_request("/x").respond_with_data(body, content_type="application/json")
    with pytest.raises(BadResponse) as caught:
        client(Sleeps()).get_json(server.url_for("/x"))
    assert words in str(caught.value)


@pytest.mark.parametrize(("status", "error", "words"), [
    (404, NotFound, "introuvable (404"),
    (410, NotFound, "introuvable (410"),
    (401, Unauthorized, "accès refusé (401"),
    (403, Unauthorized, "accès refusé (403"),
    (400, BadRequest, "requête refusée (400"),
])
def test_errors_are_classed_by_cause(server: HTTPServer, status: int, error: type, words: str) -> None:
    body = {"error": "AccountTakedown", "message": "Account taken down"}
    server.expect_request("/x").respond_with_json(body, status=status)
    with pytest.raises(error) as caught:
        client(Sleeps()).get_json(server.url_for("/x"))
    assert words in str(caught.value)
    assert "AccountTakedown : Account taken down" in str(caught.value)
    assert len(server.log) == 1  # never retried


def test_google_error_details_are_quoted(server: HTTPServer) -> None:
    server.expect_request("/x").respond_with_json(
        {"error": {"code": 403, "message": "quota dépassé", "errors": [{"reason": "quotaExceeded"}]}},
        status=403)
    with pytest.raises(Unauthorized) as caught:
        client(Sleeps()).get_json(server.url_for("/x"))
    assert "quota dépassé (code 403, quotaExceeded)" in str(caught.value)


def test_rate_limit_headers_pause_the_host(server: HTTPServer) -> None:
    reset = str(int(1_700_000_000 + 30))
    server.expect_oneshot_request("/x").respond_with_json(
        {}, headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})
    server.expect_request("/x").respond_with_json({})
    sleeps = Sleeps()
    http = client(sleeps)
    http.get_json(server.url_for("/x"))
    http.get_json(server.url_for("/x"))
    assert sleeps == [30.0]


def test_mastodon_style_iso_reset_and_ietf_delta() -> None:
    now = 1_700_000_000.0
    assert parse_reset("2023-11-14T22:13:50Z", now) == pytest.approx(30.0)
    assert parse_reset("12", now) == 12.0
    assert parse_reset(str(int(now + 5)), now) == 5.0
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:40 GMT", now) == pytest.approx(20.0)
    assert parse_retry_after("n'importe quoi", now) is None


def test_per_host_rate_limit_spaces_requests(server: HTTPServer) -> None:
    server.expect_request("/x").respond_with_json({})
    sleeps = Sleeps()
    http = client(sleeps, min_interval=0.5)
    for _ in range(3):
        http.get_json(server.url_for("/x"))
    assert sleeps == [0.5, 1.0]  # the clock is frozen: each request reserves the next slot


def test_secrets_never_appear_in_messages(server: HTTPServer) -> None:
    secret = "cle-secrete-123"
    server.expect_request("/x").respond_with_json({"error": {"message": f"bad key {secret}"}}, status=400)
    with pytest.raises(BadRequest) as caught:
        client(Sleeps(), secrets=[secret]).get_json(server.url_for("/x"), params={"key": secret})
    assert secret not in str(caught.value)
    assert redact(f"https://h/p?key={secret}&a=1") == "https://h/p?key=***&a=1"
    with reset_server() as url, pytest.raises(NetworkError) as network:
        client(Sleeps(), retries=0, secrets=[secret]).get_json(f"{url}/x?key={secret}")
    assert secret not in str(network.value)


def test_map_keeps_order_and_bounds_concurrency() -> None:
    http = Http(max_workers=3)
    running, peak = 0, 0
    lock = threading.Lock()

    def work(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1
        return n * 2

    assert http.map(work, list(range(20))) == [n * 2 for n in range(20)]
    assert peak <= 3


@contextlib.contextmanager
def trickle_server(interval: float) -> Iterator[str]:
    """A server that sends its headers, then one byte of body every `interval` seconds: each
    socket read is quick, the whole answer never ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: 1000000\r\n\r\n")
                try:
                    while not stop.is_set():
                        conn.sendall(b" ")
                        time.sleep(interval)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_a_trickling_server_hits_the_total_deadline_and_is_not_retried() -> None:
    sleeps = Sleeps()
    http = client(sleeps, retries=3, timeout=(1.0, 1.0), deadline=1.0, monotonic=time.monotonic)
    started = time.monotonic()
    with trickle_server(0.1) as url, pytest.raises(NetworkError) as caught:
        http.get_json(url + "/slow")
    assert time.monotonic() - started < 4  # one second of deadline, plus one read at most
    assert "délai total de 1 s dépassé" in str(caught.value)
    assert sleeps == []  # no retry: the host is too slow today
    assert http.requests[""] == 1


def test_an_oversized_answer_is_refused(server: HTTPServer) -> None:
    body = b"[" + b"1," * 5000 + b"1]"
    server.expect_request("/big").respond_with_data(body, content_type="application/json")
    with pytest.raises(BadResponse) as caught:
        client(Sleeps(), max_body=1000).get_json(server.url_for("/big"))
    assert "trop volumineuse" in str(caught.value)


def test_a_long_error_body_is_redacted_before_it_is_cut(server: HTTPServer) -> None:
    token = "EAAB" + "x7Kq9" * 60  # a 304-character token, longer than the kept detail
    message = "Invalid OAuth access token - Cannot parse access token: " + token
    server.expect_request("/x").respond_with_json({"error": {"message": message}}, status=400)
    with pytest.raises(BadRequest) as caught:
        client(Sleeps(), secrets=[token]).get_json(server.url_for("/x"))
    text = str(caught.value)
    assert "Cannot parse access token: ***" in text
    assert token[:8] not in text and token[-8:] not in text and "x7Kq9x7K" not in text


def test_the_start_or_end_of_a_secret_is_masked_too() -> None:
    secret = "s3cr3t-0123456789-abcdef"
    assert redact(f"… {secret[:12]}", [secret]) == "… ***"
    assert redact(f"{secret[-10:]} …", [secret]) == "*** …"
    assert redact("s3cr3t", [secret]) == "s3cr3t"  # too short to be told from ordinary text

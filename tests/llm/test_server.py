"""``vaani serve`` end to end: a real server on a free localhost port, the official ``openai``
client, SmolLM2 behind it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.models

openai = pytest.importorskip("openai")
uvicorn = pytest.importorskip("uvicorn")

MODEL = "smol"
CHAT = [{"role": "user", "content": "Name three fruits."}]
COUNT = "1, 2, 3, 4, 5,"           # SmolLM2 keeps counting: a long generation on demand


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app):
    """Serve ``app`` with uvicorn on a free localhost port; yields the /v1 base URL."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(smollm2):
    from vaani.llm import LlamaEngine
    from vaani.llm.server import create_app

    engine = LlamaEngine(smollm2, n_ctx=2048, threads=1)
    with running(create_app(engine, model_ids=[MODEL, "vaani"])) as url:
        yield engine, url
    engine.close()


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server[1], api_key="unused", max_retries=0, timeout=120)


def wait_idle(engine, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while engine.lock.busy and time.time() < deadline:
        time.sleep(0.02)
    assert not engine.lock.busy


def test_models(client):
    assert [m.id for m in client.models.list()] == [MODEL, "vaani"]
    assert client.models.retrieve("vaani").id == "vaani"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4")


def test_chat_completion_with_usage(client, server):
    engine = server[0]
    r = client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=8, temperature=0)
    assert r.object == "chat.completion" and r.choices[0].message.role == "assistant"
    assert r.choices[0].message.content
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens == 8
    assert r.usage.prompt_tokens == len(engine.chat_prompt(CHAT))
    assert r.usage.total_tokens == r.usage.prompt_tokens + 8
    r = client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=300, temperature=0)
    assert r.choices[0].finish_reason == "stop" and r.usage.completion_tokens < 300


def test_streaming_equals_non_streaming(client):
    full = client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=40,
                                          temperature=0)
    stream = client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=40,
                                            temperature=0, stream=True,
                                            stream_options={"include_usage": True})
    parts, finish, usage, n = [], None, None, 0
    for chunk in stream:
        n += 1
        if chunk.usage:
            usage = chunk.usage
        for c in chunk.choices:
            parts.append(c.delta.content or "")
            finish = c.finish_reason or finish
    assert "".join(parts) == full.choices[0].message.content
    assert n > 5                                 # really streamed, piece by piece
    assert finish == full.choices[0].finish_reason
    assert usage.completion_tokens == full.usage.completion_tokens


def test_completions_endpoint_stream_and_not(client):
    r = client.completions.create(model=MODEL, prompt=COUNT, max_tokens=6, temperature=0)
    assert r.object == "text_completion" and r.choices[0].text.strip().startswith("6")
    assert r.usage.completion_tokens == 6
    text = "".join(c.choices[0].text for c in client.completions.create(
        model=MODEL, prompt=COUNT, max_tokens=6, temperature=0, stream=True))
    assert text == r.choices[0].text


def test_stop_and_seed(client):
    r = client.completions.create(model=MODEL, prompt=COUNT, max_tokens=30, temperature=0,
                                  stop=[" 9,"])
    assert r.choices[0].finish_reason == "stop" and r.choices[0].text.rstrip().endswith("8,")
    a, b = (client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=16,
                                           temperature=1.0, seed=7).choices[0].message.content
            for _ in range(2))
    assert a == b


def test_concurrent_clients_are_queued_and_get_the_right_answers(client, server):
    ref = client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=24,
                                         temperature=0).choices[0].message.content
    ref_count = client.completions.create(model=MODEL, prompt=COUNT, max_tokens=12,
                                          temperature=0).choices[0].text
    results: dict[int, str] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            if i % 3 == 0:
                s = client.chat.completions.create(model=MODEL, messages=CHAT, max_tokens=24,
                                                   temperature=0, stream=True)
                results[i] = "".join(c.choices[0].delta.content or "" for c in s if c.choices)
            elif i % 3 == 1:
                results[i] = client.chat.completions.create(
                    model=MODEL, messages=CHAT, max_tokens=24, temperature=0
                ).choices[0].message.content
            else:
                results[i] = client.completions.create(model=MODEL, prompt=COUNT, max_tokens=12,
                                                       temperature=0).choices[0].text
        except BaseException as exc:       # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    for i, text in results.items():
        assert text == (ref_count if i % 3 == 2 else ref), i
    assert len(results) == 6


def test_a_client_that_disconnects_cancels_its_generation(client, server):
    engine = server[0]
    stream = client.completions.create(model=MODEL, prompt=COUNT, max_tokens=1500,
                                       temperature=0, stream=True)
    for i, _ in enumerate(stream):
        if i == 3:
            break
    stream.close()
    wait_idle(engine)
    assert engine.last.finish_reason == "cancelled"
    assert engine.last.completion_tokens < 200
    # non-streaming: the client gives up waiting
    with pytest.raises(httpx.TimeoutException):
        httpx.post(server[1] + "/completions", timeout=0.5,
                   json={"model": MODEL, "prompt": COUNT, "max_tokens": 1500, "temperature": 0})
    wait_idle(engine)
    assert engine.last.finish_reason == "cancelled" and engine.last.completion_tokens < 500
    # and the server carries on
    assert client.completions.create(model=MODEL, prompt=COUNT, max_tokens=3,
                                     temperature=0).usage.completion_tokens == 3


GOOD = {"model": MODEL, "messages": CHAT, "max_tokens": 2}


@pytest.mark.parametrize("body,status,code", [
    (b"{not json", 400, "invalid_json"),
    (b"[1, 2]", 400, None),
    ({**GOOD, "model": "gpt-4"}, 404, "model_not_found"),
    ({k: v for k, v in GOOD.items() if k != "model"}, 400, "missing_model"),
    ({**GOOD, "messages": "hi"}, 400, "invalid_messages"),
    ({**GOOD, "messages": [{"role": "robot", "content": "x"}]}, 400, "invalid_messages"),
    ({**GOOD, "max_tokens": -1}, 400, "invalid_value"),
    ({**GOOD, "max_tokens": "ten"}, 400, "invalid_type"),
    ({**GOOD, "temperature": "hot"}, 400, "invalid_type"),
    ({**GOOD, "temperature": 5}, 400, "invalid_value"),
    ({**GOOD, "top_p": 0}, 400, "invalid_value"),
    ({**GOOD, "stop": 3}, 400, "invalid_type"),
    ({**GOOD, "stream": "yes"}, 400, "invalid_type"),
    ({**GOOD, "n": 3}, 400, "unsupported_parameter"),
    ({**GOOD, "frobnicate": 1}, 400, "unknown_parameter"),
    ({**GOOD, "messages": [{"role": "user", "content": "hello " * 3000}]}, 400,
     "context_length_exceeded"),
])
def test_bad_requests_get_4xx_and_the_server_keeps_serving(server, client, body, status, code):
    url = server[1] + "/chat/completions"
    if isinstance(body, bytes):
        r = httpx.post(url, content=body, headers={"content-type": "application/json"})
    else:
        r = httpx.post(url, json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["message"] and err["type"] == "invalid_request_error"
    if code:
        assert err["code"] == code
    assert client.chat.completions.create(**GOOD).usage.completion_tokens == 2


def test_completion_prompt_errors(server):
    url = server[1] + "/completions"
    for body in ({"model": MODEL, "prompt": 5}, {"model": MODEL, "prompt": [10 ** 9]},
                 {"model": MODEL, "prompt": "x " * 5000}):
        assert httpx.post(url, json=body).status_code == 400
    assert httpx.get(url).status_code == 405


def test_vaani_serve_cli(smollm2, tmp_path):
    """The real command: start, answer one chat request, stop."""
    port = free_port()
    env = {**os.environ, "VAANI_DATA_DIR": os.environ.get("VAANI_DATA_DIR", "")}
    env = {k: v for k, v in env.items() if v != ""}
    proc = subprocess.Popen([sys.executable, "-m", "vaani", "serve", "--port", str(port),
                             "--model", str(smollm2), "--context", "512", "--threads", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(base + "/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            assert proc.poll() is None, proc.stdout.read()
        c = openai.OpenAI(base_url=base, api_key="unused", max_retries=0)
        model = c.models.list().data[0].id
        assert model == smollm2.stem
        r = c.chat.completions.create(model="vaani", messages=CHAT, max_tokens=4)
        assert r.usage.completion_tokens == 4
    finally:
        proc.terminate()
        proc.wait(20)

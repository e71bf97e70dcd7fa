"""The daemon's optional OpenAI-compatible routes (``vaani daemon --http PORT``): the whole
assistant, skills in the loop, behind ``/v1/chat/completions``, on loopback only.

``vaani serve`` exposes the raw model; this exposes what VAANI answers: the last user message
is asked as a typed question (:class:`vaani.protocol.Ask`) of the daemon's session, so the
clock, the calculator, the timers and the reply guard all apply, and the models loaded for the
microphone serve it too. The reply is the answer VAANI would speak, with ``vaani`` beside the
choices saying which skill or the model answered, the outcome and the timings.

Not the raw model's API: client-defined ``tools`` are refused (VAANI's tools are its
plugins), sampling parameters are ignored, and ``stream: true`` sends the reply as one chunk
once it is complete (then ``[DONE]``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import threading
import time
import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.requests import Request
from fastapi.responses import JSONResponse, StreamingResponse

from vaani import protocol
from vaani.errors import ConfigError

MODEL_ID = "vaani"
ASK_TIMEOUT_S = 120.0


def check_loopback(host: str) -> None:
    """Only this machine may reach the assistant: ``host`` must be a loopback address."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(f"--http-host {host!r} is not a loopback address",
                          hint="the daemon's HTTP routes listen on 127.0.0.1 or ::1 only")


def create_app(session: Any) -> Any:
    app = FastAPI(title="VAANI assistant", docs_url=None, redoc_url=None, openapi_url=None)

    def error(status: int, message: str, kind: str = "invalid_request_error") -> Any:
        return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)

    @app.get("/v1/models")
    async def models() -> Any:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model",
                                            "created": 0, "owned_by": "vaani"}]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return error(400, "the body is not JSON")
        if not isinstance(body, dict):
            return error(400, "the body must be a JSON object")
        if body.get("tools") or body.get("functions"):
            return error(400, "tools are VAANI's own plugins here; use `vaani serve` for the "
                              "raw model with tools of your own")
        text = _last_user_text(body.get("messages"))
        if text is None:
            return error(400, "messages must be a list ending with a user message whose "
                              "content is text")
        if len(text) > 2000:
            return error(400, "the question is longer than 2000 characters")
        model = body.get("model", MODEL_ID)
        if model not in (MODEL_ID, None):
            return error(404, f"model {model!r} not found: this server has '{MODEL_ID}' only",
                         "not_found_error")
        future = session.submit(protocol.Ask(text=text, id=f"http-{uuid.uuid4().hex[:8]}"))
        try:
            result = await asyncio.wait_for(asyncio.wrap_future(future), ASK_TIMEOUT_S)
        except asyncio.TimeoutError:
            return error(504, "the assistant did not answer in time", "timeout")
        if not result.ok:
            return error(503, f"{result.error.get('title')}: {result.error.get('message')}",
                         "assistant_error")
        data = result.data
        reply = str(data.get("reply", "")).strip()
        created = int(time.time())
        rid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        extra = {"source": data.get("source", ""), "outcome": data.get("outcome", ""),
                 "language": data.get("language", ""), "timings": data.get("timings", {})}
        if body.get("stream"):
            def frames() -> Any:
                first = {"id": rid, "object": "chat.completion.chunk", "created": created,
                         "model": MODEL_ID, "vaani": extra, "choices": [{
                             "index": 0, "delta": {"role": "assistant", "content": reply},
                             "finish_reason": None}]}
                last = {"id": rid, "object": "chat.completion.chunk", "created": created,
                        "model": MODEL_ID, "choices": [{"index": 0, "delta": {},
                                                        "finish_reason": "stop"}]}
                for d in (first, last):
                    yield f"data: {json.dumps(d, ensure_ascii=False)}\n\n".encode()
                yield b"data: [DONE]\n\n"
            return StreamingResponse(frames(), media_type="text/event-stream")
        return {"id": rid, "object": "chat.completion", "created": created, "model": MODEL_ID,
                "vaani": extra,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}

    return app


def _last_user_text(messages: Any) -> str | None:
    if not isinstance(messages, list) or not messages:
        return None
    last = messages[-1]
    if not isinstance(last, dict) or last.get("role") != "user":
        return None
    content = last.get("content")
    if isinstance(content, list):            # [{"type": "text", "text": ...}, ...]
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        content = " ".join(p for p in parts if isinstance(p, str))
    if not isinstance(content, str) or not content.strip():
        return None
    return content.strip()


class HttpServer:
    """uvicorn on a thread of its own, stopped with :meth:`close`."""

    def __init__(self, session: Any, host: str = "127.0.0.1", port: int = 8000) -> None:
        check_loopback(host)
        import uvicorn

        from vaani.commands.serve import check_port

        check_port(host, port)
        config = uvicorn.Config(create_app(session), host=host, port=port, log_level="warning",
                                access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.url = f"http://{host}:{port}/v1"
        self._thread = threading.Thread(target=self.server.run, name="vaani-http", daemon=True)

    def start(self) -> HttpServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def close(self) -> None:
        self.server.should_exit = True
        self._thread.join(5.0)

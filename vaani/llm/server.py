"""An OpenAI-compatible HTTP API over a :class:`~vaani.llm.engine.LlamaEngine` (FastAPI).

``GET /v1/models``, ``POST /v1/chat/completions``, ``POST /v1/completions``; streaming as
server-sent events (``data: {...}`` then ``data: [DONE]``) or one JSON body; ``usage`` token
counts; errors as OpenAI error bodies (``{"error": {"message", "type", "param", "code"}}``).

Concurrency: generations run in worker threads; the engine serves them one at a time in
the order the requests arrived (each takes its place in the engine's FIFO queue on arrival,
on the event loop, before a worker thread picks it up), so concurrent clients wait instead of
sharing a context. A client that goes away (closed stream, dropped connection) has its
generation cancelled before the next decode, also while it still waits in the queue. Bad
requests are answered with 4xx before anything is generated and never disturb the engine.

Figures (:mod:`vaani.llm.metrics`): a non-streaming response carries its generation's
figures as ``x-vaani-*`` headers (tokens per second, draft source, drafted / accepted
tokens, acceptance, queue wait, ...) and as a ``vaani`` object in the body; a stream carries
the same object in its last chunk before ``[DONE]`` (the usage chunk when
``stream_options.include_usage``, else the chunk with ``finish_reason``). ``GET /metrics``
gives the totals since start as JSON, or in Prometheus text with ``?format=prometheus`` (or
an ``Accept`` header asking for text/plain or OpenMetrics, as Prometheus sends).

An optional ``vaani`` object in a request (``extra_body={"vaani": {...}}`` with the openai
client) chooses the decoding of that request: ``speculative`` (false: plain decoding),
``draft`` (auto | model | ngram: which draft sources may be used) and ``k`` (a fixed draft
length; 0: the cost model's). Greedy output is the same whichever is chosen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from fastapi.requests import Request as HttpRequest
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vaani.errors import VaaniError
from vaani.llm.calls import CallRules
from vaani.llm.chat import check_messages, check_tools
from vaani.llm.engine import DRAFT_SOURCES, Chunk, Completion, LlamaEngine, Request, Ticket
from vaani.llm.metrics import ServerMetrics, figures, headers
from vaani.llm.tools import ToolCallSplitter, parse_call

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 512
PROMPT_BLOCK = 32           # tokens: see LlamaEngine.independent_prompts
# OpenAI parameters accepted only at their neutral value (we do not implement them)
NEUTRAL: dict[str, Callable[[Any], bool]] = {
    "n": lambda v: v in (None, 1),
    "frequency_penalty": lambda v: v in (None, 0, 0.0),
    "presence_penalty": lambda v: v in (None, 0, 0.0),
    "logit_bias": lambda v: v in (None, {}),
    "logprobs": lambda v: v in (None, False, 0),
    "top_logprobs": lambda v: v in (None, 0),
    "echo": lambda v: v in (None, False),
    "best_of": lambda v: v in (None, 1),
    "suffix": lambda v: v in (None, ""),
    "response_format": lambda v: v in (None, {"type": "text"}),
    "tool_choice": lambda v: v in (None, "none", "auto"),
    "parallel_tool_calls": lambda v: True,
    "functions": lambda v: v in (None, []),
    "function_call": lambda v: v in (None, "none", "auto"),
    "user": lambda v: v is None or isinstance(v, str),
    "metadata": lambda v: True,
    "store": lambda v: v in (None, False),
    "service_tier": lambda v: True,
    "modalities": lambda v: v in (None, ["text"]),
    "reasoning_effort": lambda v: v is None,
}
COMMON = {"model", "stream", "stream_options", "max_tokens", "max_completion_tokens",
          "temperature", "top_p", "stop", "seed", "vaani"}
EXTENSION_KEYS = ("speculative", "draft", "k")
CHAT_KEYS = COMMON | {"messages", "tools"} | set(NEUTRAL)
COMPLETION_KEYS = COMMON | {"prompt"} | set(NEUTRAL)


class ApiError(Exception):
    """An error answered as an OpenAI error body."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param,
                          "code": self.code}}


def _number(body: dict, key: str, default: float, lo: float, hi: float, *,
            lo_open: bool = False) -> float:
    v = body.get(key)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ApiError(400, f"'{key}' must be a number", param=key, code="invalid_type")
    if v < lo or v > hi or (lo_open and v == lo):
        bound = f"({lo}, {hi}]" if lo_open else f"[{lo}, {hi}]"
        raise ApiError(400, f"'{key}' must be in {bound}, got {v}", param=key,
                       code="invalid_value")
    return float(v)


def parse_request(body: Any, keys: set[str]) -> Request:
    """Sampling settings from a request body (shared by both endpoints)."""
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    for key in body:
        if key not in keys:
            raise ApiError(400, f"Unrecognized request argument supplied: {key}", param=key,
                           code="unknown_parameter")
        check = NEUTRAL.get(key)
        if check is not None and not check(body[key]):
            raise ApiError(400, f"'{key}' is not supported by this server", param=key,
                           code="unsupported_parameter")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)):
        raise ApiError(400, "'max_tokens' must be an integer", param="max_tokens",
                       code="invalid_type")
    if max_tokens is not None and max_tokens < 0:
        raise ApiError(400, f"'max_tokens' must be >= 0, got {max_tokens}", param="max_tokens",
                       code="invalid_value")
    stop = body.get("stop")
    if stop is None:
        stops: list[str] = []
    elif isinstance(stop, str):
        stops = [stop]
    elif isinstance(stop, list) and all(isinstance(s, str) for s in stop) and len(stop) <= 16:
        stops = list(stop)
    else:
        raise ApiError(400, "'stop' must be a string or a list of strings", param="stop",
                       code="invalid_type")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ApiError(400, "'seed' must be an integer", param="seed", code="invalid_type")
    for flag in ("stream",):
        if body.get(flag) is not None and not isinstance(body.get(flag), bool):
            raise ApiError(400, f"'{flag}' must be a boolean", param=flag, code="invalid_type")
    so = body.get("stream_options")
    if so is not None and not isinstance(so, dict):
        raise ApiError(400, "'stream_options' must be an object", param="stream_options")
    ext = body.get("vaani")
    if ext is None:
        ext = {}
    if not isinstance(ext, dict):
        raise ApiError(400, "'vaani' must be an object", param="vaani", code="invalid_type")
    for key in ext:
        if key not in EXTENSION_KEYS:
            raise ApiError(400, f"unknown key 'vaani.{key}' (known: {', '.join(EXTENSION_KEYS)})",
                           param=f"vaani.{key}", code="unknown_parameter")
    speculative = ext.get("speculative", True)
    if not isinstance(speculative, bool):
        raise ApiError(400, "'vaani.speculative' must be a boolean", param="vaani.speculative",
                       code="invalid_type")
    draft = ext.get("draft", "auto")
    if draft not in DRAFT_SOURCES:
        raise ApiError(400, f"'vaani.draft' must be one of {', '.join(DRAFT_SOURCES)}",
                       param="vaani.draft", code="invalid_value")
    k = ext.get("k", 0)
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= 32:
        raise ApiError(400, "'vaani.k' must be an integer from 0 to 32", param="vaani.k",
                       code="invalid_value")
    return Request(max_tokens=DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens,
                   temperature=_number(body, "temperature", 1.0, 0.0, 2.0),
                   top_p=_number(body, "top_p", 1.0, 0.0, 1.0, lo_open=True),
                   stop=stops, seed=seed, speculative=speculative, draft=draft, k=k)


def create_app(engine: LlamaEngine, *, model_ids: list[str] | None = None,
               workers: int = 32) -> Any:
    """The FastAPI application serving ``engine`` under ``model_ids`` (first = canonical)."""
    ids = list(dict.fromkeys(model_ids or [engine.name]))
    created = int(time.time())
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vaani-llm")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="VAANI LLM", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    metrics = ServerMetrics()
    if hasattr(engine, "independent_prompts"):
        # a request's output must not depend on which request ran before it (the prompt
        # prefix it left behind): prompts are evaluated in fixed blocks
        engine.independent_prompts(PROMPT_BLOCK)
    app.state.engine = engine
    app.state.metrics = metrics

    @app.exception_handler(ApiError)
    async def _api_error(_req: HttpRequest, exc: ApiError) -> JSONResponse:
        if 400 <= exc.status < 500:
            metrics.reject()
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_req: HttpRequest, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        return JSONResponse(ApiError(exc.status_code, str(exc.detail), code=code).body(),
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _crash(_req: HttpRequest, exc: Exception) -> JSONResponse:
        log.exception("request failed")
        return JSONResponse(ApiError(500, f"internal error: {exc}", type="server_error").body(),
                            status_code=500)

    def model_card(mid: str) -> dict[str, Any]:
        return {"id": mid, "object": "model", "created": created, "owned_by": "vaani"}

    @app.get("/v1/models")
    async def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [model_card(m) for m in ids]}

    @app.get("/v1/models/{model_id}")
    async def get_model(model_id: str) -> dict[str, Any]:
        if model_id not in ids:
            raise ApiError(404, f"The model '{model_id}' does not exist", param="model",
                           code="model_not_found")
        return model_card(model_id)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "queued": engine.lock.waiting, **engine.describe()}

    @app.get("/metrics")
    async def get_metrics(http: HttpRequest) -> Any:
        fmt = http.query_params.get("format")
        accept = http.headers.get("accept", "")
        if fmt is None:
            text = ("application/json" not in accept
                    and ("text/plain" in accept or "openmetrics" in accept))
            fmt = "prometheus" if text else "json"
        if fmt not in ("json", "prometheus"):
            raise ApiError(400, "'format' must be json or prometheus", param="format",
                           code="invalid_value")
        length, active = engine.lock.waiting, engine.lock.busy
        if fmt == "prometheus":
            return PlainTextResponse(metrics.prometheus(length, active),
                                     media_type="text/plain; version=0.0.4; charset=utf-8")
        return {"model": ids[0], **_describe_draft(engine), **metrics.to_dict(length, active)}

    async def read_body(req: HttpRequest) -> Any:
        raw = await req.body()
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"We could not parse the JSON body of your request: {exc}",
                           code="invalid_json") from None

    def check_model(body: dict) -> str:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise ApiError(400, "you must provide a model parameter", param="model",
                           code="missing_model" if model is None else "invalid_type")
        if model not in ids:
            raise ApiError(404, f"The model '{model}' does not exist; this server has "
                                f"{', '.join(ids)}", param="model", code="model_not_found")
        return model

    def check_length(prompt: list[int], req: Request) -> None:
        if not prompt:
            raise ApiError(400, "the prompt is empty", param="prompt", code="empty_prompt")
        if len(prompt) >= engine.n_ctx:
            raise ApiError(400, f"This model's maximum context length is {engine.n_ctx} "
                                f"tokens; your prompt has {len(prompt)} tokens",
                           param="messages", code="context_length_exceeded")

    @app.post("/v1/chat/completions")
    async def chat_completions(http: HttpRequest) -> Any:
        body = await read_body(http)
        req = parse_request(body, CHAT_KEYS)
        model = check_model(body)
        try:
            messages = check_messages(body.get("messages"))
        except ValueError as exc:
            raise ApiError(400, str(exc), param="messages", code="invalid_messages") from None
        try:
            tools = check_tools(body.get("tools"))
        except ValueError as exc:
            raise ApiError(400, str(exc), param="tools") from None
        try:
            prompt = engine.chat_prompt(messages, tools=tools)
        except VaaniError as exc:
            raise ApiError(400, str(exc), param="messages") from None
        check_length(prompt, req)
        # tool calls come back as tool_calls only to a client that offered tools
        tool_calls = tools is not None and body.get("tool_choice") != "none"
        if tool_calls and getattr(engine, "call_marker", None) is not None:
            # written inside the offered schemas (strings as the model writes them: the
            # server does not know which of a client's arguments are the user's words)
            req.calls = CallRules(list(tools or []))
        return await respond(http, body, model, prompt, req, chat=True, tool_calls=tool_calls)

    @app.post("/v1/completions")
    async def completions(http: HttpRequest) -> Any:
        body = await read_body(http)
        req = parse_request(body, COMPLETION_KEYS)
        model = check_model(body)
        text = body.get("prompt")
        if isinstance(text, list) and len(text) == 1 and isinstance(text[0], str):
            text = text[0]
        if isinstance(text, list) and text and all(isinstance(t, int) and not isinstance(t, bool)
                                                     for t in text):
            if not all(0 <= t < engine.model.n_vocab for t in text):
                raise ApiError(400, "token ids in 'prompt' out of range", param="prompt")
            prompt = list(text)
        elif isinstance(text, str):
            prompt = engine.text_prompt(text)
        else:
            raise ApiError(400, "'prompt' must be a string (or one list of token ids)",
                           param="prompt", code="invalid_type")
        check_length(prompt, req)
        return await respond(http, body, model, prompt, req, chat=False)

    async def respond(http: HttpRequest, body: dict, model: str, prompt: list[int],
                      req: Request, *, chat: bool, tool_calls: bool = False) -> Any:
        rid = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24]
        now = int(time.time())
        cancel = threading.Event()
        # the request's place in the engine's queue is taken now, on the event loop, in
        # arrival order (worker threads may reach the engine in another order)
        ticket = engine.lock.join()
        metrics.arrive(engine.lock.waiting)
        if body.get("stream"):
            usage_wanted = bool((body.get("stream_options") or {}).get("include_usage"))
            events = stream_events(prompt, req, cancel, ticket)
            return StreamingResponse(
                sse(events, rid, now, model, chat, usage_wanted, cancel, tool_calls),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                         "x-vaani-arrival": str(ticket.arrival)})
        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(pool, lambda: complete(prompt, req, cancel, ticket))
        try:
            while True:
                done, _ = await asyncio.wait({fut}, timeout=0.1)
                if done:
                    break
                if await http.is_disconnected():
                    cancel.set()
            result = fut.result()
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None
        finally:
            cancel.set()     # no-op when finished; stops the work if we were cancelled
        usage = {"prompt_tokens": result.prompt_tokens,
                 "completion_tokens": result.completion_tokens,
                 "total_tokens": result.prompt_tokens + result.completion_tokens}
        extra: dict[str, Any] = {}
        head: dict[str, str] = {}
        if result.served:                   # a real generation (not a scripted one)
            extra["vaani"] = f = figures(result)
            head = headers(f)
        finish = "length" if result.finish_reason == "length" else "stop"
        if chat:
            message: dict[str, Any] = {"role": "assistant", "content": result.text}
            splitter = ToolCallSplitter()
            content = splitter.feed(result.text) + splitter.flush()
            call = parse_call(splitter.call_text) if tool_calls and splitter.calling else None
            if call is not None:
                message = {"role": "assistant", "content": content or None,
                           "tool_calls": [openai_tool_call(*call)]}
                finish = "tool_calls"
            choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
            obj = "chat.completion"
        else:
            choice = {"index": 0, "text": result.text, "logprobs": None, "finish_reason": finish}
            obj = "text_completion"
        return JSONResponse({"id": rid, "object": obj, "created": now, "model": model,
                             "choices": [choice], "usage": usage,
                             "system_fingerprint": None, **extra}, headers=head)

    def generate(prompt: list[int], req: Request, cancel: threading.Event,
                 ticket: Ticket) -> Iterator[Chunk]:
        """The engine's chunks for one request (in a worker thread), counted in the metrics;
        the request's place in the queue is given up however it ends."""
        try:
            for chunk in engine.stream(prompt, req, cancel, ticket=ticket):
                if chunk.finish_reason is not None and chunk.result is not None:
                    metrics.record(chunk.result)
                yield chunk
        except Exception:
            metrics.error()
            raise
        finally:
            engine.lock.leave(ticket)

    def complete(prompt: list[int], req: Request, cancel: threading.Event,
                 ticket: Ticket) -> Completion:
        parts: list[str] = []
        last = Chunk("")
        for chunk in generate(prompt, req, cancel, ticket):
            parts.append(chunk.text)
            last = chunk
        r = last.result
        return Completion("".join(parts), last.finish_reason or "stop", last.prompt_tokens,
                          last.completion_tokens, r.seconds if r else 0.0,
                          r.tokens if r else [], r.spec if r else None,
                          r.first_token_s if r else None, r.queued_s if r else 0.0,
                          r.arrival if r else 0, r.served if r else 0)

    def stream_events(prompt: list[int], req: Request, cancel: threading.Event,
                      ticket: Ticket) -> AsyncIterator[Chunk | Exception]:
        """Run the generation in a worker thread; hand its chunks to the event loop."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Chunk | Exception | None] = asyncio.Queue()

        def work() -> None:
            try:
                for chunk in generate(prompt, req, cancel, ticket):
                    loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except Exception as exc:          # reported in the stream
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        pool.submit(work)

        async def gen() -> AsyncIterator[Chunk | Exception]:
            while True:
                item = await queue.get()
                if item is None:
                    return
                yield item

        return gen()

    async def sse(events: AsyncIterator[Chunk | Exception], rid: str, now: int, model: str,
                  chat: bool, usage_wanted: bool, cancel: threading.Event,
                  tool_calls: bool = False) -> AsyncIterator[bytes]:
        obj = "chat.completion.chunk" if chat else "text_completion"

        def frame(choices: list[dict], usage: dict | None = None,
                  extra: dict[str, Any] | None = None) -> bytes:
            d: dict[str, Any] = {"id": rid, "object": obj, "created": now, "model": model,
                                 "system_fingerprint": None, "choices": choices}
            if usage_wanted:
                d["usage"] = usage
            if extra:
                d["vaani"] = extra
            return b"data: " + json.dumps(d, ensure_ascii=False).encode() + b"\n\n"

        def choice(text: str | None, finish: str | None, first: bool = False) -> dict:
            if chat:
                delta: dict[str, Any] = {}
                if first:
                    delta["role"] = "assistant"
                if text is not None:
                    delta["content"] = text
                return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return {"index": 0, "text": text or "", "logprobs": None, "finish_reason": finish}

        splitter = ToolCallSplitter() if tool_calls else None
        try:
            if chat:
                yield frame([choice("", None, first=True)])
            async for item in events:
                if isinstance(item, Exception):
                    err = ApiError(400 if isinstance(item, ValueError) else 500, str(item),
                                   type="invalid_request_error" if isinstance(item, ValueError)
                                   else "server_error")
                    yield b"data: " + json.dumps(err.body()).encode() + b"\n\n"
                    return
                text = item.text
                if splitter is not None:
                    text = splitter.feed(text) + (splitter.flush() if item.finish_reason else "")
                if text:
                    yield frame([choice(text, None)])
                if item.finish_reason is not None:
                    finish = "length" if item.finish_reason == "length" else "stop"
                    call = (parse_call(splitter.call_text)
                            if splitter is not None and splitter.calling else None)
                    if call is not None:
                        delta = {"tool_calls": [{"index": 0, **openai_tool_call(*call)}]}
                        yield frame([{"index": 0, "delta": delta, "logprobs": None,
                                      "finish_reason": None}])
                        finish = "tool_calls"
                    elif splitter is not None and splitter.calling:   # not a call after all
                        yield frame([choice(splitter.marker + splitter.call_text, None)])
                    # the generation's figures ride on the last chunk before [DONE]
                    f = (figures(item.result) if item.result is not None and item.result.served
                         else None)
                    yield frame([choice(None if chat else "", finish)],
                                extra=None if usage_wanted else f)
                    if usage_wanted:
                        yield frame([], {"prompt_tokens": item.prompt_tokens,
                                         "completion_tokens": item.completion_tokens,
                                         "total_tokens": item.prompt_tokens + item.completion_tokens},
                                    extra=f)
            yield b"data: [DONE]\n\n"
        finally:
            cancel.set()           # the client left (or we are done): stop generating

    return app


def _describe_draft(engine: LlamaEngine) -> dict[str, Any]:
    """What the engine may draft with (for /metrics)."""
    d = getattr(engine, "draft_model", None)
    ng = getattr(engine, "ngram", None)
    return {"draft_model": d.name if d is not None else None, "ngram": ng is not None}


def openai_tool_call(name: str, arguments: Any) -> dict[str, Any]:
    """A model's tool call as an OpenAI ``tool_calls`` entry (arguments as a JSON string)."""
    return {"id": "call_" + uuid.uuid4().hex[:24], "type": "function",
            "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}


def serve(engine: LlamaEngine, *, host: str = "127.0.0.1", port: int = 8000,
          model_ids: list[str] | None = None) -> None:
    """Run the server until interrupted (uvicorn, one process)."""
    import uvicorn

    app = create_app(engine, model_ids=model_ids)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

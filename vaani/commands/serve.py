"""``vaani serve``: the LLM behind an OpenAI-compatible HTTP API on localhost.

    vaani serve                                   # llm.model from the config, port 8000
    vaani serve --model chimera --draft chimera-draft --port 8080
    vaani serve --model qwen2.5-coder-1.5b --draft qwen2.5-coder-0.5b --ngram

Any OpenAI client works: ``OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="none")``;
the model is called by its config name (``chimera``) or ``vaani``. The engine is built
by the same plugin as the assistant's LLM stage (``llm.engine``, normally ``llama-cpp``).

With a draft (``--draft``, or ``--ngram`` for prompt-lookup drafting) every request decodes
speculatively, streams included, with the cost model choosing per round. Each response
says what it measured: ``x-vaani-tokens-per-second``, ``x-vaani-acceptance``,
``x-vaani-draft-source``, ... headers (the ``vaani`` object of the last chunk when
streaming); ``GET /metrics`` has the totals (JSON, or ``?format=prometheus``).
Requests are served one at a time in arrival order.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import socket
from pathlib import Path

from vaani.assistant import load_config
from vaani.engines import EngineContext
from vaani.errors import ConfigError, VaaniError

log = logging.getLogger(__name__)
ALIAS = "vaani"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the LLM over an OpenAI-compatible HTTP API",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--model", help="model pack name or .gguf path (default: llm.model)")
    p.add_argument("--draft", "--draft-model", dest="draft_model", metavar="DRAFT",
                   help="speculative draft model, pack name or .gguf path, sharing the "
                        "model's tokenizer (default: llm.draft_model)")
    p.add_argument("--ngram", action="store_true", default=None,
                   help="also draft by n-gram lookup in the prompt and reply "
                        "(default: llm.options.ngram)")
    p.add_argument("--context", type=int, help="context size in tokens (default: llm.context)")
    p.add_argument("--threads", type=int, help="CPU threads (default: llm.threads)")
    p.set_defaults(func=main)


class PortError(VaaniError):
    title = "Cannot listen"


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortError` naming ``host:port`` (and how to pick another) unless the
    server could listen there now: bound the way uvicorn binds (SO_REUSEADDR), then closed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise PortError(f"unknown address --host {host!r}: {exc.strerror}",
                        hint="use an address of this machine, e.g. --host 127.0.0.1") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortError(f"port {port} on {host} is already in use (another `vaani "
                                "serve` or another program is listening there)",
                                hint=f"pick another port with --port, e.g. `vaani serve "
                                     f"--port {port + 1 if port < 65535 else 8001}`") from None
            if exc.errno == errno.EACCES:
                raise PortError(f"no permission to listen on port {port} of {host} (ports "
                                "below 1024 need root)",
                                hint="pick a port from 1024 up with --port, e.g. "
                                     "`vaani serve --port 8000`") from None
            raise PortError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                            hint="pick another address or port with --host / --port") from None


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def build_engine(config, host=None):
    """The configured LLM engine, made by its plugin (it must be the llama-cpp engine)."""
    from vaani.llm import LlamaEngine
    from vaani.models import ModelStore
    from vaani.plugins import PluginHost

    host = host or PluginHost(config)
    host.load()
    host.configure()
    c = config.llm
    ctx = EngineContext(config=config, models=ModelStore.from_config(config),
                        options=dict(c.options), model=c.model)
    engine = host.create_engine("llm", c.engine, ctx)
    if not isinstance(engine, LlamaEngine):
        raise ConfigError(f"vaani serve needs the llama-cpp engine, llm.engine is '{c.engine}'")
    return engine


def main(args: argparse.Namespace) -> int:
    from vaani.llm.server import serve

    overrides = {"llm.model": args.model, "llm.draft_model": args.draft_model,
                 "llm.context": args.context, "llm.threads": args.threads}
    config = load_config(args, **overrides)
    if args.ngram:
        config.llm.options = {**config.llm.options, "ngram": True}
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port must be between 1 and 65535 (got {args.port})")
    check_port(args.host, args.port)             # before the model loads: fail fast
    if not _is_loopback(args.host):
        log.warning("listening on %s: other machines can reach this server", args.host)
    engine = build_engine(config)
    name = config.llm.model
    ids = [Path(name).stem if ("/" in name or name.endswith(".gguf")) else name, ALIAS]
    try:
        check_port(args.host, args.port)         # again: taken while the model loaded?
    except PortError:
        engine.close()
        raise
    print(f"VAANI LLM server: http://{args.host}:{args.port}/v1  model {ids[0]!r} "
          f"(also {ALIAS!r}); {engine.describe()}", flush=True)
    try:
        serve(engine, host=args.host, port=args.port, model_ids=ids)
    finally:
        engine.close()
    return 0

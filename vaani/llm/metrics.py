"""What ``vaani serve`` reports about its generations: per response and in total.

:func:`figures` turns one finished :class:`~vaani.llm.engine.Completion` into the figures a
client sees (response headers, the ``vaani`` field of a body or of the last stream chunk);
:class:`ServerMetrics` adds them up for ``GET /metrics`` (JSON, or Prometheus text).
Everything here is measured by the engine (its clock and :class:`SpecStats`); a figure the
engine did not measure is left out, never estimated.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from vaani.llm.engine import Completion

FINISHES = ("stop", "length", "cancelled")


def draft_source(spec: dict[str, Any] | None) -> str:
    """Which draft sources verified at least one round: ``model``, ``ngram``, both joined by
    a comma, ``none`` (speculative, but the cost model decoded plainly every step) or
    ``off`` (plain decoding: no draft, or the request turned it off)."""
    if spec is None:
        return "off"
    used = [name for name, s in sorted(spec.get("sources", {}).items()) if s.get("rounds")]
    return ",".join(used) or "none"


def figures(result: Completion) -> dict[str, Any]:
    """One generation's figures. ``tokens_per_second``: completion tokens over the time from
    the grant of the engine to the last token (prompt evaluation included);
    ``decode_tokens_per_second``: the tokens after the first over the time after it (absent
    with fewer than two tokens); ``acceptance``: accepted / drafted draft tokens (absent
    when nothing was drafted)."""
    f: dict[str, Any] = {
        "arrival": result.arrival, "served": result.served,
        "queued_s": round(result.queued_s, 4), "seconds": round(result.seconds, 4),
        "prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
        "tokens_per_second": round(result.tokens_per_s, 2),
        "speculative": result.spec is not None, "draft_source": draft_source(result.spec),
    }
    if result.first_token_s is not None:
        f["first_token_s"] = round(result.first_token_s, 4)
        rest = result.seconds - result.first_token_s
        if result.completion_tokens > 1 and rest > 0:
            f["decode_tokens_per_second"] = round((result.completion_tokens - 1) / rest, 2)
    spec = result.spec
    if spec is not None:
        f.update(rounds=spec["rounds"], drafted=spec["drafted"], accepted=spec["accepted"],
                 plain_steps=spec["plain_steps"],
                 sources={k: {"rounds": v["rounds"], "drafted": v["drafted"],
                              "accepted": v["accepted"]}
                          for k, v in spec["sources"].items()})
        if spec["drafted"]:
            f["acceptance"] = round(spec["accepted"] / spec["drafted"], 4)
            f["tokens_per_round"] = spec["tokens_per_round"]
    return f


def headers(f: dict[str, Any]) -> dict[str, str]:
    """The figures as ``x-vaani-*`` response headers (non-streaming responses)."""
    keys = {"tokens_per_second": "tokens-per-second",
            "decode_tokens_per_second": "decode-tokens-per-second",
            "acceptance": "acceptance", "draft_source": "draft-source", "drafted": "drafted",
            "accepted": "accepted", "rounds": "rounds", "queued_s": "queue-seconds",
            "first_token_s": "first-token-seconds", "seconds": "seconds",
            "arrival": "arrival", "served": "served"}
    return {f"x-vaani-{h}": str(f[k]) for k, h in keys.items() if k in f}


class ServerMetrics:
    """Totals since the server started; thread-safe (generations finish in worker threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.time()
        self.arrived = 0                    # requests that joined the engine's queue
        self.rejected = 0                   # answered 4xx before generating
        self.errors = 0                     # failed while generating
        self.finished = dict.fromkeys(FINISHES, 0)
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.seconds = 0.0                  # engine time spent generating
        self.queue_wait = 0.0
        self.queue_wait_max = 0.0
        self.queue_length_max = 0
        self.first_token = 0.0
        self.first_token_n = 0
        self.speculative_requests = 0
        self.rounds = 0
        self.drafted = 0
        self.accepted = 0
        self.plain_steps = 0
        self.sources: dict[str, list[int]] = {}    # name -> [requests, rounds, drafted, accepted]

    def arrive(self, queue_length: int) -> None:
        """A request joined the queue with ``queue_length`` requests ahead of it (counting
        the one being served)."""
        with self._lock:
            self.arrived += 1
            self.queue_length_max = max(self.queue_length_max, queue_length)

    def reject(self) -> None:
        with self._lock:
            self.rejected += 1

    def error(self) -> None:
        with self._lock:
            self.errors += 1

    def record(self, result: Completion) -> None:
        with self._lock:
            reason = result.finish_reason if result.finish_reason in FINISHES else "stop"
            self.finished[reason] += 1
            self.prompt_tokens += result.prompt_tokens
            self.completion_tokens += result.completion_tokens
            self.seconds += result.seconds
            self.queue_wait += result.queued_s
            self.queue_wait_max = max(self.queue_wait_max, result.queued_s)
            if result.first_token_s is not None:
                self.first_token += result.first_token_s
                self.first_token_n += 1
            spec = result.spec
            if spec is not None:
                self.speculative_requests += 1
                self.rounds += spec["rounds"]
                self.drafted += spec["drafted"]
                self.accepted += spec["accepted"]
                self.plain_steps += spec["plain_steps"]
                for name, s in spec["sources"].items():
                    t = self.sources.setdefault(name, [0, 0, 0, 0])
                    t[0] += 1
                    t[1] += s["rounds"]
                    t[2] += s["drafted"]
                    t[3] += s["accepted"]

    def to_dict(self, queue_length: int = 0, active: bool = False) -> dict[str, Any]:
        """``queue_length``/``active``: the engine's queue now (waiting behind the one being
        served) and whether a request is being served."""
        with self._lock:
            done = sum(self.finished.values())
            return {
                "uptime_s": round(time.time() - self.started, 3),
                "requests": {"arrived": self.arrived, "finished": done, **self.finished,
                             "errors": self.errors, "rejected": self.rejected,
                             "in_flight": max(0, self.arrived - done - self.errors)},
                "tokens": {"prompt": self.prompt_tokens, "completion": self.completion_tokens},
                "generation_seconds": round(self.seconds, 4),
                "tokens_per_second": round(self.completion_tokens / self.seconds, 2)
                if self.seconds > 0 else 0.0,
                "first_token_s_mean": round(self.first_token / self.first_token_n, 4)
                if self.first_token_n else None,
                "queue": {"length": queue_length, "active": active,
                          "max_length": self.queue_length_max,
                          "wait_s_total": round(self.queue_wait, 4),
                          "wait_s_max": round(self.queue_wait_max, 4),
                          "wait_s_mean": round(self.queue_wait / done, 4) if done else 0.0},
                "speculative": {
                    "requests": self.speculative_requests, "rounds": self.rounds,
                    "drafted": self.drafted, "accepted": self.accepted,
                    "acceptance_rate": round(self.accepted / self.drafted, 4)
                    if self.drafted else None,
                    "plain_steps": self.plain_steps,
                    "sources": {name: {"requests": r, "rounds": n, "drafted": d, "accepted": a,
                                       "acceptance_rate": round(a / d, 4) if d else None}
                                for name, (r, n, d, a) in sorted(self.sources.items())}},
            }

    def prometheus(self, queue_length: int = 0, active: bool = False) -> str:
        """The totals in the Prometheus text exposition format (version 0.0.4)."""
        d = self.to_dict(queue_length, active)
        lines: list[str] = []

        def metric(name: str, kind: str, help: str,
                   samples: list[tuple[dict[str, str], float]]) -> None:
            lines.append(f"# HELP vaani_{name} {help}")
            lines.append(f"# TYPE vaani_{name} {kind}")
            for labels, value in samples:
                lab = ",".join(f'{k}="{v}"' for k, v in labels.items())
                v = float(value)
                text = repr(v) if math.isfinite(v) else "NaN"
                lines.append(f"vaani_{name}{{{lab}}} {text}" if lab else f"vaani_{name} {text}")

        r = d["requests"]
        metric("requests_arrived_total", "counter", "Requests that joined the engine queue.",
               [({}, r["arrived"])])
        metric("requests_finished_total", "counter", "Finished generations by finish reason.",
               [({"finish": k}, r[k]) for k in FINISHES])
        metric("request_errors_total", "counter", "Generations that failed.",
               [({}, r["errors"])])
        metric("requests_rejected_total", "counter", "Requests answered 4xx before generating.",
               [({}, r["rejected"])])
        metric("prompt_tokens_total", "counter", "Prompt tokens of finished generations.",
               [({}, d["tokens"]["prompt"])])
        metric("completion_tokens_total", "counter", "Tokens generated.",
               [({}, d["tokens"]["completion"])])
        metric("generation_seconds_total", "counter",
               "Engine time spent generating (prompt evaluation included).",
               [({}, d["generation_seconds"])])
        q = d["queue"]
        metric("queue_length", "gauge", "Requests waiting behind the one being served.",
               [({}, q["length"])])
        metric("queue_length_max", "gauge", "Longest queue a request joined.",
               [({}, q["max_length"])])
        metric("queue_wait_seconds_total", "counter", "Time requests waited for the engine.",
               [({}, q["wait_s_total"])])
        metric("queue_wait_seconds_max", "gauge", "Longest wait for the engine.",
               [({}, q["wait_s_max"])])
        s = d["speculative"]
        metric("speculative_requests_total", "counter", "Generations decoded speculatively.",
               [({}, s["requests"])])
        metric("speculative_plain_steps_total", "counter",
               "Steps of speculative generations decoded without a draft (cost model).",
               [({}, s["plain_steps"])])
        src = s["sources"]
        metric("speculative_rounds_total", "counter", "Verification rounds by draft source.",
               [({"source": k}, v["rounds"]) for k, v in src.items()])
        metric("draft_tokens_total", "counter", "Draft tokens proposed, by draft source.",
               [({"source": k}, v["drafted"]) for k, v in src.items()])
        metric("accepted_tokens_total", "counter", "Draft tokens accepted, by draft source.",
               [({"source": k}, v["accepted"]) for k, v in src.items()])
        return "\n".join(lines) + "\n"

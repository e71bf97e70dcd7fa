"""Pure logic of the server's figures and queue: vaani.llm.metrics and the engine's FifoLock."""

from __future__ import annotations

import threading
import time

from vaani.llm.engine import Completion, FifoLock
from vaani.llm.metrics import ServerMetrics, draft_source, figures, headers

SPEC = {"rounds": 3, "drafted": 6, "accepted": 4, "plain_steps": 2, "tokens_per_round": 2.333,
        "sources": {"model": {"rounds": 2, "drafted": 4, "accepted": 3},
                    "ngram": {"rounds": 1, "drafted": 2, "accepted": 1}}}


def done(spec=None, **kw) -> Completion:
    args = dict(text="x", finish_reason="length", prompt_tokens=5, completion_tokens=10,
                seconds=0.5, spec=spec, first_token_s=0.05, queued_s=0.2, arrival=3, served=3)
    args.update(kw)
    return Completion(**args)


def test_draft_source_names_only_sources_that_verified_a_round():
    assert draft_source(None) == "off"
    assert draft_source({"sources": {}}) == "none"
    assert draft_source(SPEC) == "model,ngram"
    assert draft_source({"sources": {"ngram": {"rounds": 0}, "model": {"rounds": 1}}}) == "model"


def test_figures_and_headers():
    f = figures(done(SPEC))
    assert f["tokens_per_second"] == 20.0 and f["decode_tokens_per_second"] == 20.0
    assert f["acceptance"] == round(4 / 6, 4) and f["draft_source"] == "model,ngram"
    h = headers(f)
    assert h["x-vaani-acceptance"] == str(f["acceptance"]) and h["x-vaani-drafted"] == "6"
    assert h["x-vaani-queue-seconds"] == "0.2"
    plain = figures(done(None, completion_tokens=1, first_token_s=None))
    assert "acceptance" not in plain and "drafted" not in plain
    assert "decode_tokens_per_second" not in plain and plain["draft_source"] == "off"
    assert "x-vaani-acceptance" not in headers(plain)
    nothing = figures(done({**SPEC, "rounds": 0, "drafted": 0, "accepted": 0, "sources": {}}))
    assert nothing["draft_source"] == "none" and "acceptance" not in nothing


def test_server_metrics_totals_and_prometheus():
    m = ServerMetrics()
    for q in (0, 2, 1):
        m.arrive(q)
    m.record(done(SPEC))
    m.record(done(SPEC, finish_reason="stop", queued_s=0.6))
    m.record(done(None, finish_reason="cancelled", completion_tokens=0))
    m.reject()
    d = m.to_dict(queue_length=1, active=True)
    assert d["requests"] == {"arrived": 3, "finished": 3, "stop": 1, "length": 1,
                             "cancelled": 1, "errors": 0, "rejected": 1, "in_flight": 0}
    assert d["tokens"] == {"prompt": 15, "completion": 20}
    assert d["tokens_per_second"] == round(20 / 1.5, 2)
    assert d["queue"]["max_length"] == 2 and d["queue"]["wait_s_max"] == 0.6
    s = d["speculative"]
    assert (s["requests"], s["rounds"], s["drafted"], s["accepted"]) == (2, 6, 12, 8)
    assert s["acceptance_rate"] == round(8 / 12, 4)
    assert s["sources"]["ngram"] == {"requests": 2, "rounds": 2, "drafted": 4, "accepted": 2,
                                     "acceptance_rate": 0.5}
    text = m.prometheus(queue_length=1)
    assert 'vaani_accepted_tokens_total{source="model"} 6.0' in text
    assert 'vaani_requests_finished_total{finish="cancelled"} 1.0' in text
    assert "vaani_queue_length 1.0" in text and "# TYPE vaani_queue_length gauge" in text
    assert ServerMetrics().to_dict()["speculative"]["acceptance_rate"] is None


def test_fifo_tickets_are_granted_in_the_order_taken_not_the_order_threads_come():
    lock = FifoLock()
    tickets = [lock.join() for _ in range(5)]
    lock.leave(tickets[2])                         # gave up before being served
    order: list[int] = []

    def hold(i: int) -> None:
        with lock.hold(tickets[i]) as t:
            order.append(t.arrival)
            time.sleep(0.01)

    threads = [threading.Thread(target=hold, args=(i,)) for i in (4, 3, 1, 0)]
    for t in threads:                              # the threads reach the lock in reverse
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join(10)
    assert order == [1, 2, 4, 5] and not lock.busy
    assert [tickets[i].served for i in (0, 1, 3, 4)] == [1, 2, 3, 4]
    assert tickets[4].waited > tickets[0].waited
    with lock:                                     # plain use still works after tickets
        assert lock.busy and lock.waiting == 0

#!/usr/bin/env python3
"""
Benchmark netframe.core.protocols.amp beside twisted.protocols.amp (same run).

    hatch run bench:python tools/bench/bench_amp.py [--quick]

What is measured: AMP round trips per second over loopback TCP, a command with
two Integer arguments and one Integer response (``Sum``), each connection
keeping one request in flight (call, wait for the answer, call again):

  c1   1 connection
  c10  10 connections

For each implementation the server runs its own reactor (an epoll reactor) in a
separate process; the client runs in another process with its own reactor, so
netframe talks to netframe and Twisted to Twisted.  Repetitions alternate
between the two; the table reports medians and the ratio netframe/Twisted.

Target: every case >= 1.3x Twisted.

Internal modes (used by the orchestrator): ``--serve IMPL`` and
``--client IMPL PORT CONNECTIONS CALLS``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from _results import Results

TARGET = 1.3
IMPLS = ("netframe", "twisted")
CASES = [("c1", "1 connection", 1), ("c10", "10 connections", 10)]


def _load(impl: str) -> dict[str, Any]:
    """Import one implementation; return its reactor, amp module, Factory, endpoints."""
    if impl == "netframe":
        from netframe.core import endpoints
        from netframe.core.epollreactor import EPollReactor
        from netframe.core.protocol import Factory
        from netframe.core.protocols import amp

        reactor: Any = EPollReactor()
    else:
        from twisted.internet import epollreactor

        epollreactor.install()
        from twisted.internet import endpoints
        from twisted.internet import reactor as treactor
        from twisted.internet.protocol import Factory
        from twisted.protocols import amp

        reactor = treactor
    return {"reactor": reactor, "amp": amp, "Factory": Factory, "endpoints": endpoints}


def _commands(amp: Any) -> tuple[Any, Any]:
    """Define the Sum command and a server class for C{amp}."""

    class Sum(amp.Command):
        arguments = [(b"a", amp.Integer()), (b"b", amp.Integer())]
        response = [(b"total", amp.Integer())]

    class Server(amp.AMP):
        @Sum.responder
        def sum(self, a: int, b: int) -> dict[str, int]:
            return {"total": a + b}

    return Sum, Server


def serve(impl: str) -> None:
    """Listen on a loopback port, print it, serve until killed."""
    env = _load(impl)
    reactor = env["reactor"]
    _, Server = _commands(env["amp"])
    endpoint = env["endpoints"].TCP4ServerEndpoint(reactor, 0, interface="127.0.0.1")
    d = endpoint.listen(env["Factory"].forProtocol(Server))
    d.addCallback(lambda port: print(port.getHost().port, flush=True))
    reactor.run()


def client(impl: str, port: int, connections: int, calls: int) -> None:
    """Connect, warm up, then time C{calls} round trips spread over the connections."""
    env = _load(impl)
    reactor = env["reactor"]
    Sum, _ = _commands(env["amp"])
    endpoint = env["endpoints"].TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    factory = env["Factory"].forProtocol(env["amp"].AMP)
    protos: list[Any] = []
    result: dict[str, float] = {}
    perConnection = max(1, calls // connections)

    def runPhase(count: int, then: Any) -> None:
        remaining = [len(protos)]

        def loop(proto: Any, left: int) -> None:
            def step(_: Any) -> None:
                nonlocal left
                left -= 1
                if left:
                    proto.callRemote(Sum, a=left, b=7).addCallback(step)
                else:
                    remaining[0] -= 1
                    if not remaining[0]:
                        then()

            proto.callRemote(Sum, a=left, b=7).addCallback(step)

        for proto in protos:
            loop(proto, count)

    def timed() -> None:
        began = time.perf_counter()

        def finished() -> None:
            result["rate"] = perConnection * len(protos) / (time.perf_counter() - began)
            reactor.stop()

        runPhase(perConnection, finished)

    def connected(proto: Any) -> None:
        protos.append(proto)
        if len(protos) == connections:
            runPhase(max(1, perConnection // 10), timed)

    def failed(f: Any) -> None:
        print(f, file=sys.stderr)
        reactor.stop()

    for _ in range(connections):
        endpoint.connect(factory).addCallbacks(connected, failed)
    reactor.callLater(120, reactor.stop)
    reactor.run()
    print(json.dumps(result), flush=True)


def _startServer(impl: str) -> tuple[subprocess.Popen[str], int]:
    """Start a server process for C{impl}; return it and its port."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", impl], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.strip():
        proc.kill()
        raise RuntimeError(f"{impl} AMP server did not start")
    return proc, int(line)


def _measure(impl: str, port: int, connections: int, calls: int) -> float:
    """Run one client process; return its round trips per second."""
    out = subprocess.run(
        [sys.executable, __file__, "--client", impl, str(port), str(connections), str(calls)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    rate: float = json.loads(out.stdout.strip().splitlines()[-1])["rate"]
    return rate


def main(argv: list[str]) -> int:
    """Orchestrate the servers and clients; print the table."""
    if argv[:1] == ["--serve"]:
        serve(argv[1])
        return 0
    if argv[:1] == ["--client"]:
        client(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
        return 0
    quick = "--quick" in argv
    results = Results("amp", argv)
    reps = 2 if quick else 5
    calls = 3_000 if quick else 30_000
    servers = {impl: _startServer(impl) for impl in IMPLS}
    rows = []
    try:
        for key, title, connections in CASES:
            rates: dict[str, list[float]] = {impl: [] for impl in IMPLS}
            for _ in range(reps):
                for impl in IMPLS:
                    rates[impl].append(_measure(impl, servers[impl][1], connections, calls))
            mo = statistics.median(rates["netframe"])
            mt = statistics.median(rates["twisted"])
            ratio = mo / mt
            rows.append((key, title, mo, mt, ratio, "ok" if ratio >= TARGET else "BELOW"))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=30)
    print(
        f"{'case':<4} {'what':<30} {'netframe/s':>12} {'twisted/s':>12} {'ratio':>6} {'target':>6}"
    )
    for key, title, mo, mt, ratio, verdict in rows:
        print(
            f"{key:<4} {title:<30} {mo:>12,.0f} {mt:>12,.0f} {ratio:>6.2f} {TARGET:>6.1f} {verdict}"
        )
        results.add(f"({key}) {title}", "calls/s", mo, mt, target=TARGET)
    results.write()
    print(
        f"(AMP round trips/s over loopback TCP, Sum(a, b) -> total; medians of {reps} "
        f"alternating repetitions of {calls:,} calls; Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""
Benchmark netframe.spread (PB and Banana) beside twisted.spread (same run).

    hatch run bench:python tools/bench/bench_pb.py [--quick]

What is measured:

  c1      callRemote round trips/s, small arguments (an int and a short
          string), 1 connection
  c10     the same over 10 connections, one call in flight on each
  list1k  round trips/s with a 1,000-element list argument (echoed back), 1
          connection
  enc     Banana encode MB/s of a PB-like message (in process)
  dec     Banana decode MB/s of the same bytes (in process)

For the round trips each implementation's server runs its own epoll reactor in
a separate process and its client in another, so netframe talks to netframe
and Twisted to Twisted.  Repetitions alternate between the two; the table
reports medians and the ratio netframe/Twisted.

Target: every case >= 1.5x Twisted.

Internal modes (used by the orchestrator): ``--serve IMPL`` and
``--client IMPL PORT CONNECTIONS CALLS SIZE``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from _results import Results

TARGET = 1.5
IMPLS = ("netframe", "twisted")
CASES = [
    ("c1", "small args, 1 connection", 1, 0),
    ("c10", "small args, 10 connections", 10, 0),
    ("list1k", "1,000-element list, 1 connection", 1, 1000),
]


def _load(impl: str) -> dict[str, Any]:
    """Import one implementation: its reactor and pb module."""
    if impl == "netframe":
        from netframe.core.epollreactor import EPollReactor
        from netframe.spread import pb

        reactor: Any = EPollReactor()
    else:
        from twisted.internet import epollreactor

        epollreactor.install()
        from twisted.internet import reactor as treactor
        from twisted.spread import pb

        reactor = treactor
    return {"reactor": reactor, "pb": pb}


def serve(impl: str) -> None:
    """Listen on a loopback port, print it, serve until killed."""
    env = _load(impl)
    reactor, pb = env["reactor"], env["pb"]

    class Root(pb.Root):
        def remote_add(self, a: int, label: str) -> int:
            return a + len(label)

        def remote_echo(self, items: list[int]) -> list[int]:
            return items

    port = reactor.listenTCP(0, pb.PBServerFactory(Root()), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run()


def client(impl: str, port: int, connections: int, calls: int, size: int) -> None:
    """Connect, warm up, then time C{calls} round trips spread over the connections."""
    env = _load(impl)
    reactor, pb = env["reactor"], env["pb"]
    roots: list[Any] = []
    result: dict[str, float] = {}
    perConnection = max(1, calls // connections)
    items = list(range(size))

    def call(root: Any, left: int) -> Any:
        if size:
            return root.callRemote("echo", items)
        return root.callRemote("add", left, "label")

    def runPhase(count: int, then: Any) -> None:
        remaining = [len(roots)]

        def loop(root: Any, left: int) -> None:
            def step(_: Any) -> None:
                nonlocal left
                left -= 1
                if left:
                    call(root, left).addCallback(step)
                else:
                    remaining[0] -= 1
                    if not remaining[0]:
                        then()

            call(root, left).addCallback(step)

        for root in roots:
            loop(root, count)

    def timed() -> None:
        began = time.perf_counter()

        def finished() -> None:
            result["rate"] = perConnection * len(roots) / (time.perf_counter() - began)
            reactor.stop()

        runPhase(perConnection, finished)

    def connected(root: Any) -> None:
        roots.append(root)
        if len(roots) == connections:
            runPhase(max(1, perConnection // 10), timed)

    def failed(f: Any) -> None:
        print(f, file=sys.stderr)
        reactor.stop()

    for _ in range(connections):
        factory = pb.PBClientFactory()
        reactor.connectTCP("127.0.0.1", port, factory)
        factory.getRootObject().addCallbacks(connected, failed)
    reactor.callLater(300, reactor.stop)
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
        raise RuntimeError(f"{impl} PB server did not start")
    return proc, int(line)


def _measure(impl: str, port: int, connections: int, calls: int, size: int) -> float:
    """Run one client process; return its round trips per second."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--client",
            impl,
            str(port),
            str(connections),
            str(calls),
            str(size),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    rate: float = json.loads(out.stdout.strip().splitlines()[-1])["rate"]
    return rate


def _bananaSample() -> Any:
    """A PB-like message: a call with a list of mixed values, as bytes-only s-expression."""
    row = [b"tuple", 12345, -7, 1.5, b"some bytes here", [b"unicode", b"text"], [b"list", 1, 2, 3]]
    return [b"message", 42, 7, b"method", 1, [b"tuple"] + [row] * 200, [b"dictionary"]]


def _bananaRates(impl: str, rounds: int) -> tuple[float, float]:
    """Encode and decode MB/s for one implementation, in process."""
    sample = _bananaSample()
    if impl == "netframe":
        from netframe.spread.banana import BananaDecoder, BananaEncoder

        enc = BananaEncoder(b"pb")
        data = enc.encode(sample)

        def encode() -> None:
            enc.encode(sample)

        def decode() -> None:
            out = BananaDecoder(b"pb").feed(data)
            assert out and out[0][1] == 42

    else:
        from twisted.internet.testing import StringTransport
        from twisted.spread import banana

        proto = banana.Banana(isClient=1)
        transport = StringTransport()
        proto.makeConnection(transport)
        proto._selectDialect(b"pb")
        transport.clear()
        proto.sendEncoded(sample)
        data = transport.value()
        got: list[Any] = []
        proto.expressionReceived = got.append

        def encode() -> None:
            transport.clear()
            proto.sendEncoded(sample)

        def decode() -> None:
            proto.dataReceived(data)
            assert got.pop()[1] == 42

    rates = []
    for fn in (encode, decode):
        fn()
        began = time.perf_counter()
        for _ in range(rounds):
            fn()
        rates.append(len(data) * rounds / (time.perf_counter() - began) / 1e6)
    return rates[0], rates[1]


def main(argv: list[str]) -> int:
    """Orchestrate the servers and clients; print the table."""
    if argv[:1] == ["--serve"]:
        serve(argv[1])
        return 0
    if argv[:1] == ["--client"]:
        client(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]))
        return 0
    if argv[:1] == ["--banana"]:
        print(json.dumps(_bananaRates(argv[1], int(argv[2]))), flush=True)
        return 0
    quick = "--quick" in argv
    results = Results("pb", argv)
    reps = 2 if quick else 5
    calls = 2_000 if quick else 20_000
    rounds = 20 if quick else 200
    rows = []
    servers = {impl: _startServer(impl) for impl in IMPLS}
    try:
        for key, title, connections, size in CASES:
            n = calls // 10 if size else calls
            rates: dict[str, list[float]] = {impl: [] for impl in IMPLS}
            for _ in range(reps):
                for impl in IMPLS:
                    rates[impl].append(_measure(impl, servers[impl][1], connections, n, size))
            mo = statistics.median(rates["netframe"])
            mt = statistics.median(rates["twisted"])
            rows.append((key, title + " (calls/s)", mo, mt))
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=30)
    bananaRates: dict[str, list[tuple[float, float]]] = {impl: [] for impl in IMPLS}
    for _ in range(reps):
        for impl in IMPLS:
            out = subprocess.run(
                [sys.executable, __file__, "--banana", impl, str(rounds)],
                capture_output=True,
                text=True,
                timeout=600,
                check=True,
            )
            bananaRates[impl].append(tuple(json.loads(out.stdout.strip().splitlines()[-1])))  # type: ignore[arg-type]
    for index, (key, title) in enumerate(
        [("enc", "banana encode (MB/s)"), ("dec", "banana decode (MB/s)")]
    ):
        mo = statistics.median(r[index] for r in bananaRates["netframe"])
        mt = statistics.median(r[index] for r in bananaRates["twisted"])
        rows.append((key, title, mo, mt))
    print(f"{'case':<7} {'what':<46} {'netframe':>11} {'twisted':>11} {'ratio':>6} {'target':>6}")
    for key, title, mo, mt in rows:
        ratio = mo / mt
        verdict = "ok" if ratio >= TARGET else "BELOW"
        print(
            f"{key:<7} {title:<46} {mo:>11,.1f} {mt:>11,.1f} {ratio:>6.2f} {TARGET:>6.1f} {verdict}"
        )
        what, _, unit = title.rpartition(" (")
        results.add(f"({key}) {what}", unit.rstrip(")"), mo, mt, target=TARGET)
    results.write()
    print(
        f"(PB over loopback TCP, epoll reactors, one call in flight per connection; medians of {reps} "
        f"alternating repetitions; Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

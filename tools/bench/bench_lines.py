#!/usr/bin/env python3
"""
LineReceiver benchmark: lines/s with batches of 100 short lines per write.

Two workloads, each netframe's ``protocols.basic.LineReceiver`` beside
Twisted's ``twisted.protocols.basic.LineReceiver`` in the same run:

- direct: one process feeds the batches straight into ``dataReceived`` of a
  protocol connected to a sink transport (``write`` discards); the protocol
  counts each line.  Pure parsing and dispatch cost.
- loopback: a server process per implementation (netframe's EPollReactor,
  Twisted's EPollReactor) runs a LineReceiver that counts lines and answers
  one byte per complete batch; this process is the load generator (plain
  sockets, 16 batches in flight).  Reports lines/s and the server's CPU
  microseconds per line (utime+stime from /proc; the stable figure on shared
  machines).

Ratios are netframe / Twisted (rates) and Twisted / netframe (CPU), so > 1
always means netframe is better.

    hatch run bench:python tools/bench/bench_lines.py [--quick]
"""

from __future__ import annotations

import gc
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

from _results import Results

LINES_PER_BATCH = 100
BATCH = b"".join(b"line %05d of a batch\r\n" % i for i in range(LINES_PER_BATCH))
IN_FLIGHT = 16

#: Issue 5's target: lines/s at least this many times Twisted's.
TARGET = 4.0


# -- direct ---------------------------------------------------------------------


class Sink:
    """A transport that accepts and discards everything (StringTransport-like)."""

    disconnecting = False

    def write(self, data: bytes) -> None:
        """Discard C{data}."""

    def writeSequence(self, seq: Any) -> None:
        """Discard C{seq}."""

    def loseConnection(self) -> None:
        """Ignore."""

    def getPeer(self) -> None:
        """No peer."""

    def getHost(self) -> None:
        """No host."""

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        """Ignore."""

    def unregisterProducer(self) -> None:
        """Ignore."""


def counterClass(base: Any) -> Any:
    """Return a subclass of C{base} (a LineReceiver) counting its lines."""

    class Counter(base):  # type: ignore[misc, valid-type]
        count = 0

        def lineReceived(self, line: bytes) -> None:
            self.count += 1

    return Counter


def directRate(lineReceiver: Any, batches: int) -> float:
    """Return lines/s parsed by C{lineReceiver} fed directly."""
    proto = counterClass(lineReceiver)()
    proto.makeConnection(Sink())
    feed = proto.dataReceived
    gc.collect()
    start = time.perf_counter()
    for _ in range(batches):
        feed(BATCH)
    elapsed = time.perf_counter() - start
    assert proto.count == batches * LINES_PER_BATCH, proto.count
    return proto.count / elapsed


class FloorLineReceiver:
    """
    The floor: the least any pure-Python line receiver can do per chunk.

    Join the pending tail, split on the delimiter once, call C{lineReceived} for each
    complete line; no length limit, no pause, no mode switch, no close check.  Not a
    usable protocol: its rate bounds what any LineReceiver can reach in the same run.
    """

    delimiter = b"\r\n"

    def __init__(self) -> None:
        self._tail = b""

    def makeConnection(self, transport: Any) -> None:
        """Ignore the transport."""

    def lineReceived(self, line: bytes) -> None:
        """Overridden by L{counterClass}."""

    def dataReceived(self, data: bytes) -> None:
        """Split and deliver every complete line."""
        lines = (self._tail + data).split(self.delimiter)
        self._tail = lines.pop()
        lineReceived = self.lineReceived
        for line in lines:
            lineReceived(line)


# -- loopback servers (child processes) -------------------------------------------


def serve(kind: str) -> None:
    """Serve counting LineReceivers on loopback; print the port."""
    if kind == "netframe":
        from netframe.core.epollreactor import EPollReactor
        from netframe.core.protocol import Factory
        from netframe.core.protocols.basic import LineReceiver

        reactor: Any = EPollReactor()
    else:
        from twisted.internet import epollreactor

        epollreactor.install()
        from twisted.internet import reactor as twistedReactor
        from twisted.internet.protocol import Factory
        from twisted.protocols.basic import LineReceiver

        reactor = twistedReactor

    class Counting(LineReceiver):  # type: ignore[misc, valid-type]
        count = 0

        def lineReceived(self, line: bytes) -> None:
            self.count += 1
            if self.count == LINES_PER_BATCH:
                self.count = 0
                self.transport.write(b"k")

    port = reactor.listenTCP(0, Factory.forProtocol(Counting), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run(installSignalHandlers=False)


def cpuSeconds(pid: int) -> float:
    """Return utime + stime of process C{pid}, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, duration: float) -> tuple[int, float]:
    """
    Send batches for C{duration} seconds with IN_FLIGHT outstanding.

    @return: lines acknowledged and the elapsed time.
    """
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    s.sendall(BATCH * IN_FLIGHT)
    outstanding = IN_FLIGHT
    acked = 0
    start = time.perf_counter()
    deadline = start + duration
    stopping = False
    while outstanding:
        sel.select(5.0)
        data = s.recv(65536)
        if not data:
            raise RuntimeError("server closed the connection")
        n = len(data)
        acked += n
        outstanding -= n
        if not stopping:
            if time.perf_counter() >= deadline:
                stopping = True
            else:
                s.sendall(BATCH * n)
                outstanding += n
    elapsed = time.perf_counter() - start
    sel.close()
    s.close()
    return acked * LINES_PER_BATCH, elapsed


def main(argv: list[str]) -> int:
    """Run both workloads; print medians and ratios."""
    if len(argv) == 2 and argv[0] == "--serve":
        serve(argv[1])
        return 0
    quick = "--quick" in argv
    results = Results("lines", argv)
    reps = 2 if quick else 7
    batches = 500 if quick else 5000
    duration = 0.3 if quick else 1.0

    from twisted.protocols.basic import LineReceiver as TwistedLineReceiver

    from netframe.core.protocols.basic import LineReceiver as NetframeLineReceiver

    print(f"LineReceiver, batches of {LINES_PER_BATCH} lines ({len(BATCH)} bytes) per write")
    print(f"direct dataReceived, {batches} batches per run, {reps} runs, medians")
    direct = {}
    receivers = (
        ("netframe", NetframeLineReceiver),
        ("twisted", TwistedLineReceiver),
        ("floor", FloorLineReceiver),
    )
    for name, cls in receivers:
        directRate(cls, batches // 10)
        direct[name] = statistics.median(directRate(cls, batches) for _ in range(reps))
    for name, rate in direct.items():
        print(f"  {name:<10}{rate:>14.0f} lines/s")
    print(f"  ratio netframe/Twisted: {direct['netframe'] / direct['twisted']:.2f}x")
    print(f"  ratio floor/Twisted:    {direct['floor'] / direct['twisted']:.2f}x")
    results.add(
        "direct dataReceived", "lines/s", direct["netframe"], direct["twisted"], target=TARGET
    )
    results.add("direct dataReceived floor", "lines/s", direct["floor"], direct["twisted"])

    procs: dict[str, subprocess.Popen[str]] = {}
    ports: dict[str, int] = {}
    try:
        for name in ("netframe", "twisted"):
            p = subprocess.Popen(
                [sys.executable, __file__, "--serve", name], stdout=subprocess.PIPE, text=True
            )
            procs[name] = p
            assert p.stdout is not None
            ports[name] = int(p.stdout.readline())
        print(
            f"loopback TCP, {IN_FLIGHT} batches in flight, {reps} runs of {duration}s, medians; "
            "CPU = server utime+stime per line"
        )
        rates: dict[str, list[float]] = {n: [] for n in procs}
        cpus: dict[str, list[float]] = {n: [] for n in procs}
        for name in procs:
            load(ports[name], 0.1)
        for _ in range(reps):
            for name in procs:
                before = cpuSeconds(procs[name].pid)
                lines, elapsed = load(ports[name], duration)
                after = cpuSeconds(procs[name].pid)
                rates[name].append(lines / elapsed)
                cpus[name].append((after - before) / lines * 1e6)
        med = {n: (statistics.median(rates[n]), statistics.median(cpus[n])) for n in procs}
        for name, (rate, cpu) in med.items():
            print(f"  {name:<10}{rate:>14.0f} lines/s{cpu:>10.3f} CPU us/line")
        nf, tw = med["netframe"], med["twisted"]
        print(
            f"  ratio netframe/Twisted: {nf[0] / tw[0]:.2f}x lines/s, "
            f"{tw[1] / nf[1] if nf[1] else float('nan'):.2f}x CPU per line"
        )
        results.add("loopback TCP", "lines/s", nf[0], tw[0], target=TARGET)
        results.add("loopback TCP", "CPU us/line", nf[1], tw[1], higherIsBetter=False)
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""
TCP echo benchmark: netframe's epoll reactor vs Twisted's epoll reactor vs a
plain asyncio Protocol server (default event loop).

Each server runs in its own process; this process is the load generator
(plain non-blocking Python sockets over loopback, driven by ``selectors``).
Workloads: 1 and 10 connections, 64-byte messages, ping-pong (one message in
flight per connection) and pipelined (16 in flight per connection).

Reported per workload (medians over the repetitions):
- msgs/s echoed (limited by the load generator as much as by the server, so
  read it as a lower bound);
- server CPU microseconds per echoed message, from the server process's
  utime+stime in /proc (the stable figure on shared machines);
- ratios: netframe vs Twisted and netframe vs asyncio (CPU ratio = peer's
  CPU per message / netframe's; > 1 means netframe is cheaper).

    hatch run bench:python tools/bench/bench_tcp.py [--quick]
"""

from __future__ import annotations

import os
import selectors
import socket
import statistics
import subprocess
import sys
import time

SERVERS = ("netframe", "twisted", "asyncio")
MESSAGE = b"x" * 64


# -- servers (run in child processes) ---------------------------------------


def serveNetframe() -> None:
    """Echo server on netframe's epoll reactor."""
    from netframe.core.epollreactor import EPollReactor
    from netframe.core.protocol import Factory, Protocol

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)

    reactor = EPollReactor()
    port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run(installSignalHandlers=False)


def serveTwisted() -> None:
    """Echo server on Twisted's epoll reactor."""
    from twisted.internet import epollreactor

    epollreactor.install()
    from twisted.internet import reactor
    from twisted.internet.protocol import Factory, Protocol

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)

    port = reactor.listenTCP(0, Factory.forProtocol(Echo), interface="127.0.0.1")
    print(port.getHost().port, flush=True)
    reactor.run(installSignalHandlers=False)


def serveAsyncio() -> None:
    """Echo server on asyncio's default loop with a Protocol."""
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport

        def data_received(self, data: bytes) -> None:
            self.transport.write(data)  # type: ignore[attr-defined]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, "127.0.0.1", 0)
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# -- load generator ------------------------------------------------------------


def cpuSeconds(pid: int) -> float:
    """Return utime + stime of process C{pid}, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def load(port: int, connections: int, inFlight: int, duration: float) -> tuple[int, float]:
    """
    Drive the echo server for C{duration} seconds.

    @return: messages echoed and the elapsed wall time.
    """
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        socks.append(s)
        sel.register(s, selectors.EVENT_READ, [0])
    size = len(MESSAGE)
    for s in socks:
        s.send(MESSAGE * inFlight)
    done = 0
    start = time.perf_counter()
    deadline = start + duration
    stopping = False
    outstanding = connections * inFlight
    while outstanding:
        for key, _ in sel.select(1.0):
            s = key.fileobj
            state = key.data
            data = s.recv(65536)  # type: ignore[union-attr]
            if not data:
                raise RuntimeError("server closed the connection")
            state[0] += len(data)
            complete, state[0] = divmod(state[0], size)
            done += complete
            outstanding -= complete
            if not stopping:
                if time.perf_counter() >= deadline:
                    stopping = True
                else:
                    s.send(MESSAGE * complete)  # type: ignore[union-attr]
                    outstanding += complete
    elapsed = time.perf_counter() - start
    for s in socks:
        sel.unregister(s)
        s.close()
    sel.close()
    return done, elapsed


def main(argv: list[str]) -> int:
    """Start the three servers, run every workload, print the table."""
    if len(argv) == 2 and argv[0] == "--serve":
        {"netframe": serveNetframe, "twisted": serveTwisted, "asyncio": serveAsyncio}[argv[1]]()
        return 0
    quick = "--quick" in argv
    reps = 1 if quick else 5
    duration = 0.3 if quick else 1.0
    procs: dict[str, subprocess.Popen[str]] = {}
    ports: dict[str, int] = {}
    try:
        for name in SERVERS:
            p = subprocess.Popen(
                [sys.executable, __file__, "--serve", name], stdout=subprocess.PIPE, text=True
            )
            procs[name] = p
            assert p.stdout is not None
            ports[name] = int(p.stdout.readline())
        workloads = [(1, 1), (10, 1), (1, 16), (10, 16)]
        print(
            f"TCP echo, 64-byte messages, {reps} run(s) of {duration}s each, medians; "
            "CPU = server process utime+stime per message"
        )
        header = (
            f"{'workload':<22}{'server':<10}{'msgs/s':>10}{'CPU us/msg':>12}"
            f"{'vs Twisted':>12}{'vs asyncio':>12}"
        )
        print(header)
        print("-" * len(header))
        for conns, inFlight in workloads:
            rates: dict[str, list[float]] = {n: [] for n in SERVERS}
            cpus: dict[str, list[float]] = {n: [] for n in SERVERS}
            for name in SERVERS:  # warm-up
                load(ports[name], conns, inFlight, 0.1)
            for _ in range(reps):
                for name in SERVERS:
                    before = cpuSeconds(procs[name].pid)
                    done, elapsed = load(ports[name], conns, inFlight, duration)
                    after = cpuSeconds(procs[name].pid)
                    rates[name].append(done / elapsed)
                    cpus[name].append((after - before) / done * 1e6)
            label = f"{conns} conn, {'ping-pong' if inFlight == 1 else f'{inFlight} in flight'}"
            med = {n: (statistics.median(rates[n]), statistics.median(cpus[n])) for n in SERVERS}
            for name in SERVERS:
                rate, cpu = med[name]
                if name == "netframe":
                    vsT = f"{med['twisted'][1] / cpu:.2f}x cpu" if cpu else "n/a"
                    vsA = f"{med['asyncio'][1] / cpu:.2f}x cpu" if cpu else "n/a"
                else:
                    vsT = vsA = ""
                print(f"{label:<22}{name:<10}{rate:>10.0f}{cpu:>12.2f}{vsT:>12}{vsA:>12}")
                label = ""
            nf, tw, aio = med["netframe"][0], med["twisted"][0], med["asyncio"][0]
            print(
                f"{'':<22}{'rate ratio':<10} netframe/Twisted {nf / tw:.2f}x, netframe/asyncio {nf / aio:.2f}x"
            )
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

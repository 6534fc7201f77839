#!/usr/bin/env python3
"""
TCP benchmark: netframe's epoll reactor and asyncio reactor (on asyncio's
default loop and on uvloop) vs Twisted's epoll reactor vs a plain asyncio
Protocol server (default event loop).

Each server runs in its own process; this process is the load generator
(plain non-blocking Python sockets over loopback, driven by ``selectors``).

Echo workloads: 1, 10 and 100 connections; 64-byte and 4 KiB messages;
ping-pong (one message in flight per connection) and pipelined (16 in flight
per connection).  Connection rate: connect, one byte echoed, close, one
connection at a time.

Reported per workload (medians over the repetitions):
- msgs/s (or connections/s), limited by the load generator as much as by the
  server, so read it as a lower bound;
- server CPU microseconds per message (or connection), from the server
  process's utime+stime in /proc (the stable figure on shared machines);
- ratios vs Twisted and vs asyncio for the netframe servers (CPU ratio =
  peer's CPU per unit / netframe's; > 1 means netframe is cheaper; rate
  ratio = netframe's rate / peer's).

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

from _results import Results

SERVERS = ("netframe", "nf-asyncio", "nf-uvloop", "twisted", "asyncio", "floor")
NETFRAME = ("netframe", "nf-asyncio", "nf-uvloop")
#: Reported against the peers like netframe's servers, but not netframe: the floor.
REFERENCE = ("floor",)


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


def serveNetframeAsyncio(useUvloop: bool) -> None:
    """Echo server on netframe's asyncio reactor (default loop or uvloop)."""
    import asyncio

    from netframe.core.asyncioreactor import AsyncioSelectorReactor
    from netframe.core.protocol import Factory, Protocol

    class Echo(Protocol):
        def dataReceived(self, data: bytes) -> None:
            self.transport.write(data)

    if useUvloop:
        import uvloop

        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        loop = asyncio.SelectorEventLoop()
    reactor = AsyncioSelectorReactor(loop)
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


# -- targets (issue 5) ---------------------------------------------------------


def _target(case: str, server: str, peer: str) -> float | None:
    """
    Return issue 5's target ratio for one row, or None when it sets none.

    The epoll reactor: 3x Twisted on pipelined echo, 2.5x on ping-pong, 1.5x on
    connection rate, and at least asyncio's default loop on every workload.  The
    asyncio reactor on uvloop: 4x Twisted on pipelined echo.
    """
    pipelined = "in flight" in case
    if server == "netframe":
        if peer == "asyncio":
            return 1.0
        if case.startswith("connections"):
            return 1.5
        return 3.0 if pipelined else 2.5
    if server == "nf-uvloop" and peer == "twisted" and pipelined:
        return 4.0
    return None


def serveFloor() -> None:
    """
    The floor: a minimal pure-Python epoll echo loop, no framework at all.

    Accept, recv, send and nothing else (no buffering, no error handling, no
    timers), so its CPU per message is what the kernel and the interpreter cost
    on this machine.  No event-driven Python server can be cheaper; its ratio
    against Twisted bounds what any of them can reach in the same run.
    """
    import select

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.setblocking(False)
    print(listener.getsockname()[1], flush=True)
    epoll = select.epoll()
    epoll.register(listener.fileno(), select.EPOLLIN)
    conns: dict[int, socket.socket] = {}
    listenerFd = listener.fileno()
    while True:
        for fd, _ in epoll.poll():
            if fd == listenerFd:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                # Blocking: recv runs only when epoll says readable, and sendall
                # never loses a partial send (in-flight data is bounded by the load
                # generator, far below the socket buffers).
                conn.setblocking(True)
                conns[conn.fileno()] = conn
                epoll.register(conn.fileno(), select.EPOLLIN)
                continue
            conn = conns[fd]
            try:
                data = conn.recv(65536)
            except ConnectionError:
                data = b""
            if data:
                conn.sendall(data)
            else:
                epoll.unregister(fd)
                del conns[fd]
                conn.close()


# -- load generator ------------------------------------------------------------


def cpuSeconds(pid: int) -> float:
    """Return utime + stime of process C{pid}, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def load(
    port: int, connections: int, inFlight: int, duration: float, size: int = 64
) -> tuple[int, float]:
    """
    Drive the echo server for C{duration} seconds with C{size}-byte messages.

    @return: messages echoed and the elapsed wall time.
    """
    message = b"x" * size
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        socks.append(s)
        sel.register(s, selectors.EVENT_READ, [0])
    for s in socks:
        s.sendall(message * inFlight)
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
                    s.sendall(message * complete)  # type: ignore[union-attr]
                    outstanding += complete
    elapsed = time.perf_counter() - start
    for s in socks:
        sel.unregister(s)
        s.close()
    sel.close()
    return done, elapsed


def connectionRate(port: int, duration: float) -> tuple[int, float]:
    """
    Open, echo one byte over, and close connections one at a time.

    @return: connections completed and the elapsed wall time.
    """
    done = 0
    start = time.perf_counter()
    deadline = start + duration
    while time.perf_counter() < deadline:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"x")
        if s.recv(1) != b"x":
            raise RuntimeError("no echo")
        s.close()
        done += 1
    return done, time.perf_counter() - start


SERVE = {
    "netframe": serveNetframe,
    "nf-asyncio": lambda: serveNetframeAsyncio(False),
    "nf-uvloop": lambda: serveNetframeAsyncio(True),
    "twisted": serveTwisted,
    "asyncio": serveAsyncio,
    "floor": serveFloor,
}


def main(argv: list[str]) -> int:
    """Start the servers, run every workload, print the table."""
    if len(argv) == 2 and argv[0] == "--serve":
        SERVE[argv[1]]()
        return 0
    quick = "--quick" in argv
    results = Results("tcp", argv)
    reps = 1 if quick else 5
    duration = 0.3 if quick else 1.0
    servers = list(SERVERS)
    try:
        import uvloop  # noqa: F401
    except ImportError:
        print("(uvloop not installed: the nf-uvloop server is left out)")
        servers.remove("nf-uvloop")
    procs: dict[str, subprocess.Popen[str]] = {}
    ports: dict[str, int] = {}
    try:
        for name in servers:
            p = subprocess.Popen(
                [sys.executable, __file__, "--serve", name], stdout=subprocess.PIPE, text=True
            )
            procs[name] = p
            assert p.stdout is not None
            ports[name] = int(p.stdout.readline())
        workloads: list[tuple[int, int, int]] = [
            (1, 1, 64),
            (10, 1, 64),
            (100, 1, 64),
            (1, 16, 64),
            (10, 16, 64),
            (100, 16, 64),
            (1, 1, 4096),
            (10, 16, 4096),
            (100, 16, 4096),
        ]
        print(
            f"TCP echo, {reps} run(s) of {duration}s each, medians; "
            "CPU = server process utime+stime per message"
        )
        header = (
            f"{'workload':<28}{'server':<12}{'msgs/s':>10}{'CPU us/msg':>12}"
            f"{'vs Twisted':>24}{'vs asyncio':>24}"
        )
        print(header)
        print("-" * len(header))

        last = [""]

        def report(label: str, med: dict[str, tuple[float, float]]) -> None:
            last[0] = label
            for name in servers:
                rate, cpu = med[name]
                vsT = vsA = ""
                if (name in NETFRAME or name in REFERENCE) and cpu:
                    tw, aio = med["twisted"], med["asyncio"]
                    vsT = f"{rate / tw[0]:.2f}x rate {tw[1] / cpu:.2f}x cpu"
                    vsA = f"{rate / aio[0]:.2f}x rate {aio[1] / cpu:.2f}x cpu"
                    for peer, (peerRate, peerCPU) in (("twisted", tw), ("asyncio", aio)):
                        case = f"{label or last[0]} {name}"
                        unit = "conn" if case.startswith("connections") else "msg"
                        target = None if name in REFERENCE else _target(case, name, peer)
                        results.add(case, f"{unit}s/s", rate, peerRate, peer, target=target)
                        results.add(
                            case,
                            f"CPU us/{unit}",
                            cpu,
                            peerCPU,
                            peer,
                            higherIsBetter=False,
                            target=target,
                        )
                print(f"{label:<28}{name:<12}{rate:>10.0f}{cpu:>12.2f}{vsT:>24}{vsA:>24}")
                label = ""

        for conns, inFlight, size in workloads:
            rates: dict[str, list[float]] = {n: [] for n in servers}
            cpus: dict[str, list[float]] = {n: [] for n in servers}
            for name in servers:  # warm-up
                load(ports[name], conns, inFlight, 0.1, size)
            for _ in range(reps):
                for name in servers:
                    before = cpuSeconds(procs[name].pid)
                    done, elapsed = load(ports[name], conns, inFlight, duration, size)
                    after = cpuSeconds(procs[name].pid)
                    rates[name].append(done / elapsed)
                    cpus[name].append((after - before) / done * 1e6)
            mode = "ping-pong" if inFlight == 1 else f"{inFlight} in flight"
            label = f"{conns} conn {size}B {mode}"
            report(
                label,
                {n: (statistics.median(rates[n]), statistics.median(cpus[n])) for n in servers},
            )

        rates = {n: [] for n in servers}
        cpus = {n: [] for n in servers}
        for name in servers:
            connectionRate(ports[name], 0.1)
        for _ in range(reps):
            for name in servers:
                before = cpuSeconds(procs[name].pid)
                done, elapsed = connectionRate(ports[name], duration)
                after = cpuSeconds(procs[name].pid)
                rates[name].append(done / elapsed)
                cpus[name].append((after - before) / done * 1e6)
        print("connection rate (connect, 1 byte echoed, close; units are connections)")
        report(
            "connections",
            {n: (statistics.median(rates[n]), statistics.median(cpus[n])) for n in servers},
        )
    finally:
        for p in procs.values():
            p.terminate()
            p.wait()
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""
Benchmark ``netframe-twistd --workers 2`` against ``--workers 1`` (TCP echo, msgs/s).

    hatch run bench:python tools/bench/bench_workers.py [--quick] [--json PATH]

The server is the real command, ``netframe-twistd -n --pidfile= --workers N -y echo.tac``,
started as a subprocess; the .tac serves echo (``strports.service``) on a free loopback
port. The load comes from separate processes (LOADERS of them, each with CONNECTIONS
connections keeping IN_FLIGHT 64-byte messages pipelined), for a bounded time per run.
Runs of 1 and 2 workers alternate; the table reports medians of msgs/s and of the
server's CPU per message (parent and workers, utime+stime), and the ratio 2 workers /
1 worker. On a machine with few cores the load generators compete with the workers for
the CPU, which caps the ratio well below 2.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _results import Results

LOADERS = 2
CONNECTIONS = 8
IN_FLIGHT = 4
SIZE = 64

TAC = """
import os

from netframe.app import service, strports
from netframe.core.protocol import Factory, Protocol


class Echo(Protocol):
    def dataReceived(self, data):
        self.transport.write(data)


application = service.Application("bench-workers")
strports.service(
    "tcp:port=%s:interface=127.0.0.1" % os.environ["BENCH_WORKERS_PORT"],
    Factory.forProtocol(Echo),
).setServiceParent(application)
"""


def freePort() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpuSeconds(pid: int) -> float:
    """Return utime + stime of process C{pid} and of its live children, in seconds."""
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load(port: int, connections: int, inFlight: int, duration: float) -> tuple[int, float]:
    """
    Drive the echo server for C{duration} seconds with SIZE-byte pipelined messages.

    @return: messages echoed and the elapsed wall time.
    """
    message = b"x" * SIZE
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(connections):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
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
        events = sel.select(10.0)
        if not events:
            raise RuntimeError("echo server stopped answering")
        for key, _ in events:
            conn: Any = key.fileobj
            state = key.data
            data = conn.recv(65536)
            if not data:
                raise RuntimeError("server closed the connection")
            state[0] += len(data)
            complete, state[0] = divmod(state[0], SIZE)
            done += complete
            outstanding -= complete
            if not stopping:
                if time.perf_counter() >= deadline:
                    stopping = True
                else:
                    conn.sendall(message * complete)
                    outstanding += complete
    elapsed = time.perf_counter() - start
    for s in socks:
        sel.unregister(s)
        s.close()
    sel.close()
    return done, elapsed


def startServer(directory: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """Start netframe-twistd with C{workers} workers; return it and its port once it echoes."""
    port = freePort()
    tac = Path(directory) / "echo.tac"
    tac.write_text(TAC)
    twistd = Path(sys.executable).parent / "netframe-twistd"
    env = dict(os.environ, BENCH_WORKERS_PORT=str(port))
    proc = subprocess.Popen(
        [str(twistd), "-n", "--pidfile=", "--workers", str(workers), "-y", str(tac)],
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"netframe-twistd --workers {workers} exited ({proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(b"ping")
                if s.recv(16) == b"ping":
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"netframe-twistd --workers {workers} did not start")
        time.sleep(0.1)
    # Every worker must be up before measuring: wait for the parent's children.
    while len(_children(proc.pid)) < workers and time.monotonic() < deadline:
        time.sleep(0.1)
    return proc, port


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def stopServer(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server and wait for it (SIGKILL if it lingers)."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def measure(proc: subprocess.Popen[bytes], port: int, duration: float) -> tuple[float, float]:
    """One run: LOADERS load processes at once; return msgs/s and server CPU us/msg."""
    before = cpuSeconds(proc.pid)
    loaders = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--load",
                str(port),
                str(duration),
                str(CONNECTIONS),
                str(IN_FLIGHT),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(LOADERS)
    ]
    done = 0
    elapsed = 0.0
    for loader in loaders:
        out, _ = loader.communicate(timeout=duration + 60)
        if loader.returncode != 0:
            raise RuntimeError("a load generator failed")
        count, seconds = json.loads(out)
        done += count
        elapsed = max(elapsed, seconds)
    after = cpuSeconds(proc.pid)
    return done / elapsed, (after - before) / done * 1e6


def main(argv: list[str]) -> int:
    """Run alternating 1- and 2-worker servers; print medians and the ratio 2/1."""
    if argv[:1] == ["--load"]:
        done, elapsed = load(int(argv[1]), int(argv[3]), int(argv[4]), float(argv[2]))
        print(json.dumps([done, elapsed]), flush=True)
        return 0
    quick = "--quick" in argv
    results = Results("workers", argv)
    reps = 2 if quick else 5
    duration = 0.5 if quick else 2.0
    counts = (1, 2)
    rates: dict[int, list[float]] = {n: [] for n in counts}
    cpus: dict[int, list[float]] = {n: [] for n in counts}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as directory:
        servers = {}
        try:
            for n in counts:
                sub = os.path.join(directory, str(n))
                os.mkdir(sub)
                servers[n] = startServer(sub, n)
        except BaseException:
            for proc, _ in servers.values():
                stopServer(proc)
            raise
        try:
            for n in counts:  # warm-up
                measure(servers[n][0], servers[n][1], 0.2)
            for _ in range(reps):
                for n in counts:
                    rate, cpu = measure(servers[n][0], servers[n][1], duration)
                    rates[n].append(rate)
                    cpus[n].append(cpu)
        finally:
            for proc, _ in servers.values():
                stopServer(proc)
    med = {n: (statistics.median(rates[n]), statistics.median(cpus[n])) for n in counts}
    print(
        f"netframe-twistd --workers N, TCP echo {SIZE}B, {LOADERS} load processes x "
        f"{CONNECTIONS} connections x {IN_FLIGHT} in flight, {reps} runs of {duration}s, "
        f"medians; {os.cpu_count()} CPUs"
    )
    print(f"{'workers':<10}{'msgs/s':>12}{'CPU us/msg':>12}")
    for n, (rate, cpu) in med.items():
        print(f"{n:<10}{rate:>12,.0f}{cpu:>12.2f}")
    ratio = med[2][0] / med[1][0]
    print(f"ratio 2 workers / 1 worker: {ratio:.2f}x msgs/s")
    case = f"echo {SIZE}B, {LOADERS * CONNECTIONS} conns, 2 vs 1 workers"
    results.add(case, "msgs/s", med[2][0], med[1][0], peerName="netframe --workers 1")
    results.add(
        case, "CPU us/msg", med[2][1], med[1][1], "netframe --workers 1", higherIsBetter=False
    )
    results.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

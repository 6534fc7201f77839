#!/usr/bin/env python3
"""
TLS benchmark: netframe.core.ssl beside Twisted's twisted.internet.ssl, same run.

For each framework a TLS echo server runs in its own process (epoll reactor,
``PrivateCertificate.options()``) and a client of the *same* framework runs in another
(epoll reactor, ``optionsForClientTLS`` with chain and host name verification), over
loopback.  Both use the same certificates: a test CA and an EC P-256 leaf for
``example.com``, made fresh for the run.  TLS 1.3 is negotiated.

Workloads:
  echo        10 connections, 4 KiB messages, one in flight per connection: messages
              echoed per second (client and server both do TLS work)
  handshake   10 concurrent connect / handshake / close loops: completed handshakes
              per second (with verification)

Reported: medians of the repetitions (frameworks interleaved), the ratio
netframe/Twisted of the rates, the server's (from /proc) and the client's CPU
microseconds per operation, and the CPU ratio (Twisted's server+client CPU per
operation over netframe's), which stays stable when other work shares the machine.
Target: ratio >= 1.3 on both.

    hatch run bench:python tools/bench/bench_tls.py [--quick]
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from _results import Results

FRAMEWORKS = ("netframe", "twisted")
MESSAGE = b"m" * 4096
CONNECTIONS = 10
TARGET = 1.3


# -- certificates ------------------------------------------------------------------------


def makeCertificates(directory: str) -> None:
    """Write ca.pem (certificate) and server.pem (key + certificate) into ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    caKey = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("bench CA"))
        .issuer_name(name("bench CA"))
        .public_key(caKey.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(caKey, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("example.com"))
        .issuer_name(name("bench CA"))
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("example.com")]), critical=False)
        .sign(caKey, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(os.path.join(directory, "server.pem"), "wb") as f:
        f.write(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            + leaf.public_bytes(pem)
        )


def read(directory: str, name: str) -> bytes:
    """The bytes of a file in ``directory``."""
    with open(os.path.join(directory, name), "rb") as f:
        return f.read()


# -- servers ---------------------------------------------------------------------------------


def serve(framework: str, directory: str) -> None:
    """Run a TLS echo server, printing its port."""
    serverPem = read(directory, "server.pem")
    if framework == "netframe":
        from netframe.core import ssl
        from netframe.core.epollreactor import EPollReactor
        from netframe.core.protocol import Factory, Protocol

        class Echo(Protocol):
            def dataReceived(self, data: bytes) -> None:
                self.transport.write(data)

        reactor: Any = EPollReactor()
        options = ssl.PrivateCertificate.loadPEM(serverPem).options()
        factory = ssl.TLSMemoryBIOFactory(options, False, Factory.forProtocol(Echo))
        port = reactor.listenTCP(0, factory, backlog=128, interface="127.0.0.1")
    else:
        from twisted.internet import epollreactor

        epollreactor.install()
        from twisted.internet import reactor as treactor
        from twisted.internet import ssl as tssl
        from twisted.internet.protocol import Factory as TFactory
        from twisted.internet.protocol import Protocol as TProtocol

        class TEcho(TProtocol):
            def dataReceived(self, data: bytes) -> None:
                self.transport.write(data)

        reactor = treactor
        options = tssl.PrivateCertificate.loadPEM(serverPem).options()
        port = reactor.listenSSL(
            0, TFactory.forProtocol(TEcho), options, backlog=128, interface="127.0.0.1"
        )
    print(port.getHost().port, flush=True)
    reactor.run(installSignalHandlers=False)


# -- clients ---------------------------------------------------------------------------------


def client(framework: str, directory: str, port: int, mode: str, seconds: float) -> None:
    """Run one workload against ``port``; print {"ops": n, "seconds": s} as JSON."""
    caPem = read(directory, "ca.pem")
    if framework == "netframe":
        from zope.interface import implementer

        from netframe.core import ssl
        from netframe.core.epollreactor import EPollReactor
        from netframe.core.interfaces import IHandshakeListener
        from netframe.core.protocol import ClientFactory, Protocol

        reactor: Any = EPollReactor()
        options = ssl.optionsForClientTLS("example.com", ssl.Certificate.loadPEM(caPem))

        def connect(factory: Any) -> None:
            reactor.connectTCP("127.0.0.1", port, ssl.TLSMemoryBIOFactory(options, True, factory))

    else:
        from twisted.internet import epollreactor

        epollreactor.install()
        from twisted.internet import reactor as treactor
        from twisted.internet import ssl as tssl
        from twisted.internet.interfaces import IHandshakeListener  # type: ignore[no-redef]
        from twisted.internet.protocol import ClientFactory, Protocol  # type: ignore[assignment]
        from zope.interface import implementer

        reactor = treactor
        options = tssl.optionsForClientTLS("example.com", tssl.Certificate.loadPEM(caPem))

        def connect(factory: Any) -> None:
            reactor.connectSSL("127.0.0.1", port, factory, options)

    state = {"counting": False, "ops": 0, "done": False}

    class EchoClient(Protocol):
        def connectionMade(self) -> None:
            self.pending = 0
            self.transport.write(MESSAGE)

        def dataReceived(self, data: bytes) -> None:
            self.pending += len(data)
            if self.pending >= len(MESSAGE):
                self.pending -= len(MESSAGE)
                if state["counting"]:
                    state["ops"] += 1
                if not state["done"]:
                    self.transport.write(MESSAGE)

    @implementer(IHandshakeListener)
    class HandshakeClient(Protocol):
        def handshakeCompleted(self) -> None:
            if state["counting"]:
                state["ops"] += 1
            self.transport.loseConnection()

    class Loop(ClientFactory):
        protocol = EchoClient if mode == "echo" else HandshakeClient

        def clientConnectionLost(self, connector: Any, reason: Any) -> None:
            if mode == "handshake" and not state["done"]:
                connect(self)

        def clientConnectionFailed(self, connector: Any, reason: Any) -> None:
            if not state["done"]:
                connect(self)

    for _ in range(CONNECTIONS):
        connect(Loop())
    marks: dict[str, float] = {}

    def start() -> None:
        state["counting"] = True
        marks["start"] = time.perf_counter()
        marks["cpuStart"] = time.process_time()

    def stop() -> None:
        marks["stop"] = time.perf_counter()
        marks["cpuStop"] = time.process_time()
        state["counting"] = False
        state["done"] = True
        reactor.stop()

    warmup = 0.3
    reactor.callLater(warmup, start)
    reactor.callLater(warmup + seconds, stop)
    reactor.run(installSignalHandlers=False)
    print(
        json.dumps(
            {
                "ops": state["ops"],
                "seconds": marks["stop"] - marks["start"],
                "cpu": marks["cpuStop"] - marks["cpuStart"],
            }
        ),
        flush=True,
    )


# -- driver ----------------------------------------------------------------------------------


def cpuSeconds(pid: int) -> float:
    """The user+system CPU seconds a process used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runOnce(
    framework: str, directory: str, mode: str, seconds: float
) -> tuple[float, float, float]:
    """
    One repetition: operations per second, and the server's and the client's CPU
    microseconds per operation.
    """
    me = os.path.abspath(__file__)
    server = subprocess.Popen(
        [sys.executable, me, "--serve", framework, directory],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        before = cpuSeconds(server.pid)
        out = subprocess.run(
            [sys.executable, me, "--client", framework, directory, str(port), mode, str(seconds)],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        after = cpuSeconds(server.pid)
    finally:
        server.kill()
        server.wait()
    result = json.loads(out.strip().splitlines()[-1])
    ops = max(1, result["ops"])
    return ops / result["seconds"], (after - before) * 1e6 / ops, result["cpu"] * 1e6 / ops


def main(argv: list[str]) -> int:
    """Run the benchmark (``--quick``: fewer, shorter repetitions) and print the table."""
    if argv[:1] == ["--serve"]:
        serve(argv[1], argv[2])
        return 0
    if argv[:1] == ["--client"]:
        client(argv[1], argv[2], int(argv[3]), argv[4], float(argv[5]))
        return 0
    quick = "--quick" in argv
    results = Results("tls", argv)
    reps = 2 if quick else 5
    seconds = 0.7 if quick else 2.0
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        makeCertificates(directory)
        for mode in ("echo", "handshake"):
            rates: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
            serverCPU: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
            clientCPU: dict[str, list[float]] = {f: [] for f in FRAMEWORKS}
            for _ in range(reps):
                for framework in FRAMEWORKS:
                    rate, serverUs, clientUs = runOnce(framework, directory, mode, seconds)
                    rates[framework].append(rate)
                    serverCPU[framework].append(serverUs)
                    clientCPU[framework].append(clientUs)
            ours, theirs = (statistics.median(rates[f]) for f in FRAMEWORKS)
            ourSrv, theirSrv = (statistics.median(serverCPU[f]) for f in FRAMEWORKS)
            ourCli, theirCli = (statistics.median(clientCPU[f]) for f in FRAMEWORKS)
            rows.append((mode, ours, theirs, ourSrv, theirSrv, ourCli, theirCli))
    print(
        f"{'workload':<10} {'netframe/s':>11} {'twisted/s':>11} {'ratio':>6} {'target':>6}"
        f" {'srv us/op nf':>12} {'tw':>7} {'cli us/op nf':>12} {'tw':>7} {'cpu ratio':>9}"
    )
    for mode, ours, theirs, ourSrv, theirSrv, ourCli, theirCli in rows:
        ratio = ours / theirs
        cpuRatio = (theirSrv + theirCli) / (ourSrv + ourCli)
        verdict = "ok" if ratio >= TARGET else "BELOW"
        print(
            f"{mode:<10} {ours:>11,.0f} {theirs:>11,.0f} {ratio:>6.2f} {TARGET:>6.1f}"
            f" {ourSrv:>12.1f} {theirSrv:>7.1f} {ourCli:>12.1f} {theirCli:>7.1f}"
            f" {cpuRatio:>9.2f} {verdict}"
        )
        results.add(f"{mode} rate", "ops/s", ours, theirs, target=TARGET)
        results.add(
            f"{mode} CPU per op",
            "CPU us/op",
            ourSrv + ourCli,
            theirSrv + theirCli,
            higherIsBetter=False,
        )
    results.write()
    print(
        "ratio: msgs or handshakes per second, netframe/Twisted (noisy on a loaded machine); "
        "cpu ratio: Twisted's server+client CPU per operation / netframe's (stable)."
    )
    print(
        f"(medians of {reps} interleaved repetitions of {seconds}s; {CONNECTIONS} connections; "
        f"Python {sys.version.split()[0]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

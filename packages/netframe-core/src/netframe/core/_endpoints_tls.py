"""
TLS endpoints (SSL4ServerEndpoint, SSL4ClientEndpoint, wrapClientTLS) and the
C{tls:} and C{ssl:} endpoint description parsers.

Implementation module of L{netframe.core.endpoints}.

pyOpenSSL is imported only when a TLS endpoint connects or listens, or when a
C{tls:}/C{ssl:} description is parsed: without the C{tls} extra that raises the
C{ImportError} of L{netframe.core.ssl} (C{pip install netframe-core[tls]}).

Description strings
===================

  - Client C{tls:HOST:PORT[:timeout=S][:bindAddress=ADDR][:certificate=PEM]
    [:privateKey=PEM][:trustRoots=DIR][:endpoint=NESTED]}

    Connects to HOST:PORT (a L{HostnameEndpoint<netframe.core.endpoints.HostnameEndpoint>}) and
    runs TLS over it, verifying that the server's certificate names HOST and chains to
    the trust roots.  C{certificate}: our client certificate (a PEM file);
    C{privateKey}: its key (default: read from the certificate's file);
    C{trustRoots}: a directory whose files hold the PEM certificates of the trusted
    authorities (default: the platform's trust store).  C{endpoint}: connect through
    another client description instead (colons backslash-escaped, e.g.
    C{tls:example.com:443:endpoint=tcp\\:127.0.0.1\\:8443}); HOST and PORT are then only
    used to verify the certificate.

  - Client C{ssl:HOST:PORT[:timeout=S][:bindAddress=ADDR][:certKey=PEM][:privateKey=PEM]
    [:caCertsDir=DIR][:hostname=NAME]} (deprecated: prefer C{tls:})

    Connects to HOST:PORT over TCP and runs TLS.  B{Unlike the historical C{ssl:}
    client, which checked nothing unless C{caCertsDir} was given (and never the host
    name), this one always verifies}: the certificate must chain to C{caCertsDir}'s
    certificates (default: the platform's trust store) and name C{hostname} (default:
    HOST).  C{certKey}/C{privateKey}: the client certificate and its key (each
    defaults to the other's file).

  - Server C{ssl:PORT[:interface=ADDR][:backlog=N][:privateKey=PEM][:certKey=PEM]
    [:extraCertChain=PEM][:sslmethod=NAME][:dhParameters=PEM]}

    Listens with TLS.  C{privateKey}: the server's key (default C{server.pem});
    C{certKey}: its certificate (default: read from the C{privateKey} file);
    C{extraCertChain}: a file of intermediate certificates sent after ours;
    C{sslmethod}: a pyOpenSSL method name, TLS ones only (C{TLS_METHOD},
    C{SSLv23_METHOD}, C{TLSv1_2_METHOD}, ...; C{SSLv2_METHOD}/C{SSLv3_METHOD} are
    refused as insecure); C{dhParameters}: a PEM file of Diffie-Hellman parameters.

Files named in a description are read when it is parsed: a missing file raises
C{FileNotFoundError} naming the path and the argument, an unreadable PEM file a
C{ValueError} naming them.
"""

from __future__ import annotations

import errno
import os
import re
from typing import Any

from zope.interface import implementer

from netframe.core._endpoints import _int, _WrappingFactory
from netframe.core.defer import Deferred, fail, succeed
from netframe.core.failure import Failure
from netframe.core.interfaces import IStreamClientEndpoint, IStreamServerEndpoint

__all__ = ["SSL4ClientEndpoint", "SSL4ServerEndpoint", "wrapClientTLS"]


def _tlsFactory(contextFactory: Any, isClient: bool, wrappedFactory: Any) -> Any:
    """
    @return: a C{TLSMemoryBIOFactory} (imports the TLS machinery on first use).
    @raise ImportError: without the C{tls} extra.
    @raise TypeError: if C{contextFactory} is not a TLS configuration.
    """
    from netframe.core.ssl import TLSMemoryBIOFactory

    return TLSMemoryBIOFactory(contextFactory, isClient, wrappedFactory)


@implementer(IStreamServerEndpoint)
class SSL4ServerEndpoint:
    """A TLS server endpoint over IPv4 (or IPv6 with an IPv6 C{interface}) TCP."""

    def __init__(
        self,
        reactor: Any,
        port: int,
        sslContextFactory: Any,
        backlog: int = 50,
        interface: str = "",
    ) -> None:
        """
        @param reactor: an C{IReactorSSL} provider.
        @param port: the port to listen on (0: the system chooses).
        @param sslContextFactory: the server's TLS configuration (certificate and key),
            e.g. C{PrivateCertificate.options()}.
        @param backlog: the listen queue length.
        @param interface: the local address ('' for every IPv4 address).
        """
        self._reactor = reactor
        self._port = port
        self._sslContextFactory = sslContextFactory
        self._backlog = backlog
        self._interface = interface

    def listen(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Start listening with C{protocolFactory} behind TLS.

        @param protocolFactory: the application's factory.
        @return: a Deferred firing with the C{IListeningPort}, or failing with
            C{CannotListenError} (port in use...), C{ImportError} (no C{tls}
            extra) or C{TypeError} (not a TLS configuration).
        """
        try:
            port = self._reactor.listenSSL(
                self._port,
                protocolFactory,
                self._sslContextFactory,
                backlog=self._backlog,
                interface=self._interface,
            )
        except BaseException:
            return fail(Failure())
        return succeed(port)

    def __repr__(self) -> str:
        """
        @return: a description naming the port and interface.
        """
        return f"<SSL4ServerEndpoint port={self._port} interface={self._interface!r}>"


@implementer(IStreamClientEndpoint)
class SSL4ClientEndpoint:
    """A TLS client endpoint over TCP (C{reactor.connectSSL})."""

    def __init__(
        self,
        reactor: Any,
        host: str,
        port: int,
        sslContextFactory: Any,
        timeout: float = 30,
        bindAddress: tuple[str, int] | None = None,
    ) -> None:
        """
        @param reactor: an C{IReactorSSL} provider.
        @param host: the host name or address to connect to.
        @param port: the port.
        @param sslContextFactory: the client's TLS configuration, normally
            C{optionsForClientTLS(hostname)} (which verifies the server).
        @param timeout: seconds before the TCP connection attempt fails.
        @param bindAddress: a local C{(host, port)} to bind first, or C{None}.
        """
        self._reactor = reactor
        self._host = host
        self._port = port
        self._sslContextFactory = sslContextFactory
        self._timeout = timeout
        self._bindAddress = bindAddress

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Make one connection attempt (no retry).

        The Deferred fires with the application's protocol once TCP is connected (the
        handshake then runs; a failed handshake or a rejected certificate reaches the
        protocol's C{connectionLost}).  Cancelling it abandons the attempt with
        C{ConnectingCancelledError}.

        @param protocolFactory: the application's factory.
        @return: a Deferred firing with the connected protocol, or failing with the
            connection error.
        """
        wf = _WrappingFactory(protocolFactory)
        try:
            self._reactor.connectSSL(
                self._host,
                self._port,
                wf,
                self._sslContextFactory,
                timeout=self._timeout,
                bindAddress=self._bindAddress,
            )
        except BaseException:
            return fail(Failure())
        return wf._onConnection

    def __repr__(self) -> str:
        """
        @return: a description naming the destination.
        """
        return f"<SSL4ClientEndpoint {self._host}:{self._port}>"


@implementer(IStreamClientEndpoint)
class _WrapperEndpoint:
    """A client endpoint that runs TLS over the connections of another one."""

    def __init__(self, connectionCreator: Any, wrappedEndpoint: Any) -> None:
        """
        @param connectionCreator: the client's TLS configuration.
        @param wrappedEndpoint: the endpoint making the underlying connection.
        """
        self._connectionCreator = connectionCreator
        self._wrappedEndpoint = wrappedEndpoint

    def connect(self, protocolFactory: Any) -> Deferred[Any]:
        """
        Connect the wrapped endpoint and start TLS over the connection.

        @param protocolFactory: the application's factory.
        @return: a Deferred firing with the application's protocol once the
            underlying connection is made (cancelling it cancels the wrapped
            endpoint's attempt), or failing as the wrapped endpoint's does.
        """
        try:
            factory = _tlsFactory(self._connectionCreator, True, protocolFactory)
        except BaseException:
            return fail(Failure())
        d: Deferred[Any] = self._wrappedEndpoint.connect(factory)
        return d.addCallback(lambda tlsProtocol: tlsProtocol.wrappedProtocol)

    def __repr__(self) -> str:
        """
        @return: a description naming the wrapped endpoint.
        """
        return f"<TLS over {self._wrappedEndpoint!r}>"


def wrapClientTLS(connectionCreator: Any, wrappedEndpoint: Any) -> IStreamClientEndpoint:
    """
    Run TLS as the client over the connections another client endpoint makes.

    @param connectionCreator: the TLS configuration, normally
        C{optionsForClientTLS(hostname)}.
    @param wrappedEndpoint: any C{IStreamClientEndpoint} (TCP, hostname, UNIX...).
    @return: an C{IStreamClientEndpoint} whose C{connect} fires with the
        application's protocol.
    """
    return _WrapperEndpoint(connectionCreator, wrappedEndpoint)


# -- description strings ---------------------------------------------------------

#: Parameter names of the server types this module parses, in positional order.
SERVER_TYPES: dict[str, tuple[str, ...]] = {
    "ssl": (
        "port",
        "interface",
        "backlog",
        "privateKey",
        "certKey",
        "extraCertChain",
        "sslmethod",
        "dhParameters",
    ),
}
#: Parameter names of the client types this module parses, in positional order.
CLIENT_TYPES: dict[str, tuple[str, ...]] = {
    "tls": (
        "host",
        "port",
        "timeout",
        "bindAddress",
        "certificate",
        "privateKey",
        "trustRoots",
        "endpoint",
    ),
    "ssl": (
        "host",
        "port",
        "timeout",
        "bindAddress",
        "certKey",
        "privateKey",
        "caCertsDir",
        "hostname",
    ),
}

#: The C{sslmethod} names accepted by the C{ssl:} server.
_TLS_METHODS = ("TLS_METHOD", "SSLv23_METHOD", "TLSv1_METHOD", "TLSv1_1_METHOD", "TLSv1_2_METHOD")
#: C{sslmethod} names refused because the protocols they select are broken.
_INSECURE_METHODS = ("SSLv2_METHOD", "SSLv3_METHOD")

_PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\r?\n.+?\r?\n-----END CERTIFICATE-----", re.DOTALL
)


def _readFile(path: str, argument: str, description: str) -> bytes:
    """
    @param path: the file named by C{argument}.
    @return: its contents.
    @raise FileNotFoundError: if there is no such file (naming the path).
    @raise OSError: if it cannot be read (naming the path).
    """
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise FileNotFoundError(
            errno.ENOENT, f"no such file for {argument}= in {description!r}", path
        ) from None
    except OSError as e:
        raise type(e)(
            e.errno, f"cannot read {argument}= in {description!r}: {e.strerror}", path
        ) from None


def _certificates(data: bytes, path: str, argument: str, description: str) -> list[Any]:
    """
    @param data: PEM text with zero or more certificates.
    @return: the C{Certificate} objects.
    @raise ValueError: if a certificate block does not parse (naming the file).
    """
    from netframe.core.ssl import Certificate

    result = []
    for block in _PEM_CERTIFICATE.findall(data):
        try:
            result.append(Certificate.loadPEM(block))
        except ValueError as e:
            raise ValueError(
                f"bad certificate in {path!r} ({argument}= in {description!r}): {e}"
            ) from None
    return result


def _privateCertificate(certPath: str, keyPath: str, description: str, names: str) -> Any:
    """
    Load a certificate and its key from PEM files (possibly the same file).

    @param names: the arguments involved, for messages.
    @return: the C{PrivateCertificate}.
    @raise FileNotFoundError: if a file is missing.
    @raise ValueError: if there is no certificate, no key, or they do not match.
    """
    from netframe.core import error
    from netframe.core.ssl import Certificate, KeyPair, PrivateCertificate

    certData = _readFile(certPath, names, description)
    keyData = certData if keyPath == certPath else _readFile(keyPath, names, description)
    try:
        certificate = Certificate.loadPEM(certData)
    except ValueError as e:
        raise ValueError(f"no PEM certificate in {certPath!r} ({names} in {description!r}): {e}")
    try:
        key = KeyPair.loadPEM(keyData)
    except (ValueError, TypeError) as e:
        raise ValueError(
            f"no unencrypted PEM private key in {keyPath!r} ({names} in {description!r}): {e}"
        ) from None
    try:
        return PrivateCertificate.fromCertificateAndKeyPair(certificate, key)
    except error.VerifyError:
        raise ValueError(
            f"the private key in {keyPath!r} does not match the certificate in {certPath!r} "
            f"({names} in {description!r})"
        ) from None


def _trustRoot(directory: str, argument: str, description: str) -> Any:
    """
    Trust the certificates found in the files of C{directory}.

    Every regular file is read; the PEM certificates it holds (any number) are
    trusted, files without one are skipped.

    @return: an C{IOpenSSLTrustRoot}.
    @raise FileNotFoundError: if there is no such directory.
    @raise NotADirectoryError: if it is not a directory.
    @raise ValueError: if it holds no certificate, or a bad one.
    """
    from netframe.core.ssl import trustRootFromCertificates

    if not os.path.exists(directory):
        raise FileNotFoundError(
            errno.ENOENT, f"no such directory for {argument}= in {description!r}", directory
        )
    if not os.path.isdir(directory):
        raise NotADirectoryError(
            errno.ENOTDIR, f"{argument}= in {description!r} must be a directory", directory
        )
    found: dict[bytes, Any] = {}
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        for certificate in _certificates(
            _readFile(path, argument, description), path, argument, description
        ):
            found.setdefault(certificate.dump(), certificate)
    if not found:
        raise ValueError(
            f"no PEM certificate in the files of {directory!r} ({argument}= in {description!r})"
        )
    return trustRootFromCertificates(list(found.values()))


def _timeout(args: dict[str, str], description: str) -> float:
    """
    @return: the C{timeout} argument (default 30 seconds).
    @raise ValueError: if it is not a finite number of seconds >= 0.
    """
    if "timeout" not in args:
        return 30
    try:
        timeout = float(args["timeout"])
    except ValueError:
        timeout = -1
    if not timeout >= 0 or timeout == float("inf"):
        raise ValueError(f"bad timeout {args['timeout']!r} in {description!r}")
    return timeout


def _hostAndPort(args: dict[str, str], description: str) -> tuple[str, int]:
    """
    @return: the required C{host} and C{port} arguments.
    @raise ValueError: if one is missing or the port is not 1..65535.
    """
    for required in ("host", "port"):
        if not args.get(required):
            raise ValueError(f"missing {required} in {description!r}")
    return args["host"], _int(args, "port", description, 1, 65535)


def serverFromArgs(
    reactor: Any, typeName: str, args: dict[str, str], description: str
) -> IStreamServerEndpoint:
    """
    Build the C{ssl:} server endpoint (see the module docstring).

    @param reactor: the reactor the endpoint listens with.
    @param typeName: C{"ssl"}.
    @param args: the arguments by name.
    @param description: the whole description (for messages).
    @return: an L{SSL4ServerEndpoint}.
    @raise ValueError: naming the bad part of C{description}.
    @raise FileNotFoundError: naming a missing file.
    @raise ImportError: without the C{tls} extra.
    """
    from OpenSSL import SSL

    from netframe.core.ssl import CertificateOptions, DiffieHellmanParameters

    if "port" not in args:
        raise ValueError(f"missing port in {description!r}")
    port = _int(args, "port", description, 0, 65535)
    backlog = _int(args, "backlog", description, 1, 1 << 20) if "backlog" in args else 50
    method = None
    if "sslmethod" in args:
        name = args["sslmethod"]
        if name in _INSECURE_METHODS:
            raise ValueError(
                f"sslmethod {name} in {description!r} is insecure (SSLv2/SSLv3 are broken); "
                f"use one of {', '.join(_TLS_METHODS)}"
            )
        if name not in _TLS_METHODS or not hasattr(SSL, name):
            raise ValueError(
                f"bad sslmethod {name!r} in {description!r}: expected one of "
                f"{', '.join(_TLS_METHODS)}"
            )
        method = getattr(SSL, name)
    keyPath = args.get("privateKey") or "server.pem"
    certPath = args.get("certKey") or keyPath
    names = "privateKey=/certKey="
    identity = _privateCertificate(certPath, keyPath, description, names)
    chain: list[Any] = []
    if "extraCertChain" in args:
        chainPath = args["extraCertChain"]
        chain = _certificates(
            _readFile(chainPath, "extraCertChain", description),
            chainPath,
            "extraCertChain",
            description,
        )
        if not chain:
            raise ValueError(
                f"no PEM certificate in {chainPath!r} (extraCertChain= in {description!r})"
            )
    dhParameters = None
    if "dhParameters" in args:
        try:
            dhParameters = DiffieHellmanParameters.fromFile(args["dhParameters"])
        except FileNotFoundError:
            raise FileNotFoundError(
                errno.ENOENT,
                f"no such file for dhParameters= in {description!r}",
                args["dhParameters"],
            ) from None
    options = CertificateOptions(
        privateKey=identity.privateKey,
        certificate=identity,
        extraCertChain=chain or None,
        method=method,
        dhParameters=dhParameters,
    )
    return SSL4ServerEndpoint(
        reactor, port, options, backlog=backlog, interface=args.get("interface", "")
    )


def _clientTLS(reactor: Any, args: dict[str, str], description: str) -> IStreamClientEndpoint:
    """
    Build the C{tls:} client endpoint (see the module docstring).

    @raise ValueError: naming the bad part of C{description}.
    """
    from netframe.core._endpoints import clientFromString
    from netframe.core._hostname import HostnameEndpoint
    from netframe.core.ssl import optionsForClientTLS

    host, port = _hostAndPort(args, description)
    timeout = _timeout(args, description)
    bindAddress = (args["bindAddress"], 0) if args.get("bindAddress") else None
    clientCertificate = None
    if args.get("certificate"):
        certPath = args["certificate"]
        keyPath = args.get("privateKey") or certPath
        clientCertificate = _privateCertificate(
            certPath, keyPath, description, "certificate=/privateKey="
        )
    elif args.get("privateKey"):
        raise ValueError(f"privateKey without certificate in {description!r}")
    trustRoot = None
    if args.get("trustRoots"):
        trustRoot = _trustRoot(args["trustRoots"], "trustRoots", description)
    if "endpoint" in args:
        nested = args["endpoint"]
        if not nested:
            raise ValueError(f"empty endpoint= in {description!r}")
        if "timeout" in args or "bindAddress" in args:
            raise ValueError(
                f"timeout and bindAddress belong in the nested endpoint= of {description!r}"
            )
        try:
            wrapped = clientFromString(reactor, nested)
        except ValueError as e:
            raise ValueError(f"bad endpoint= in {description!r}: {e}") from None
    else:
        wrapped = HostnameEndpoint(reactor, host, port, timeout=timeout, bindAddress=bindAddress)
    try:
        options = optionsForClientTLS(host, trustRoot, clientCertificate)
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad host {host!r} in {description!r}: {e}") from None
    return wrapClientTLS(options, wrapped)


def _clientSSL(reactor: Any, args: dict[str, str], description: str) -> IStreamClientEndpoint:
    """
    Build the deprecated C{ssl:} client endpoint, verifying (see the module
    docstring).

    @raise ValueError: naming the bad part of C{description}.
    """
    from netframe.core.ssl import optionsForClientTLS

    host, port = _hostAndPort(args, description)
    timeout = _timeout(args, description)
    bindAddress = (args["bindAddress"], 0) if args.get("bindAddress") else None
    clientCertificate = None
    certPath = args.get("certKey") or args.get("privateKey")
    if certPath:
        keyPath = args.get("privateKey") or certPath
        clientCertificate = _privateCertificate(
            certPath, keyPath, description, "certKey=/privateKey="
        )
    trustRoot = None
    if args.get("caCertsDir"):
        trustRoot = _trustRoot(args["caCertsDir"], "caCertsDir", description)
    hostname = args.get("hostname") or host
    try:
        options = optionsForClientTLS(hostname, trustRoot, clientCertificate)
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad hostname {hostname!r} in {description!r}: {e}") from None
    return SSL4ClientEndpoint(
        reactor, host, port, options, timeout=timeout, bindAddress=bindAddress
    )


def clientFromArgs(
    reactor: Any, typeName: str, args: dict[str, str], description: str
) -> IStreamClientEndpoint:
    """
    Build a C{tls:} or C{ssl:} client endpoint (see the module docstring).

    @param reactor: the reactor the endpoint connects with.
    @param typeName: C{"tls"} or C{"ssl"}.
    @param args: the arguments by name.
    @param description: the whole description (for messages).
    @return: the endpoint.
    @raise ValueError: naming the bad part of C{description}.
    @raise FileNotFoundError: naming a missing file or directory.
    @raise ImportError: without the C{tls} extra.
    """
    if typeName == "tls":
        return _clientTLS(reactor, args, description)
    return _clientSSL(reactor, args, description)

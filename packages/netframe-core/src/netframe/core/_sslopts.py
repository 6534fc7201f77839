"""
TLS configuration: C{CertificateOptions}, C{optionsForClientTLS}, trust roots,
cipher policies, Diffie-Hellman parameters and ALPN.

Implementation module of L{netframe.core.ssl}; import the names from there.
"""

from __future__ import annotations

import enum
import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from OpenSSL import SSL, crypto
from service_identity import CertificateError as _SICertificateError
from service_identity import VerificationError as _SIVerificationError
from service_identity.cryptography import (
    verify_certificate_hostname,
    verify_certificate_ip_address,
)
from zope.interface import implementer

from netframe.core._tls import _ALPNSelector, _recordVerifyError
from netframe.core._tlscerts import Certificate, KeyPair
from netframe.core.interfaces import (
    IAcceptableCiphers,
    IOpenSSLClientConnectionCreator,
    IOpenSSLTrustRoot,
)

__all__ = [
    "AcceptableCiphers",
    "CertificateOptions",
    "ClientTLSOptions",
    "DiffieHellmanParameters",
    "IOpenSSLTrustRoot",
    "OpenSSLAcceptableCiphers",
    "OpenSSLCertificateAuthorities",
    "OpenSSLCipher",
    "OpenSSLDefaultPaths",
    "ProtocolNegotiationSupport",
    "TLSVersion",
    "VerificationError",
    "optionsForClientTLS",
    "platformTrust",
    "protocolNegotiationMechanisms",
    "trustRootFromCertificates",
]


class VerificationError(Exception):
    """
    The peer's certificate is valid but does not identify the host we wanted to reach
    (or names no host at all).
    """


class TLSVersion(enum.Enum):
    """The TLS protocol versions (C{SSLv3} exists only to be refused)."""

    SSLv3 = "SSLv3"
    TLSv1_0 = "TLSv1.0"
    TLSv1_1 = "TLSv1.1"
    TLSv1_2 = "TLSv1.2"
    TLSv1_3 = "TLSv1.3"


_VERSION_NUMBERS: dict[TLSVersion, int] = {
    TLSVersion.TLSv1_0: SSL.TLS1_VERSION,
    TLSVersion.TLSv1_1: SSL.TLS1_1_VERSION,
    TLSVersion.TLSv1_2: SSL.TLS1_2_VERSION,
    TLSVersion.TLSv1_3: SSL.TLS1_3_VERSION,
}
_ORDER = [TLSVersion.TLSv1_0, TLSVersion.TLSv1_1, TLSVersion.TLSv1_2, TLSVersion.TLSv1_3]
#: The oldest protocol version allowed unless lowered explicitly.
_DEFAULT_MINIMUM = TLSVersion.TLSv1_2

_METHOD_VERSIONS: dict[int, Optional[TLSVersion]] = {
    SSL.SSLv23_METHOD: None,
    SSL.TLS_METHOD: None,
    SSL.TLSv1_METHOD: TLSVersion.TLSv1_0,
    SSL.TLSv1_1_METHOD: TLSVersion.TLSv1_1,
    SSL.TLSv1_2_METHOD: TLSVersion.TLSv1_2,
}


def _version(value: TLSVersion, what: str) -> int:
    """
    @param value: a version.
    @param what: the parameter's name, for the error.
    @return: OpenSSL's number for it.
    @raise ValueError: for SSLv3 or a non-version.
    """
    if not isinstance(value, TLSVersion) or value not in _VERSION_NUMBERS:
        raise ValueError(f"{what}={value!r} is not a supported TLS version (TLSv1_0 or later)")
    return _VERSION_NUMBERS[value]


# -- trust ------------------------------------------------------------------------------


@implementer(IOpenSSLTrustRoot)
class OpenSSLCertificateAuthorities:
    """Trust exactly a list of certificates (and what they issue)."""

    def __init__(self, caCerts: Sequence[Any]) -> None:
        """
        @param caCerts: C{OpenSSL.crypto.X509} objects.
        """
        self._caCerts = list(caCerts)

    def _addCACertsToContext(self, context: SSL.Context) -> None:
        """
        @param context: gets the certificates in its store and client CA list.
        """
        store = context.get_cert_store()
        assert store is not None
        for certificate in self._caCerts:
            store.add_cert(certificate)
            context.add_client_ca(certificate.to_cryptography())


@implementer(IOpenSSLTrustRoot)
class OpenSSLDefaultPaths:
    """Trust the platform's certificate authorities (OpenSSL's default paths)."""

    def _addCACertsToContext(self, context: SSL.Context) -> None:
        """
        @param context: set to use OpenSSL's default verify paths.
        """
        context.set_default_verify_paths()


def platformTrust() -> OpenSSLDefaultPaths:
    """
    The platform's trusted certificate authorities (on Debian and derivatives the
    C{ca-certificates} package; elsewhere whatever OpenSSL was built to use).

    @return: a trust root for C{optionsForClientTLS} or C{CertificateOptions}.
    """
    return OpenSSLDefaultPaths()


def trustRootFromCertificates(certificates: Iterable[Certificate]) -> OpenSSLCertificateAuthorities:
    """
    Trust exactly C{certificates}: a peer is accepted when its certificate chains to
    one of them.  Platform trust is I{not} added.

    @param certificates: L{Certificate<netframe.core.ssl.Certificate>} (or
        C{PrivateCertificate}) objects.
    @return: the trust root.
    @raise TypeError: if an element is not a C{Certificate}.
    """
    certs = []
    for certificate in certificates:
        if not isinstance(certificate, Certificate):
            raise TypeError(
                f"trustRootFromCertificates takes Certificate objects, not {certificate!r}"
            )
        certs.append(certificate.original)
    return OpenSSLCertificateAuthorities(certs)


# -- ciphers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenSSLCipher:
    """
    One TLS (≤ 1.2) cipher suite.

    @ivar fullName: OpenSSL's name for it, e.g. C{"ECDHE-RSA-AES256-GCM-SHA384"}.
    """

    fullName: str


def _cipherNames(cipherString: str) -> list[str]:
    """
    @param cipherString: an OpenSSL cipher string.
    @return: the TLS ≤ 1.2 suites it selects, in order.
    @raise SSL.Error: if it selects none.
    """
    context = SSL.Context(SSL.TLS_METHOD)
    context.set_cipher_list(cipherString.encode("ascii"))
    names = SSL.Connection(context, None).get_cipher_list()
    return [name for name in names if not name.startswith("TLS_")]


_availableCache: list[OpenSSLCipher] = []


def _availableCiphers() -> list[OpenSSLCipher]:
    """
    @return: every TLS ≤ 1.2 suite this OpenSSL offers (computed once).
    """
    if not _availableCache:
        _availableCache.extend(OpenSSLCipher(name) for name in _cipherNames("ALL"))
    return _availableCache


@implementer(IAcceptableCiphers)
class OpenSSLAcceptableCiphers:
    """A cipher policy: the acceptable suites, most preferred first."""

    def __init__(self, ciphers: Iterable[OpenSSLCipher]) -> None:
        """
        @param ciphers: the acceptable suites.
        """
        self._ciphers = tuple(ciphers)

    def selectCiphers(self, availableCiphers: Sequence[Any]) -> tuple[Any, ...]:
        """
        @param availableCiphers: what the TLS library offers.
        @return: our acceptable suites that are available, in our order.
        """
        available = set(availableCiphers)
        return tuple(c for c in self._ciphers if c in available)

    @classmethod
    def fromOpenSSLCipherString(cls, cipherString: str) -> OpenSSLAcceptableCiphers:
        """
        @param cipherString: an OpenSSL cipher string such as C{"ECDHE+AESGCM"}.
        @return: the policy selecting what that string selects.
        @raise SSL.Error: if it selects nothing.
        """
        return cls(OpenSSLCipher(name) for name in _cipherNames(cipherString))


AcceptableCiphers = OpenSSLAcceptableCiphers

#: Forward-secret AEAD suites only (for TLS 1.2; TLS 1.3's suites are all fine).
_DEFAULT_CIPHER_STRING = (
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!MD5:!DSS:!RC4:!3DES"
)
_defaultCiphers: list[OpenSSLAcceptableCiphers] = []


def _defaultCipherPolicy() -> OpenSSLAcceptableCiphers:
    """
    @return: the default policy (computed once).
    """
    if not _defaultCiphers:
        _defaultCiphers.append(
            OpenSSLAcceptableCiphers.fromOpenSSLCipherString(_DEFAULT_CIPHER_STRING)
        )
    return _defaultCiphers[0]


# -- Diffie-Hellman, ALPN -----------------------------------------------------------------


class DiffieHellmanParameters:
    """Finite-field Diffie-Hellman parameters for the DHE suites, from a PEM file."""

    def __init__(self, parameters: Union[str, os.PathLike[str]]) -> None:
        """
        @param parameters: the path of a PEM C{DH PARAMETERS} file (e.g. made by
            C{openssl dhparam -out dh.pem 2048}).
        """
        self._path = os.fspath(parameters)

    @classmethod
    def fromFile(cls, filePath: Union[str, os.PathLike[str]]) -> DiffieHellmanParameters:
        """
        @param filePath: the file's path (C{str} or C{pathlib.Path}).
        @return: the parameters (the file is read when a context is made).
        @raise FileNotFoundError: if there is no such file.
        """
        path = os.fspath(filePath)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no Diffie-Hellman parameters file at {path!r}")
        return cls(path)


class ProtocolNegotiationSupport(enum.Flag):
    """Which TLS application-protocol negotiation extensions are available."""

    NOPROTOCOLNEGOTIATION = 0
    NPN = 1
    ALPN = 2


def protocolNegotiationMechanisms() -> ProtocolNegotiationSupport:
    """
    @return: C{ALPN} when the OpenSSL in use supports it (NPN is obsolete and never
        offered), else C{NOPROTOCOLNEGOTIATION}.
    """
    try:
        SSL.Context(SSL.TLS_METHOD).set_alpn_protos([b"h2"])
    except NotImplementedError:
        return ProtocolNegotiationSupport.NOPROTOCOLNEGOTIATION
    return ProtocolNegotiationSupport.ALPN


# -- CertificateOptions -------------------------------------------------------------------


def _x509(certificate: Any) -> Any:
    """
    @param certificate: a C{Certificate}, C{OpenSSL.crypto.X509} or C{cryptography}
        certificate.
    @return: the C{OpenSSL.crypto.X509}.
    """
    if isinstance(certificate, Certificate):
        return certificate.original
    if isinstance(certificate, crypto.X509):
        return certificate
    return Certificate(certificate).original


def _pkey(key: Any) -> Any:
    """
    @param key: a C{KeyPair}, C{OpenSSL.crypto.PKey} or C{cryptography} private key.
    @return: the C{OpenSSL.crypto.PKey}.
    """
    if isinstance(key, KeyPair):
        return key.original
    if isinstance(key, crypto.PKey):
        return key
    return KeyPair(key).original


class CertificateOptions:
    """
    A TLS configuration (a "context factory"): our identity, what we require of the
    peer, and protocol options.  C{getContext()} returns the C{OpenSSL.SSL.Context}
    (made once).

    Defaults are the secure choice: TLS 1.2 or newer, forward-secret AEAD cipher
    suites, no compression, no renegotiation, no session tickets.  Give it to
    C{listenSSL} as a server's options (with C{privateKey} and C{certificate}) or to
    a client; clients should rather use
    L{optionsForClientTLS<netframe.core.ssl.optionsForClientTLS>}, which also checks the host name.

    @cvar MAXIMUM_VERIFY_DEPTH: the largest C{verifyDepth} accepted.
    """

    MAXIMUM_VERIFY_DEPTH = 100

    def __init__(
        self,
        privateKey: Any = None,
        certificate: Any = None,
        method: Optional[int] = None,
        verify: bool = False,
        caCerts: Optional[Sequence[Any]] = None,
        verifyDepth: int = 9,
        requireCertificate: bool = True,
        verifyOnce: bool = True,
        enableSingleUseKeys: bool = True,
        enableSessions: bool = False,
        fixBrokenPeers: bool = False,
        enableSessionTickets: bool = False,
        extraCertChain: Optional[Sequence[Any]] = None,
        acceptableCiphers: Optional[IAcceptableCiphers] = None,
        dhParameters: Optional[DiffieHellmanParameters] = None,
        trustRoot: Optional[Any] = None,
        acceptableProtocols: Optional[Sequence[bytes]] = None,
        raiseMinimumTo: Optional[TLSVersion] = None,
        insecurelyLowerMinimumTo: Optional[TLSVersion] = None,
        lowerMaximumSecurityTo: Optional[TLSVersion] = None,
    ) -> None:
        """
        @param privateKey: our private key (C{KeyPair}, C{OpenSSL.crypto.PKey} or a
            C{cryptography} key); given if and only if C{certificate} is.
        @param certificate: our certificate (C{Certificate}, C{X509} or a
            C{cryptography} certificate).
        @param method: a pyOpenSSL method constant (legacy): C{SSLv23_METHOD} /
            C{TLS_METHOD} negotiate (still TLS 1.2+), C{TLSv1_2_METHOD} etc. pin one
            version.  Not combinable with the version parameters below.
        @param verify: verify the peer's certificate (implied by C{trustRoot} or
            C{caCerts}).
        @param caCerts: C{X509} certificates to trust (legacy form of C{trustRoot}).
        @param verifyDepth: the longest chain accepted (1 to
            L{MAXIMUM_VERIFY_DEPTH}).
        @param requireCertificate: when verifying, fail if the peer sends no
            certificate (a server's clients must then present one).
        @param verifyOnce: do not ask again on renegotiation.
        @param enableSingleUseKeys: fresh (EC)DH keys for each handshake.
        @param enableSessions: keep a server-side session cache (resumption).
        @param fixBrokenPeers: enable OpenSSL's workarounds for old broken peers.
        @param enableSessionTickets: allow session tickets.
        @param extraCertChain: intermediate certificates sent after C{certificate}.
        @param acceptableCiphers: an C{IAcceptableCiphers} policy (for TLS ≤ 1.2).
        @param dhParameters: L{DiffieHellmanParameters} for the DHE suites.
        @param trustRoot: an C{IOpenSSLTrustRoot} (C{platformTrust()},
            C{trustRootFromCertificates(...)}); the peer must chain to it.
        @param acceptableProtocols: ALPN protocol names, most preferred first.
        @param raiseMinimumTo: raise the oldest allowed version above TLS 1.2.
        @param insecurelyLowerMinimumTo: set the oldest allowed version, possibly
            below TLS 1.2 (insecure).
        @param lowerMaximumSecurityTo: cap the newest allowed version.
        @raise ValueError: for a key without certificate (or the reverse), a key not
            matching its certificate, verification without trust, an empty cipher
            selection, an empty ALPN list, an impossible version range or a bad depth.
        @raise TypeError: for C{method} combined with version parameters, or both
            minimum parameters.
        """
        if (privateKey is None) != (certificate is None):
            raise ValueError("Specify neither or both of privateKey and certificate")
        self.privateKey = None if privateKey is None else _pkey(privateKey)
        self.certificate = None if certificate is None else _x509(certificate)
        if not 1 <= verifyDepth <= self.MAXIMUM_VERIFY_DEPTH:
            raise ValueError(
                f"verifyDepth={verifyDepth} is out of range 1..{self.MAXIMUM_VERIFY_DEPTH}"
            )
        if caCerts is not None:
            if trustRoot is not None:
                raise TypeError("Specify at most one of caCerts and trustRoot")
            if not verify:
                raise ValueError("caCerts only make sense with verify=True")
            trustRoot = OpenSSLCertificateAuthorities([_x509(c) for c in caCerts])
        if trustRoot is not None:
            if not IOpenSSLTrustRoot.providedBy(trustRoot):
                if isinstance(trustRoot, Certificate):
                    trustRoot = trustRootFromCertificates([trustRoot])
                else:
                    raise TypeError(f"trustRoot must provide IOpenSSLTrustRoot, not {trustRoot!r}")
            verify = True
        elif verify:
            raise ValueError("verify=True needs trust: pass trustRoot (or caCerts)")
        self.verify = verify
        self.trustRoot = trustRoot
        self.verifyDepth = verifyDepth
        self.requireCertificate = requireCertificate
        self.verifyOnce = verifyOnce
        self.enableSingleUseKeys = enableSingleUseKeys
        self.enableSessions = enableSessions
        self.fixBrokenPeers = fixBrokenPeers
        self.enableSessionTickets = enableSessionTickets
        self.extraCertChain = [_x509(c) for c in extraCertChain or ()]
        self.dhParameters = dhParameters
        self._acceptableCiphers = acceptableCiphers or _defaultCipherPolicy()
        self._cipherString = ":".join(
            c.fullName for c in self._acceptableCiphers.selectCiphers(_availableCiphers())
        )
        if not self._cipherString:
            raise ValueError("the acceptable ciphers policy selects no available cipher")
        if acceptableProtocols is not None:
            acceptableProtocols = list(acceptableProtocols)
            if not acceptableProtocols:
                raise ValueError("acceptableProtocols must name at least one protocol")
            for name in acceptableProtocols:
                if not isinstance(name, bytes) or not 0 < len(name) < 256:
                    raise ValueError(f"ALPN protocol names are 1-255 bytes, not {name!r}")
        self._acceptableProtocols = acceptableProtocols
        self.method = method
        self._minimum, self._maximum = self._versionRange(
            method, raiseMinimumTo, insecurelyLowerMinimumTo, lowerMaximumSecurityTo
        )
        self._context: Optional[SSL.Context] = None

    @staticmethod
    def _versionRange(
        method: Optional[int],
        raiseMinimumTo: Optional[TLSVersion],
        insecurelyLowerMinimumTo: Optional[TLSVersion],
        lowerMaximumSecurityTo: Optional[TLSVersion],
    ) -> tuple[int, Optional[int]]:
        """
        @return: OpenSSL's minimum and maximum (C{None}: the newest) versions.
        @raise TypeError: for conflicting parameters.
        @raise ValueError: for unknown methods or versions, or an empty range.
        """
        if method is not None:
            if raiseMinimumTo or insecurelyLowerMinimumTo or lowerMaximumSecurityTo:
                raise TypeError("method cannot be combined with TLS version parameters")
            if method not in _METHOD_VERSIONS:
                raise ValueError(f"unsupported method {method!r} (SSLv2/SSLv3 are never allowed)")
            pinned = _METHOD_VERSIONS[method]
            if pinned is None:
                return _VERSION_NUMBERS[_DEFAULT_MINIMUM], None
            return _VERSION_NUMBERS[pinned], _VERSION_NUMBERS[pinned]
        if raiseMinimumTo is not None and insecurelyLowerMinimumTo is not None:
            raise TypeError("Specify at most one of raiseMinimumTo and insecurelyLowerMinimumTo")
        minimum = _DEFAULT_MINIMUM
        if raiseMinimumTo is not None:
            _version(raiseMinimumTo, "raiseMinimumTo")
            minimum = max(minimum, raiseMinimumTo, key=_ORDER.index)
        if insecurelyLowerMinimumTo is not None:
            _version(insecurelyLowerMinimumTo, "insecurelyLowerMinimumTo")
            minimum = insecurelyLowerMinimumTo
        maximum = None
        if lowerMaximumSecurityTo is not None:
            maximum = _version(lowerMaximumSecurityTo, "lowerMaximumSecurityTo")
            if _ORDER.index(lowerMaximumSecurityTo) < _ORDER.index(minimum):
                raise ValueError(
                    f"lowerMaximumSecurityTo={lowerMaximumSecurityTo.name} is older than the "
                    f"minimum {minimum.name}"
                )
        return _VERSION_NUMBERS[minimum], maximum

    def getContext(self) -> SSL.Context:
        """
        @return: the C{OpenSSL.SSL.Context} (made on the first call, then reused).
        @raise SSL.Error: if OpenSSL refuses the configuration (for example a key
            that does not match the certificate, or unreadable DH parameters).
        """
        if self._context is None:
            self._context = self._makeContext()
        return self._context

    def _makeContext(self) -> SSL.Context:
        """
        @return: a new context for this configuration.
        """
        context = SSL.Context(SSL.TLS_METHOD)
        context.set_min_proto_version(self._minimum)
        if self._maximum is not None:
            context.set_max_proto_version(self._maximum)
        options = SSL.OP_NO_COMPRESSION | SSL.OP_CIPHER_SERVER_PREFERENCE | SSL.OP_NO_RENEGOTIATION
        if not self.enableSessionTickets:
            options |= SSL.OP_NO_TICKET
        if self.enableSingleUseKeys:
            options |= SSL.OP_SINGLE_DH_USE | SSL.OP_SINGLE_ECDH_USE
        if self.fixBrokenPeers:
            options |= SSL.OP_ALL
        context.set_options(options)
        if self.certificate is not None and self.privateKey is not None:
            context.use_certificate(self.certificate.to_cryptography())
            context.use_privatekey(self.privateKey.to_cryptography_key())
            for extra in self.extraCertChain:
                context.add_extra_chain_cert(extra.to_cryptography())
            context.check_privatekey()
        if self.verify and self.trustRoot is not None:
            flags = SSL.VERIFY_PEER
            if self.requireCertificate:
                flags |= SSL.VERIFY_FAIL_IF_NO_PEER_CERT
            if self.verifyOnce:
                flags |= SSL.VERIFY_CLIENT_ONCE
            context.set_verify(flags, _recordVerifyError)
            context.set_verify_depth(self.verifyDepth)
            self.trustRoot._addCACertsToContext(context)
        else:
            context.set_verify(SSL.VERIFY_NONE)
        context.set_cipher_list(self._cipherString.encode("ascii"))
        if self.dhParameters is not None:
            context.load_tmp_dh(self.dhParameters._path.encode())
        if self.enableSessions:
            context.set_session_id(b"netframe-" + os.urandom(8).hex().encode())
        else:
            context.set_session_cache_mode(SSL.SESS_CACHE_OFF)
        if self._acceptableProtocols is not None:
            context.set_alpn_protos(self._acceptableProtocols)
        # Always installed, so a wrapped IProtocolNegotiationFactory can choose per
        # connection (a context cannot change once it made a connection).
        context.set_alpn_select_callback(_ALPNSelector(self._acceptableProtocols))
        return context


OpenSSLCertificateOptions = CertificateOptions


# -- clients -------------------------------------------------------------------------------


@implementer(IOpenSSLClientConnectionCreator)
class ClientTLSOptions:
    """
    Client connections that send SNI and verify the server's identity.

    The chain is verified by OpenSSL during the handshake; once it completes, the
    certificate must name C{hostname} (a DNS name in its subjectAltName, or an IP
    address SAN when C{hostname} is an address), checked with C{service_identity}.
    A certificate without subjectAltName is rejected.

    The host-name verdict for a certificate is remembered (it depends only on the
    certificate and the host name; the chain and validity dates are still checked by
    OpenSSL on every handshake), so reconnecting to the same server skips re-parsing.

    @cvar VERIFIED_CACHE_SIZE: how many accepted certificates are remembered; the
        memory is cleared when it would grow past this.
    """

    VERIFIED_CACHE_SIZE = 64

    def __init__(self, hostname: str, ctx: SSL.Context) -> None:
        """
        @param hostname: the expected host name (IDN allowed) or IP address.
        @param ctx: the context (it must verify the peer).
        @raise ValueError: if C{hostname} cannot be IDNA-encoded.
        """
        self._hostname = hostname
        self._ctx = ctx
        self._verified: dict[Any, None] = {}
        try:
            self._ip: Optional[Any] = ipaddress.ip_address(hostname)
        except ValueError:
            self._ip = None
        if self._ip is None:
            try:
                self._asciiHostname = hostname.encode("idna").decode("ascii")
            except UnicodeError as e:
                raise ValueError(f"invalid host name {hostname!r}: {e}") from None
            self._sni: Optional[bytes] = self._asciiHostname.encode("ascii")
        else:
            self._asciiHostname = hostname
            self._sni = None

    def clientConnectionForTLS(self, tlsProtocol: Any) -> SSL.Connection:
        """
        @param tlsProtocol: the TLS protocol (it calls L{_verifyPeerIdentity}
            after the handshake).
        @return: a client connection that sends SNI (not for IP addresses).
        """
        connection = SSL.Connection(self._ctx, None)
        if self._sni is not None:
            connection.set_tlsext_host_name(self._sni)
        connection.set_connect_state()
        return connection

    def _verifyPeerIdentity(self, connection: SSL.Connection) -> None:
        """
        Check the server's certificate names the expected host.

        @param connection: the connection whose handshake completed.
        @raise VerificationError: if it does not (the message names C{hostname}).
        """
        certificate = connection.get_peer_certificate(as_cryptography=True)
        if certificate is None:
            raise VerificationError(
                f"the server sent no certificate; expected one for {self._hostname!r}"
            )
        verified = self._verified
        if certificate in verified:
            return
        try:
            if self._ip is not None:
                verify_certificate_ip_address(certificate, self._hostname)
            else:
                verify_certificate_hostname(certificate, self._asciiHostname)
        except (_SIVerificationError, _SICertificateError) as e:
            raise VerificationError(
                f"the server's certificate is not valid for {self._hostname!r}: {e!r}"
            ) from e
        if len(verified) >= self.VERIFIED_CACHE_SIZE:
            verified.clear()
        verified[certificate] = None

    def __repr__(self) -> str:
        """
        @return: C{<ClientTLSOptions for 'hostname'>}.
        """
        return f"<{type(self).__name__} for {self._hostname!r}>"


_CLIENT_RESERVED = frozenset(
    {"privateKey", "certificate", "trustRoot", "caCerts", "verify", "acceptableProtocols"}
)


def optionsForClientTLS(
    hostname: str,
    trustRoot: Optional[Any] = None,
    clientCertificate: Optional[Any] = None,
    acceptableProtocols: Optional[Sequence[bytes]] = None,
    *,
    extraCertificateOptions: Optional[dict[str, Any]] = None,
) -> ClientTLSOptions:
    """
    Options for a TLS client connecting to C{hostname}: always verifies the server's
    chain (against C{trustRoot}) and that the certificate names C{hostname}, and
    sends it as SNI.

    @param hostname: the host (text; IDN and IP addresses allowed).
    @param trustRoot: the trusted authorities (C{trustRootFromCertificates}, a
        C{Certificate}); it I{replaces} platform trust.  Default: C{platformTrust()}.
    @param clientCertificate: a C{PrivateCertificate} to present when asked.
    @param acceptableProtocols: ALPN protocol names, most preferred first.
    @param extraCertificateOptions: more L{CertificateOptions} keyword arguments
        (not the ones above, nor C{verify}/C{caCerts}).
    @return: the connection creator.
    @raise TypeError: if C{hostname} is not text, or an extra option conflicts.
    @raise ValueError: if C{hostname} cannot be encoded.
    """
    if not isinstance(hostname, str):
        raise TypeError(f"optionsForClientTLS requires text for host names, not {hostname!r}")
    extra = dict(extraCertificateOptions or {})
    clash = _CLIENT_RESERVED.intersection(extra)
    if clash:
        raise TypeError(f"extraCertificateOptions may not set {sorted(clash)}")
    if trustRoot is None:
        trustRoot = platformTrust()
    if clientCertificate is not None:
        extra["privateKey"] = clientCertificate.privateKey
        extra["certificate"] = clientCertificate
    options = CertificateOptions(
        trustRoot=trustRoot, acceptableProtocols=acceptableProtocols, **extra
    )
    return ClientTLSOptions(hostname, options.getContext())

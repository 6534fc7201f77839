"""
TLS for netframe (Twisted's C{twisted.internet.ssl}).

Needs the C{tls} extra (pyOpenSSL and service-identity):
C{pip install netframe-core[tls]}; importing this module without them raises
C{ImportError} saying so.

Servers present a certificate::

    certificate = ssl.PrivateCertificate.loadPEM(pemBytes)   # key + certificate
    reactor.listenSSL(8000, factory, certificate.options())

Clients verify the server, always: L{optionsForClientTLS} checks the chain
against C{trustRoot} (default L{platformTrust}) and that the certificate names
the host (DNS names, IP addresses, IDN), and sends the name as SNI::

    options = ssl.optionsForClientTLS("example.com", ssl.Certificate.loadPEM(caPem))

TLS itself is L{TLSMemoryBIOProtocol}, a protocol layer over any stream transport
(TCP, UNIX sockets, in-memory test pairs, or C{startTLS} mid-connection);
L{TLSMemoryBIOFactory} wraps a factory with it.

Deliberately absent: Twisted's C{ClientContextFactory} (a client that verifies
nothing, so anyone on the path can read and change the traffic), SSLv2/SSLv3, NPN,
and C{FilePath} arguments (paths are C{str} or C{pathlib.Path}).
"""

from __future__ import annotations

try:
    import OpenSSL.SSL  # noqa: F401
    import service_identity  # noqa: F401
except ImportError as _e:
    raise ImportError(
        f"netframe.core.ssl needs pyOpenSSL and service-identity ({_e}): "
        "pip install netframe-core[tls]"
    ) from _e

from netframe.core._sslopts import (
    AcceptableCiphers,
    CertificateOptions,
    ClientTLSOptions,
    DiffieHellmanParameters,
    IOpenSSLTrustRoot,
    OpenSSLAcceptableCiphers,
    OpenSSLCertificateAuthorities,
    OpenSSLCertificateOptions,
    OpenSSLCipher,
    OpenSSLDefaultPaths,
    ProtocolNegotiationSupport,
    TLSVersion,
    VerificationError,
    optionsForClientTLS,
    platformTrust,
    protocolNegotiationMechanisms,
    trustRootFromCertificates,
)
from netframe.core._tls import TLSMemoryBIOFactory, TLSMemoryBIOProtocol
from netframe.core._tlscerts import (
    DN,
    FILETYPE_ASN1,
    FILETYPE_PEM,
    Certificate,
    CertificateRequest,
    DistinguishedName,
    KeyPair,
    PrivateCertificate,
    PublicKey,
)

#: pyOpenSSL is available (importing this module proves it).
supported = True

OpenSSLDiffieHellmanParameters = DiffieHellmanParameters

__all__ = [
    "DN",
    "FILETYPE_ASN1",
    "FILETYPE_PEM",
    "AcceptableCiphers",
    "Certificate",
    "CertificateOptions",
    "CertificateRequest",
    "ClientTLSOptions",
    "DiffieHellmanParameters",
    "DistinguishedName",
    "IOpenSSLTrustRoot",
    "KeyPair",
    "OpenSSLAcceptableCiphers",
    "OpenSSLCertificateAuthorities",
    "OpenSSLCertificateOptions",
    "OpenSSLCipher",
    "OpenSSLDefaultPaths",
    "OpenSSLDiffieHellmanParameters",
    "PrivateCertificate",
    "ProtocolNegotiationSupport",
    "PublicKey",
    "TLSMemoryBIOFactory",
    "TLSMemoryBIOProtocol",
    "TLSVersion",
    "VerificationError",
    "optionsForClientTLS",
    "platformTrust",
    "protocolNegotiationMechanisms",
    "supported",
    "trustRootFromCertificates",
]

for _name in (
    "CertificateOptions",
    "ClientTLSOptions",
    "DiffieHellmanParameters",
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
    "TLSMemoryBIOFactory",
    "TLSMemoryBIOProtocol",
    "Certificate",
    "CertificateRequest",
    "DistinguishedName",
    "KeyPair",
    "PrivateCertificate",
    "PublicKey",
):
    globals()[_name].__module__ = __name__
del _name

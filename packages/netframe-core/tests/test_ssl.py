"""
Tests for netframe.core.ssl's certificates, keys and options (CertificateOptions,
optionsForClientTLS, trust roots, ciphers, DH parameters, versions).
"""

from __future__ import annotations

import base64
import pathlib
import subprocess
import sys
from typing import Any

import pytest
from OpenSSL import SSL, crypto
from zope.interface.verify import verifyObject

from netframe.core import error, ssl
from netframe.core.interfaces import IAcceptableCiphers
from netframe.core.protocol import ClientFactory, Protocol
from netframe.core.testing import FakeTransport, connect


class _One(ClientFactory):
    """Builds one given protocol."""

    def __init__(self, protocol: Any) -> None:
        self.theProtocol = protocol

    def buildProtocol(self, addr: Any) -> Any:
        """Return the protocol."""
        return self.theProtocol


class Recorder(Protocol):
    """Records data and the reason of the end."""

    def __init__(self) -> None:
        self.data = b""
        self.reason: Any = None

    def dataReceived(self, data: bytes) -> None:
        """Record."""
        self.data += data

    def connectionLost(self, reason: Any = None) -> None:
        """Record."""
        self.reason = reason


def handshake(serverOptions: Any, clientOptions: Any) -> tuple[Any, Any, Recorder, Recorder]:
    """Connect in memory through TLS; return both TLS protocols and both recorders."""
    server, client = Recorder(), Recorder()
    serverTLS = ssl.TLSMemoryBIOFactory(serverOptions, False, _One(server)).buildProtocol(None)
    clientTLS = ssl.TLSMemoryBIOFactory(clientOptions, True, _One(client)).buildProtocol(None)
    connect(serverTLS, FakeTransport(serverTLS, True), clientTLS, FakeTransport(clientTLS, False))
    return serverTLS, clientTLS, server, client


def clientOptions(tlsCerts: Any, **extra: Any) -> Any:
    """Client options for example.com trusting the test CA."""
    return ssl.optionsForClientTLS(
        "example.com", tlsCerts.ca(), extraCertificateOptions=extra or None
    )


class ImportTests:
    """The tls extra is required."""

    def test_missingDependencyMessage(self) -> None:
        """Without pyOpenSSL, importing netframe.core.ssl says to install the tls extra."""
        code = (
            "import sys\n"
            "sys.modules['OpenSSL'] = None\n"
            "sys.modules['OpenSSL.SSL'] = None\n"
            "try:\n"
            "    import netframe.core.ssl\n"
            "except ImportError as e:\n"
            "    print(e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        assert "pip install netframe-core[tls]" in out

    def test_missingServiceIdentityMessage(self) -> None:
        """Without service-identity the message is the same."""
        code = (
            "import sys\n"
            "sys.modules['service_identity'] = None\n"
            "try:\n"
            "    import netframe.core.ssl\n"
            "except ImportError as e:\n"
            "    print(e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        assert "pip install netframe-core[tls]" in out

    def test_publicNames(self) -> None:
        """Public names live in netframe.core.ssl."""
        for name in ("CertificateOptions", "Certificate", "KeyPair", "TLSMemoryBIOProtocol"):
            assert getattr(ssl, name).__module__ == "netframe.core.ssl"
        assert ssl.supported is True
        assert ssl.DN is ssl.DistinguishedName


class KeyPairTests:
    """KeyPair generation, loading and dumping."""

    def test_rsaAtLimit(self) -> None:
        """A 2048-bit RSA key (the minimum) is generated."""
        key = ssl.KeyPair.generate(crypto.TYPE_RSA, 2048)
        assert key.original.bits() == 2048

    def test_rsaPastLimit(self) -> None:
        """A 2047-bit RSA key is refused."""
        with pytest.raises(ValueError, match="at least 2048"):
            ssl.KeyPair.generate(crypto.TYPE_RSA, 2047)

    def test_minimumOverridable(self) -> None:
        """MINIMUM_RSA_BITS is a class attribute a subclass may change."""

        class Legacy(ssl.KeyPair):
            MINIMUM_RSA_BITS = 1024

        assert Legacy.generate(crypto.TYPE_RSA, 1024).original.bits() == 1024

    def test_ecSizes(self) -> None:
        """EC keys come in 256/384/521 bits; other sizes and kinds are refused."""
        assert ssl.KeyPair.generate(crypto.TYPE_EC, 384).original.bits() == 384
        with pytest.raises(ValueError):
            ssl.KeyPair.generate(crypto.TYPE_EC, 255)
        with pytest.raises(ValueError, match="unsupported key kind"):
            ssl.KeyPair.generate(crypto.TYPE_DSA, 2048)

    def test_dumpLoadRoundTrip(self) -> None:
        """dump/load round-trip in PEM and DER, keeping the key."""
        key = ssl.KeyPair.generate(crypto.TYPE_EC, 256)
        for fmt in (ssl.FILETYPE_PEM, ssl.FILETYPE_ASN1):
            again = ssl.KeyPair.load(key.dump(fmt), fmt)
            assert again.matches(key)
            assert again.keyHash() == key.keyHash()
        assert key.dump(ssl.FILETYPE_PEM).startswith(b"-----BEGIN PRIVATE KEY-----")

    def test_loadGarbage(self) -> None:
        """Loading something that is not a key raises ValueError."""
        with pytest.raises(ValueError):
            ssl.KeyPair.load(b"not a key", ssl.FILETYPE_PEM)
        with pytest.raises(ValueError, match="unknown format"):
            ssl.KeyPair.load(b"", 99)


class CertificateTests:
    """Certificate and PrivateCertificate."""

    def test_selfSigned(self) -> None:
        """selfSignedCert names the subject, is its own issuer and carries a SAN."""
        key = ssl.KeyPair.generate(crypto.TYPE_EC, 256)
        cert = key.selfSignedCert(7, commonName="example.com", organizationName="Example")
        assert cert.getSubject().commonName == "example.com"
        assert cert.getSubject().O == "Example"
        assert cert.getIssuer() == cert.getSubject()
        assert cert.serialNumber() == 7
        assert cert.getPublicKey().matches(key)
        assert repr(cert) == "<PrivateCertificate Subject=example.com Issuer=example.com>"

    def test_pemRoundTrip(self) -> None:
        """loadPEM(dumpPEM()) gives an equal certificate; PrivateCertificate keeps its key."""
        cert = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(1, commonName="a.example")
        pem = cert.dumpPEM()
        private = ssl.PrivateCertificate.loadPEM(pem)
        public = ssl.Certificate.loadPEM(pem)
        assert private == cert and public == cert
        assert hash(public) == hash(cert)
        assert private.privateKey.matches(cert.privateKey)
        assert ssl.Certificate.load(public.dump()) == public

    def test_mismatchedKey(self) -> None:
        """Pairing a certificate with another key raises VerifyError."""
        cert = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(1, commonName="a")
        other = ssl.KeyPair.generate(crypto.TYPE_EC, 256)
        with pytest.raises(error.VerifyError):
            ssl.PrivateCertificate.fromCertificateAndKeyPair(cert, other)

    def test_digest(self) -> None:
        """digest() is the SHA-256 fingerprint by default."""
        cert = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(1, commonName="a")
        assert len(cert.digest()) == 32 * 3 - 1
        assert cert.digest("sha1").count(b":") == 19

    def test_wrapsOnlyCertificates(self) -> None:
        """Certificate() refuses objects that are not certificates."""
        with pytest.raises(TypeError):
            ssl.Certificate(b"pem")

    def test_signRequest(self) -> None:
        """A CA signs a request: issuer, subject, SAN and chain verification hold."""
        ca = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(1, commonName="CA")
        key = ssl.KeyPair.generate(crypto.TYPE_EC, 256)
        request = key.certificateRequest(ssl.DN(CN="svc.example"), ssl.FILETYPE_PEM)
        assert (
            ssl.CertificateRequest.load(request, ssl.FILETYPE_PEM).getSubject().CN == "svc.example"
        )
        results: list[bytes] = []
        ca.signCertificateRequest(
            request, lambda dn: True, 5, requestFormat=ssl.FILETYPE_PEM
        ).addCallback(results.append)
        leaf = key.newCertificate(results[0])
        assert leaf.getIssuer().commonName == "CA"
        store = crypto.X509Store()
        store.add_cert(ca.original)
        crypto.X509StoreContext(store, leaf.original).verify_certificate()

    def test_signRequestRefused(self) -> None:
        """A refusing DN callback fails the Deferred with VerifyError."""
        ca = ssl.KeyPair.generate(crypto.TYPE_EC, 256).selfSignedCert(1, commonName="CA")
        request = ssl.KeyPair.generate(crypto.TYPE_EC, 256).certificateRequest(ssl.DN(CN="x"))
        failures: list[Any] = []
        ca.signCertificateRequest(request, lambda dn: False, 5).addErrback(failures.append)
        assert failures[0].check(error.VerifyError)

    def test_insecureDigestRefused(self) -> None:
        """Signing with md5 or sha1 is refused."""
        key = ssl.KeyPair.generate(crypto.TYPE_EC, 256)
        with pytest.raises(ValueError, match="unsupported signature digest"):
            key.selfSignedCert(1, digestAlgorithm="sha1", commonName="a")


class DistinguishedNameTests:
    """DistinguishedName attribute access."""

    def test_longAndShortNames(self) -> None:
        """Long and short attribute names reach the same value; bytes are decoded."""
        dn = ssl.DistinguishedName(commonName=b"example.com", C="NZ")
        assert dn.CN == "example.com"
        assert dn.countryName == "NZ"
        dn.OU = "ops"
        assert dn["organizationalUnitName"] == "ops"
        assert (
            dn.inspect()
            == "Common Name: example.com\nOrganizational Unit Name: ops\nCountry Name: NZ"
        )

    def test_unknownAttribute(self) -> None:
        """Unknown or unset attributes raise AttributeError."""
        with pytest.raises(AttributeError):
            ssl.DistinguishedName(favouriteColour="blue")
        with pytest.raises(AttributeError):
            ssl.DistinguishedName().commonName


class OptionsTests:
    """CertificateOptions parameters."""

    def test_keyWithoutCertificate(self, tlsCerts: Any) -> None:
        """A key without a certificate (or the reverse) is refused."""
        with pytest.raises(ValueError, match="both"):
            ssl.CertificateOptions(privateKey=tlsCerts.leaf().privateKey)
        with pytest.raises(ValueError, match="both"):
            ssl.CertificateOptions(certificate=tlsCerts.leaf())

    def test_verifyNeedsTrust(self) -> None:
        """verify=True without trustRoot or caCerts is refused."""
        with pytest.raises(ValueError, match="trust"):
            ssl.CertificateOptions(verify=True)

    def test_caCertsNeedVerify(self, tlsCerts: Any) -> None:
        """caCerts without verify=True is refused; with it, the context verifies."""
        with pytest.raises(ValueError):
            ssl.CertificateOptions(caCerts=[tlsCerts.ca().original])
        options = ssl.CertificateOptions(verify=True, caCerts=[tlsCerts.ca().original])
        assert options.getContext().get_verify_mode() & SSL.VERIFY_PEER

    def test_badTrustRoot(self) -> None:
        """A trustRoot that is not an IOpenSSLTrustRoot is refused."""
        with pytest.raises(TypeError):
            ssl.CertificateOptions(trustRoot="/etc/ssl/certs")
        with pytest.raises(TypeError):
            ssl.trustRootFromCertificates(["pem"])  # type: ignore[list-item]

    def test_trustRootsProvideInterface(self, tlsCerts: Any) -> None:
        """platformTrust() and trustRootFromCertificates() provide IOpenSSLTrustRoot."""
        assert verifyObject(ssl.IOpenSSLTrustRoot, ssl.platformTrust())
        assert verifyObject(ssl.IOpenSSLTrustRoot, ssl.trustRootFromCertificates([tlsCerts.ca()]))

    def test_verifyDepthLimits(self) -> None:
        """verifyDepth 1 and MAXIMUM_VERIFY_DEPTH are accepted; 0 and one past are not."""
        ssl.CertificateOptions(verifyDepth=1)
        ssl.CertificateOptions(verifyDepth=ssl.CertificateOptions.MAXIMUM_VERIFY_DEPTH)
        with pytest.raises(ValueError):
            ssl.CertificateOptions(verifyDepth=0)
        with pytest.raises(ValueError):
            ssl.CertificateOptions(verifyDepth=ssl.CertificateOptions.MAXIMUM_VERIFY_DEPTH + 1)

    def test_contextIsCached(self) -> None:
        """getContext() returns the same context each time."""
        options = ssl.CertificateOptions()
        assert options.getContext() is options.getContext()

    def test_alpnNameLimits(self) -> None:
        """ALPN names of 255 bytes are accepted; 256 bytes, empty names or lists are not."""
        ssl.CertificateOptions(acceptableProtocols=[b"x" * 255])
        for bad in ([b"x" * 256], [b""], [], ["h2"]):
            with pytest.raises(ValueError):
                ssl.CertificateOptions(acceptableProtocols=bad)  # type: ignore[arg-type]  # ["h2"]: str

    def test_methodWithVersionsRefused(self) -> None:
        """method cannot be combined with version parameters; both minimums are refused."""
        with pytest.raises(TypeError):
            ssl.CertificateOptions(method=SSL.TLS_METHOD, raiseMinimumTo=ssl.TLSVersion.TLSv1_3)
        with pytest.raises(TypeError):
            ssl.CertificateOptions(
                raiseMinimumTo=ssl.TLSVersion.TLSv1_3,
                insecurelyLowerMinimumTo=ssl.TLSVersion.TLSv1_0,
            )
        with pytest.raises(ValueError):
            ssl.CertificateOptions(insecurelyLowerMinimumTo=ssl.TLSVersion.SSLv3)
        with pytest.raises(ValueError):
            ssl.CertificateOptions(
                raiseMinimumTo=ssl.TLSVersion.TLSv1_3,
                lowerMaximumSecurityTo=ssl.TLSVersion.TLSv1_2,
            )
        with pytest.raises(ValueError):
            ssl.CertificateOptions(method=12345)

    def test_tls12IsTheDefaultMinimum(self, tlsCerts: Any) -> None:
        """A client capped at TLS 1.1 cannot talk to a default server."""
        _serverTLS, clientTLS, _server, client = handshake(
            tlsCerts.leaf().options(),
            clientOptions(
                tlsCerts,
                insecurelyLowerMinimumTo=ssl.TLSVersion.TLSv1_0,
                lowerMaximumSecurityTo=ssl.TLSVersion.TLSv1_1,
            ),
        )
        assert not clientTLS._handshakeDone
        assert client.reason.check(SSL.Error)

    def test_defaultNegotiatesTLS13(self, tlsCerts: Any) -> None:
        """By default the newest version (TLS 1.3) is negotiated."""
        _serverTLS, clientTLS, _server, _client = handshake(
            tlsCerts.leaf().options(), clientOptions(tlsCerts)
        )
        assert clientTLS.getHandle().get_protocol_version_name() == "TLSv1.3"

    def test_lowerMaximum(self, tlsCerts: Any) -> None:
        """lowerMaximumSecurityTo=TLSv1_2 negotiates TLS 1.2 with a forward-secret AEAD."""
        _serverTLS, clientTLS, _server, _client = handshake(
            tlsCerts.leaf().options(),
            clientOptions(tlsCerts, lowerMaximumSecurityTo=ssl.TLSVersion.TLSv1_2),
        )
        connection = clientTLS.getHandle()
        assert connection.get_protocol_version_name() == "TLSv1.2"
        assert connection.get_cipher_name().startswith("ECDHE-")
        assert "GCM" in connection.get_cipher_name() or "CHACHA" in connection.get_cipher_name()

    def test_raiseMinimum(self, tlsCerts: Any) -> None:
        """A server requiring TLS 1.3 refuses a TLS 1.2 client."""
        leaf = tlsCerts.leaf()
        serverOptions = ssl.CertificateOptions(
            privateKey=leaf.privateKey, certificate=leaf, raiseMinimumTo=ssl.TLSVersion.TLSv1_3
        )
        _serverTLS, _clientTLS, server, _client = handshake(
            serverOptions, clientOptions(tlsCerts, lowerMaximumSecurityTo=ssl.TLSVersion.TLSv1_2)
        )
        assert server.reason.check(SSL.Error)

    def test_methodPinsVersion(self, tlsCerts: Any) -> None:
        """method=TLSv1_2_METHOD pins TLS 1.2."""
        leaf = tlsCerts.leaf()
        serverOptions = ssl.CertificateOptions(
            privateKey=leaf.privateKey, certificate=leaf, method=SSL.TLSv1_2_METHOD
        )
        _serverTLS, clientTLS, _server, _client = handshake(serverOptions, clientOptions(tlsCerts))
        assert clientTLS.getHandle().get_protocol_version_name() == "TLSv1.2"

    def test_extraCertChain(self, tlsCerts: Any) -> None:
        """An intermediate sent with extraCertChain lets a client trusting only the root verify."""
        root = tlsCerts.ca("root CA")
        intermediateKey = ssl.KeyPair.generate(crypto.TYPE_EC, 256)
        # An intermediate CA (KeyPair.signRequestObject issues leaves only).
        intermediate = tlsCerts._build(
            "intermediate CA",
            intermediateKey._key,
            "root CA",
            root.privateKey._key,
            True,
            (),
            (),
            *_validity(),
        )
        leaf = tlsCerts.leaf("example.com", issuer=intermediate)
        serverOptions = ssl.CertificateOptions(
            privateKey=leaf.privateKey, certificate=leaf, extraCertChain=[intermediate]
        )
        _serverTLS, clientTLS, _server, _client = handshake(
            serverOptions, ssl.optionsForClientTLS("example.com", root)
        )
        assert clientTLS._handshakeDone
        serverOptions = leaf.options()
        _serverTLS, clientTLS, _server, client = handshake(
            serverOptions, ssl.optionsForClientTLS("example.com", root)
        )
        assert "unable to get local issuer" in str(client.reason.value)


def _validity() -> tuple[Any, Any]:
    """Yesterday and in ten days."""
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=10)


class ClientOptionsTests:
    """optionsForClientTLS arguments."""

    def test_bytesHostnameRefused(self, tlsCerts: Any) -> None:
        """The host name must be text."""
        with pytest.raises(TypeError, match="text"):
            ssl.optionsForClientTLS(b"example.com", tlsCerts.ca())  # type: ignore[arg-type]

    def test_reservedExtraOptionsRefused(self, tlsCerts: Any) -> None:
        """extraCertificateOptions cannot override trust or identity."""
        with pytest.raises(TypeError, match="trustRoot"):
            ssl.optionsForClientTLS(
                "example.com", extraCertificateOptions={"trustRoot": ssl.platformTrust()}
            )

    def test_invalidHostname(self) -> None:
        """A host name that cannot be IDNA-encoded is refused."""
        with pytest.raises(ValueError, match="invalid host name"):
            ssl.optionsForClientTLS("a" * 64 + ".example")

    def test_repr(self, tlsCerts: Any) -> None:
        """The options name their host."""
        assert "example.com" in repr(ssl.optionsForClientTLS("example.com", tlsCerts.ca()))

    def test_certificateOptionsAsClient(self, tlsCerts: Any) -> None:
        """Certificate.options() is a getContext()-style client factory trusting it."""
        _serverTLS, clientTLS, _server, _client = handshake(
            tlsCerts.leaf().options(), tlsCerts.ca().options()
        )
        assert clientTLS._handshakeDone


class CipherTests:
    """Cipher policies."""

    def test_providesInterface(self) -> None:
        """OpenSSLAcceptableCiphers provides IAcceptableCiphers."""
        assert verifyObject(
            IAcceptableCiphers, ssl.OpenSSLAcceptableCiphers.fromOpenSSLCipherString("ECDHE+AESGCM")
        )

    def test_selectKeepsOurOrder(self) -> None:
        """selectCiphers keeps our order and drops what is not available."""
        a, b, c = (ssl.OpenSSLCipher(n) for n in ("A", "B", "C"))
        policy = ssl.AcceptableCiphers([c, a, b])
        assert policy.selectCiphers([a, b]) == (a, b)
        assert policy.selectCiphers([b, c, a]) == (c, a, b)

    def test_defaultIsForwardSecret(self) -> None:
        """The default TLS 1.2 suites are all ECDHE/DHE AEAD suites."""
        from netframe.core._sslopts import _defaultCipherPolicy

        names = [c.fullName for c in _defaultCipherPolicy()._ciphers]
        assert names
        assert all(n.startswith(("ECDHE-", "DHE-")) for n in names)
        assert not any("CBC" in n or n.endswith("SHA") for n in names)

    def test_noCipherSelected(self) -> None:
        """A policy selecting nothing available is refused."""
        with pytest.raises(ValueError, match="no available cipher"):
            ssl.CertificateOptions(
                acceptableCiphers=ssl.AcceptableCiphers([ssl.OpenSSLCipher("NOPE")])
            )

    def test_protocolNegotiation(self) -> None:
        """ALPN is supported (NPN never offered)."""
        assert ssl.protocolNegotiationMechanisms() == ssl.ProtocolNegotiationSupport.ALPN
        assert not ssl.protocolNegotiationMechanisms() & ssl.ProtocolNegotiationSupport.NPN


def _ffdhe2048() -> int:
    """The RFC 7919 ffdhe2048 prime, computed from its definition."""
    guard = 64
    scale = 1 << (1918 + guard)
    total, term, k = 0, scale, 0
    while term:
        total += term
        k += 1
        term //= k
    eFloor = total >> guard
    return 2**2048 - 2**1984 + (eFloor + 560316) * 2**64 - 1


def _derLength(n: int) -> bytes:
    """A DER length."""
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _derInteger(value: int) -> bytes:
    """A DER INTEGER (non-negative)."""
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + _derLength(len(raw)) + raw


def _dhParametersPEM(p: int, g: int) -> bytes:
    """PKCS#3 DHParameter (SEQUENCE of prime and base) as PEM."""
    body = _derInteger(p) + _derInteger(g)
    der = b"\x30" + _derLength(len(body)) + body
    lines = base64.encodebytes(der).replace(b"\n", b"")
    wrapped = b"\n".join(lines[i : i + 64] for i in range(0, len(lines), 64))
    return b"-----BEGIN DH PARAMETERS-----\n" + wrapped + b"\n-----END DH PARAMETERS-----\n"


class DiffieHellmanTests:
    """DiffieHellmanParameters.fromFile (T6)."""

    def test_dheWithParameters(self, tlsCerts: Any, tmp_path: pathlib.Path) -> None:
        """A DHE-only TLS 1.2 server works with parameters loaded from a pathlib.Path."""
        p = _ffdhe2048()
        assert pow(2, p - 1, p) == 1
        pem = _dhParametersPEM(p, 2)
        path = tmp_path / "dh_param_2048.pem"
        path.write_bytes(pem)
        # DHE suites authenticate with RSA keys.
        leaf = ssl.KeyPair.generate().selfSignedCert(1, commonName="example.com")
        serverOptions = ssl.CertificateOptions(
            privateKey=leaf.privateKey,
            certificate=leaf,
            dhParameters=ssl.DiffieHellmanParameters.fromFile(path),
            acceptableCiphers=ssl.AcceptableCiphers.fromOpenSSLCipherString("DHE+AESGCM"),
            method=SSL.TLSv1_2_METHOD,
        )
        _serverTLS, clientTLS, _server, _client = handshake(
            serverOptions, ssl.optionsForClientTLS("example.com", leaf)
        )
        assert clientTLS.getHandle().get_cipher_name().startswith("DHE-")

    def test_missingFile(self, tmp_path: pathlib.Path) -> None:
        """A missing parameters file is reported at once."""
        with pytest.raises(FileNotFoundError):
            ssl.DiffieHellmanParameters.fromFile(tmp_path / "nope.pem")

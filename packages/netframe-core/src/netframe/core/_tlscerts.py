"""
Certificates, keys, requests and distinguished names for TLS.

Implementation module of L{netframe.core.ssl}; import the names from there.

The objects wrap pyOpenSSL's (C{original} is an C{OpenSSL.crypto.X509} or C{PKey},
as pyOpenSSL's connection API wants) and do their work with C{cryptography}.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from OpenSSL import crypto

from netframe.core import error
from netframe.core.defer import Deferred, maybeDeferred

if TYPE_CHECKING:
    from netframe.core._sslopts import CertificateOptions

__all__ = [
    "Certificate",
    "CertificateRequest",
    "DistinguishedName",
    "KeyPair",
    "PrivateCertificate",
    "PublicKey",
]

#: Encodings understood by C{load}/C{dump} (pyOpenSSL's constants).
FILETYPE_PEM: int = crypto.FILETYPE_PEM
FILETYPE_ASN1: int = crypto.FILETYPE_ASN1

#: Default lifetime of certificates we sign: one year.
_DEFAULT_EXPIRY = 60 * 60 * 24 * 365

_NAMES: dict[str, Any] = {
    "commonName": NameOID.COMMON_NAME,
    "organizationName": NameOID.ORGANIZATION_NAME,
    "organizationalUnitName": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "localityName": NameOID.LOCALITY_NAME,
    "stateOrProvinceName": NameOID.STATE_OR_PROVINCE_NAME,
    "countryName": NameOID.COUNTRY_NAME,
    "emailAddress": NameOID.EMAIL_ADDRESS,
}
_SHORT: dict[str, str] = {
    "CN": "commonName",
    "O": "organizationName",
    "OU": "organizationalUnitName",
    "L": "localityName",
    "ST": "stateOrProvinceName",
    "C": "countryName",
}
_LABELS: dict[str, str] = {
    "commonName": "Common Name",
    "organizationName": "Organization Name",
    "organizationalUnitName": "Organizational Unit Name",
    "localityName": "Locality Name",
    "stateOrProvinceName": "State Or Province Name",
    "countryName": "Country Name",
    "emailAddress": "Email Address",
}
_OID_TO_NAME = {oid: name for name, oid in _NAMES.items()}


def _canonical(name: str) -> str:
    """
    @param name: a long (C{commonName}) or short (C{CN}) attribute name.
    @return: the long name.
    @raise AttributeError: if the name is not a distinguished-name attribute.
    """
    if name in _NAMES:
        return name
    try:
        return _SHORT[name]
    except KeyError:
        raise AttributeError(f"{name!r} is not a distinguished name attribute") from None


def _text(value: Union[str, bytes]) -> str:
    """
    @param value: text, or UTF-8 bytes.
    @return: the text.
    @raise TypeError: for anything else.
    """
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    raise TypeError(f"distinguished name values are text, not {type(value).__name__}")


def _digest(name: str) -> Union[hashes.SHA256, hashes.SHA384, hashes.SHA512]:
    """
    @param name: a hash name such as C{"sha256"}.
    @return: the C{cryptography} hash.
    @raise ValueError: for an unknown or insecure (md5, sha1) name.
    """
    table: dict[str, type[Union[hashes.SHA256, hashes.SHA384, hashes.SHA512]]] = {
        "sha256": hashes.SHA256,
        "sha384": hashes.SHA384,
        "sha512": hashes.SHA512,
    }
    try:
        return table[name.lower()]()
    except KeyError:
        raise ValueError(
            f"unsupported signature digest {name!r}: use one of {sorted(table)}"
        ) from None


def _pemOrDer(data: Union[bytes, str], format: int) -> bytes:
    """
    @param data: the encoded object.
    @param format: C{FILETYPE_PEM} or C{FILETYPE_ASN1}.
    @return: C{data} as bytes.
    @raise ValueError: for an unknown format.
    """
    if format not in (FILETYPE_PEM, FILETYPE_ASN1):
        raise ValueError(f"unknown format {format!r}: use FILETYPE_PEM or FILETYPE_ASN1")
    return data.encode("ascii") if isinstance(data, str) else bytes(data)


def _subjectAltNames(commonName: Optional[str]) -> Optional[x509.SubjectAlternativeName]:
    """
    @param commonName: a host name or IP address, or C{None}.
    @return: a subjectAltName naming it, or C{None}.
    """
    if not commonName:
        return None
    try:
        return x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(commonName))])
    except ValueError:
        return x509.SubjectAlternativeName([x509.DNSName(commonName)])


class DistinguishedName(dict[str, str]):
    """
    The name of a certificate's subject or issuer, as a dictionary with attribute
    access.

    Attributes (long or short spelling): C{commonName} (C{CN}),
    C{organizationName} (C{O}), C{organizationalUnitName} (C{OU}),
    C{localityName} (C{L}), C{stateOrProvinceName} (C{ST}), C{countryName}
    (C{C}), C{emailAddress}.  Values are text (UTF-8 bytes are decoded).
    Reading an attribute that is not set raises C{AttributeError}.
    """

    __slots__ = ()

    def __init__(self, **kw: Union[str, bytes]) -> None:
        """
        @param kw: attribute values, e.g. C{commonName="example.com"}.
        @raise AttributeError: for an unknown attribute name.
        @raise TypeError: for a value that is not text or bytes.
        """
        super().__init__()
        for name, value in kw.items():
            self[_canonical(name)] = _text(value)

    def __getattr__(self, name: str) -> str:
        """
        @param name: an attribute name.
        @return: its value.
        @raise AttributeError: if unknown or not set.
        """
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[_canonical(name)]
        except KeyError:
            raise AttributeError(f"distinguished name has no {name!r}") from None

    def __setattr__(self, name: str, value: Union[str, bytes]) -> None:
        """
        @param name: an attribute name.
        @param value: its new value.
        @raise AttributeError: for an unknown attribute name.
        """
        self[_canonical(name)] = _text(value)

    def inspect(self) -> str:
        """
        @return: one C{Label: value} line per attribute set.
        """
        return "\n".join(f"{_LABELS[name]}: {self[name]}" for name in _NAMES if name in self)

    def _toName(self) -> x509.Name:
        """
        @return: the C{cryptography} name.
        """
        return x509.Name(
            [x509.NameAttribute(_NAMES[name], self[name]) for name in _NAMES if name in self]
        )

    @classmethod
    def _fromName(cls, name: x509.Name) -> DistinguishedName:
        """
        @param name: a C{cryptography} name.
        @return: its known attributes.
        """
        result = cls()
        for attribute in name:
            key = _OID_TO_NAME.get(attribute.oid)
            if key is not None:
                value = attribute.value
                result[key] = value if isinstance(value, str) else value.decode("utf-8", "replace")
        return result


DN = DistinguishedName


class PublicKey:
    """
    A public key.

    @ivar original: the C{OpenSSL.crypto.PKey}.
    """

    def __init__(self, original: Any) -> None:
        """
        @param original: an C{OpenSSL.crypto.PKey} or a C{cryptography} key.
        """
        if isinstance(original, crypto.PKey):
            self.original = original
            self._key: Any = original.to_cryptography_key()
        else:
            self._key = original
            self.original = crypto.PKey.from_cryptography_key(original)

    def _publicKey(self) -> Any:
        """
        @return: the C{cryptography} public key.
        """
        key = self._key
        return key.public_key() if hasattr(key, "public_key") else key

    def _spki(self) -> bytes:
        """
        @return: the DER SubjectPublicKeyInfo.
        """
        return bytes(
            self._publicKey().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def matches(self, otherKey: PublicKey) -> bool:
        """
        @param otherKey: another key.
        @return: whether both have the same public part.
        """
        return self._spki() == otherKey._spki()

    def keyHash(self) -> str:
        """
        @return: the hex SHA-256 of the public key (SubjectPublicKeyInfo DER).
        """
        return hashlib.sha256(self._spki()).hexdigest()

    def __repr__(self) -> str:
        """
        @return: C{<PublicKey KEYHASH>}.
        """
        return f"<{type(self).__name__} {self.keyHash()}>"


class KeyPair(PublicKey):
    """
    A private key (and so its public key).

    @cvar MINIMUM_RSA_BITS: the smallest RSA key L{generate} makes.
    """

    MINIMUM_RSA_BITS = 2048

    @classmethod
    def generate(cls, kind: int = crypto.TYPE_RSA, size: int = 2048) -> KeyPair:
        """
        Generate a new key.

        @param kind: C{OpenSSL.crypto.TYPE_RSA} or C{TYPE_EC}.
        @param size: bits: at least L{MINIMUM_RSA_BITS} for RSA; 256, 384 or 521
            (the NIST curve) for EC.
        @return: the key pair.
        @raise ValueError: for a weak size or an unsupported kind.
        """
        if kind == crypto.TYPE_RSA:
            if size < cls.MINIMUM_RSA_BITS:
                raise ValueError(
                    f"RSA keys of {size} bits are too weak: at least {cls.MINIMUM_RSA_BITS}"
                )
            return cls(rsa.generate_private_key(public_exponent=65537, key_size=size))
        if kind == crypto.TYPE_EC:
            curves: dict[int, ec.EllipticCurve] = {
                256: ec.SECP256R1(),
                384: ec.SECP384R1(),
                521: ec.SECP521R1(),
            }
            if size not in curves:
                raise ValueError(f"EC keys are 256, 384 or 521 bits, not {size}")
            return cls(ec.generate_private_key(curves[size]))
        raise ValueError(f"unsupported key kind {kind!r}: use TYPE_RSA or TYPE_EC")

    @classmethod
    def load(cls, data: Union[bytes, str], format: int = FILETYPE_ASN1) -> KeyPair:
        """
        @param data: an unencrypted private key.
        @param format: C{FILETYPE_PEM} or C{FILETYPE_ASN1}.
        @return: the key pair.
        @raise ValueError: if C{data} is not a private key in that format.
        """
        raw = _pemOrDer(data, format)
        if format == FILETYPE_PEM:
            key = serialization.load_pem_private_key(raw, password=None)
        else:
            key = serialization.load_der_private_key(raw, password=None)
        return cls(key)

    @classmethod
    def loadPEM(cls, data: Union[bytes, str]) -> KeyPair:
        """
        @param data: a PEM private key (other PEM blocks are ignored).
        @return: the key pair.
        @raise ValueError: if there is no private key.
        """
        return cls.load(data, FILETYPE_PEM)

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: C{FILETYPE_PEM} or C{FILETYPE_ASN1}.
        @return: the private key, unencrypted (PKCS#8).
        @raise ValueError: for an unknown format.
        """
        _pemOrDer(b"", format)
        encoding = (
            serialization.Encoding.PEM if format == FILETYPE_PEM else serialization.Encoding.DER
        )
        return bytes(
            self._key.private_bytes(
                encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    def requestObject(
        self, distinguishedName: DistinguishedName, digestAlgorithm: str = "sha256"
    ) -> CertificateRequest:
        """
        Make a certificate signing request for this key.

        A C{commonName} that is a host name or IP address is also requested as the
        subjectAltName (what TLS clients check).

        @param distinguishedName: the subject.
        @param digestAlgorithm: the signature hash.
        @return: the request.
        @raise ValueError: for an unsupported digest.
        """
        builder = x509.CertificateSigningRequestBuilder().subject_name(distinguishedName._toName())
        san = _subjectAltNames(distinguishedName.get("commonName"))
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return CertificateRequest(builder.sign(self._key, _digest(digestAlgorithm)))

    def certificateRequest(
        self,
        distinguishedName: DistinguishedName,
        format: int = FILETYPE_ASN1,
        digestAlgorithm: str = "sha256",
    ) -> bytes:
        """
        @param distinguishedName: the subject.
        @param format: the encoding of the result.
        @param digestAlgorithm: the signature hash.
        @return: an encoded certificate signing request (see L{requestObject}).
        """
        return self.requestObject(distinguishedName, digestAlgorithm).dump(format)

    def signRequestObject(
        self,
        issuerDistinguishedName: DistinguishedName,
        requestObject: CertificateRequest,
        serialNumber: int,
        secondsToExpiry: int = _DEFAULT_EXPIRY,
        digestAlgorithm: str = "sha256",
    ) -> Certificate:
        """
        Sign a request with this key, as the authority C{issuerDistinguishedName}.

        The certificate is valid from now for C{secondsToExpiry} seconds, is not a CA,
        and carries the request's subjectAltName (or one made from its C{commonName}).

        @param issuerDistinguishedName: the issuer (our certificate's subject).
        @param requestObject: the request.
        @param serialNumber: the certificate's serial number (positive).
        @param secondsToExpiry: the validity period.
        @param digestAlgorithm: the signature hash.
        @return: the certificate.
        @raise ValueError: for a bad serial number or digest.
        """
        request = requestObject.original
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(request.subject)
            .issuer_name(issuerDistinguishedName._toName())
            .public_key(request.public_key())
            .serial_number(serialNumber)
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(seconds=secondsToExpiry))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        try:
            san: Any = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            names = requestObject.getSubject()
            san = _subjectAltNames(names.get("commonName"))
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return Certificate(builder.sign(self._key, _digest(digestAlgorithm)))

    def signCertificateRequest(
        self,
        issuerDistinguishedName: DistinguishedName,
        requestData: bytes,
        verifyDNCallback: Callable[[DistinguishedName], Any],
        serialNumber: int,
        requestFormat: int = FILETYPE_ASN1,
        certificateFormat: int = FILETYPE_ASN1,
        secondsToExpiry: int = _DEFAULT_EXPIRY,
        digestAlgorithm: str = "sha256",
    ) -> Deferred[bytes]:
        """
        Sign an encoded request once C{verifyDNCallback} approves its subject.

        @param issuerDistinguishedName: the issuer.
        @param requestData: the encoded request.
        @param verifyDNCallback: called with the subject; returns (or fires with) a
            true value to approve.
        @param serialNumber: the certificate's serial number.
        @param requestFormat: the encoding of C{requestData}.
        @param certificateFormat: the encoding of the result.
        @param secondsToExpiry: the validity period.
        @param digestAlgorithm: the signature hash.
        @return: a Deferred firing with the encoded certificate, or failing with
            C{VerifyError} if the callback refused.
        """
        request = CertificateRequest.load(requestData, requestFormat)
        subject = request.getSubject()

        def verified(ok: Any) -> bytes:
            if not ok:
                raise error.VerifyError(f"distinguished name {subject!r} was refused")
            return self.signRequestObject(
                issuerDistinguishedName, request, serialNumber, secondsToExpiry, digestAlgorithm
            ).dump(certificateFormat)

        return maybeDeferred(verifyDNCallback, subject).addCallback(verified)

    def selfSignedCert(
        self, serialNumber: int, digestAlgorithm: str = "sha256", **kw: Union[str, bytes]
    ) -> PrivateCertificate:
        """
        Make a self-signed certificate for this key, valid for a year from now.

        It may act as a certificate authority (basicConstraints CA:TRUE); a
        C{commonName} that is a host name or IP address is also its subjectAltName.

        @param serialNumber: the serial number.
        @param digestAlgorithm: the signature hash.
        @param kw: the subject's attributes (see L{DistinguishedName}).
        @return: the certificate with this key.
        """
        name = DistinguishedName(**kw)
        subject = name._toName()
        now = datetime.datetime.now(datetime.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self._publicKey())
            .serial_number(serialNumber)
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(seconds=_DEFAULT_EXPIRY))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        )
        san = _subjectAltNames(name.get("commonName"))
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        certificate = builder.sign(self._key, _digest(digestAlgorithm))
        return PrivateCertificate.fromCertificateAndKeyPair(Certificate(certificate), self)

    def newCertificate(
        self, newCertData: Union[bytes, str], format: int = FILETYPE_ASN1
    ) -> PrivateCertificate:
        """
        @param newCertData: an encoded certificate for this key.
        @param format: its encoding.
        @return: the certificate with this key.
        @raise error.VerifyError: if the certificate is for another key.
        """
        return PrivateCertificate.load(newCertData, self, format)


class CertificateRequest:
    """
    A certificate signing request.

    @ivar original: the C{cryptography} C{CertificateSigningRequest}.
    """

    def __init__(self, original: x509.CertificateSigningRequest) -> None:
        """
        @param original: the request.
        """
        self.original = original

    @classmethod
    def load(
        cls, requestData: Union[bytes, str], format: int = FILETYPE_ASN1
    ) -> CertificateRequest:
        """
        @param requestData: the encoded request.
        @param format: its encoding.
        @return: the request.
        @raise ValueError: if it is not a request, or its signature is invalid.
        """
        raw = _pemOrDer(requestData, format)
        if format == FILETYPE_PEM:
            request = x509.load_pem_x509_csr(raw)
        else:
            request = x509.load_der_x509_csr(raw)
        if not request.is_signature_valid:
            raise ValueError("the certificate request's signature is invalid")
        return cls(request)

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: the encoding.
        @return: the encoded request.
        """
        _pemOrDer(b"", format)
        encoding = (
            serialization.Encoding.PEM if format == FILETYPE_PEM else serialization.Encoding.DER
        )
        return bytes(self.original.public_bytes(encoding))

    def getSubject(self) -> DistinguishedName:
        """
        @return: the requested subject.
        """
        return DistinguishedName._fromName(self.original.subject)


class Certificate:
    """
    An X.509 certificate.

    @ivar original: the C{OpenSSL.crypto.X509}.
    """

    def __init__(self, original: Any) -> None:
        """
        @param original: an C{OpenSSL.crypto.X509} (as C{getPeerCertificate()}
            returns) or a C{cryptography} certificate.
        @raise TypeError: for anything else.
        """
        if isinstance(original, crypto.X509):
            self.original = original
            self._certificate = original.to_cryptography()
        elif isinstance(original, x509.Certificate):
            self._certificate = original
            self.original = crypto.X509.from_cryptography(original)
        else:
            raise TypeError(f"a certificate wraps an OpenSSL.crypto.X509, not {original!r}")

    def __repr__(self) -> str:
        """
        @return: C{<Certificate Subject=CN Issuer=CN>}.
        """
        subject = self.getSubject().get("commonName", "")
        issuer = self.getIssuer().get("commonName", "")
        return f"<{type(self).__name__} Subject={subject} Issuer={issuer}>"

    def __eq__(self, other: object) -> bool:
        """
        @param other: another object.
        @return: whether it is a certificate with the same DER encoding.
        """
        if not isinstance(other, Certificate):
            return NotImplemented
        return self.dump() == other.dump()

    def __hash__(self) -> int:
        """
        @return: a hash of the DER encoding.
        """
        return hash(self.dump())

    @classmethod
    def load(cls, requestData: Union[bytes, str], format: int = FILETYPE_ASN1) -> Any:
        """
        @param requestData: an encoded certificate.
        @param format: C{FILETYPE_PEM} or C{FILETYPE_ASN1}.
        @return: the certificate.
        @raise ValueError: if C{requestData} is not a certificate in that format.
        """
        raw = _pemOrDer(requestData, format)
        if format == FILETYPE_PEM:
            return cls(x509.load_pem_x509_certificate(raw))
        return cls(x509.load_der_x509_certificate(raw))

    @classmethod
    def loadPEM(cls, data: Union[bytes, str]) -> Any:
        """
        @param data: PEM text with a certificate (the first one is used).
        @return: the certificate.
        @raise ValueError: if there is no certificate.
        """
        return cls.load(data, FILETYPE_PEM)

    @classmethod
    def peerFromTransport(cls, transport: Any) -> Certificate:
        """
        @param transport: a TLS transport.
        @return: the peer's certificate.
        @raise error.CertificateError: if the peer sent none.
        """
        x = transport.getHandle().get_peer_certificate()
        if x is None:
            raise error.CertificateError("the TLS peer sent no certificate")
        return cls(x)

    @classmethod
    def hostFromTransport(cls, transport: Any) -> Certificate:
        """
        @param transport: a TLS transport.
        @return: our own certificate on it.
        @raise error.CertificateError: if we have none.
        """
        x = transport.getHandle().get_certificate()
        if x is None:
            raise error.CertificateError("this TLS connection has no certificate of ours")
        return cls(x)

    def dump(self, format: int = FILETYPE_ASN1) -> bytes:
        """
        @param format: C{FILETYPE_PEM} or C{FILETYPE_ASN1}.
        @return: the encoded certificate.
        """
        _pemOrDer(b"", format)
        encoding = (
            serialization.Encoding.PEM if format == FILETYPE_PEM else serialization.Encoding.DER
        )
        return bytes(self._certificate.public_bytes(encoding))

    def dumpPEM(self) -> bytes:
        """
        @return: the PEM certificate.
        """
        return self.dump(FILETYPE_PEM)

    def getSubject(self) -> DistinguishedName:
        """
        @return: the subject's name.
        """
        return DistinguishedName._fromName(self._certificate.subject)

    def getIssuer(self) -> DistinguishedName:
        """
        @return: the issuer's name.
        """
        return DistinguishedName._fromName(self._certificate.issuer)

    def serialNumber(self) -> int:
        """
        @return: the serial number.
        """
        return int(self._certificate.serial_number)

    def digest(self, method: str = "sha256") -> bytes:
        """
        @param method: a hash name (C{"sha256"}, C{"sha1"}...).
        @return: the fingerprint of the DER encoding, as C{b"AB:CD:..."}.
        @raise ValueError: for an unknown hash.
        """
        return bytes(self.original.digest(method))

    def getPublicKey(self) -> PublicKey:
        """
        @return: the certified public key.
        """
        return PublicKey(self._certificate.public_key())

    def options(self, *authorities: Certificate) -> CertificateOptions:
        """
        Client options trusting only C{authorities} (or this certificate), without a
        host name check; prefer L{optionsForClientTLS<netframe.core.ssl.optionsForClientTLS>}.

        @param authorities: the trusted certificates.
        @return: the options.
        """
        from netframe.core._sslopts import CertificateOptions, trustRootFromCertificates

        return CertificateOptions(trustRoot=trustRootFromCertificates(list(authorities) or [self]))


class PrivateCertificate(Certificate):
    """
    A certificate together with its private key: a TLS server's (or client's) identity.

    @ivar privateKey: the L{KeyPair}.
    """

    privateKey: KeyPair

    def __repr__(self) -> str:
        """
        @return: C{<PrivateCertificate Subject=... Issuer=...>}.
        """
        return Certificate.__repr__(self)

    def _setPrivateKey(self, privateKey: KeyPair) -> PrivateCertificate:
        """
        @param privateKey: the key.
        @return: self.
        @raise error.VerifyError: if the key is not the certificate's.
        """
        if not privateKey.matches(self.getPublicKey()):
            raise error.VerifyError("the certificate's public key does not match the private key")
        self.privateKey = privateKey
        return self

    @classmethod
    def load(  # type: ignore[override]
        cls, data: Union[bytes, str], privateKey: KeyPair, format: int = FILETYPE_ASN1
    ) -> PrivateCertificate:
        """
        @param data: the encoded certificate.
        @param privateKey: its key.
        @param format: the encoding.
        @return: the certificate with its key.
        @raise error.VerifyError: if the key does not match.
        """
        certificate = Certificate.load(data, format)
        return cls(certificate.original)._setPrivateKey(privateKey)

    @classmethod
    def loadPEM(cls, data: Union[bytes, str]) -> PrivateCertificate:
        """
        @param data: PEM text holding the private key and the certificate.
        @return: the certificate with its key.
        @raise ValueError: if either is missing.
        @raise error.VerifyError: if they do not match.
        """
        return cls.load(data, KeyPair.load(data, FILETYPE_PEM), FILETYPE_PEM)

    @classmethod
    def fromCertificateAndKeyPair(
        cls, certificateInstance: Certificate, privateKey: KeyPair
    ) -> PrivateCertificate:
        """
        @param certificateInstance: the certificate.
        @param privateKey: its key.
        @return: both together.
        @raise error.VerifyError: if the key does not match.
        """
        return cls(certificateInstance.original)._setPrivateKey(privateKey)

    def dumpPEM(self) -> bytes:
        """
        @return: the PEM certificate followed by the PEM private key.
        """
        return self.dump(FILETYPE_PEM) + self.privateKey.dump(FILETYPE_PEM)

    def getPrivateKey(self) -> KeyPair:
        """
        @return: the key.
        """
        return self.privateKey

    def options(self, *authorities: Certificate) -> CertificateOptions:
        """
        Server options presenting this certificate.

        With C{authorities}, clients must present a certificate issued by one of them
        (the handshake fails otherwise).

        @param authorities: the certificate authorities trusted for client
            certificates.
        @return: the options.
        """
        from netframe.core._sslopts import CertificateOptions, trustRootFromCertificates

        if not authorities:
            return CertificateOptions(privateKey=self.privateKey, certificate=self)
        return CertificateOptions(
            privateKey=self.privateKey,
            certificate=self,
            trustRoot=trustRootFromCertificates(list(authorities)),
            requireCertificate=True,
        )

    def certificateRequest(
        self, format: int = FILETYPE_ASN1, digestAlgorithm: str = "sha256"
    ) -> bytes:
        """
        @param format: the encoding.
        @param digestAlgorithm: the signature hash.
        @return: a request for a new certificate with this subject and key.
        """
        return self.privateKey.certificateRequest(self.getSubject(), format, digestAlgorithm)

    def signRequestObject(
        self,
        requestObject: CertificateRequest,
        serialNumber: int,
        secondsToExpiry: int = _DEFAULT_EXPIRY,
        digestAlgorithm: str = "sha256",
    ) -> Certificate:
        """
        Sign a request as this certificate's subject.

        @param requestObject: the request.
        @param serialNumber: the serial number.
        @param secondsToExpiry: the validity period.
        @param digestAlgorithm: the signature hash.
        @return: the certificate.
        """
        return self.privateKey.signRequestObject(
            self.getSubject(), requestObject, serialNumber, secondsToExpiry, digestAlgorithm
        )

    def signCertificateRequest(
        self,
        requestData: bytes,
        verifyDNCallback: Callable[[DistinguishedName], Any],
        serialNumber: int,
        requestFormat: int = FILETYPE_ASN1,
        certificateFormat: int = FILETYPE_ASN1,
    ) -> Deferred[bytes]:
        """
        Sign an encoded request as this certificate's subject (see
        L{KeyPair.signCertificateRequest}).

        @param requestData: the encoded request.
        @param verifyDNCallback: approves the subject.
        @param serialNumber: the serial number.
        @param requestFormat: the encoding of C{requestData}.
        @param certificateFormat: the encoding of the result.
        @return: a Deferred firing with the encoded certificate.
        """
        return self.privateKey.signCertificateRequest(
            self.getSubject(),
            requestData,
            verifyDNCallback,
            serialNumber,
            requestFormat,
            certificateFormat,
        )

"""
Shared fixtures of netframe-core's tests.

``tlsCerts``: makes certificate authorities and leaf certificates in memory (no private
key is ever committed), including deliberately bad ones (expired, not yet valid,
self-signed, without subjectAltName) for the TLS tests.

``recordingProducer``: the class of a push producer that records the calls it gets, for
the tests of transports pacing producers.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Sequence
from typing import Any, Optional

import pytest
from zope.interface import implementer

from netframe.core.interfaces import IPushProducer

_ONE_DAY = datetime.timedelta(days=1)


class CertMaker:
    """
    Makes ``netframe.core.ssl.PrivateCertificate`` objects with ``cryptography``.

    Keys are EC P-256 (fast to make).  ``ca()`` and ``leaf(...)`` are cached by their
    arguments, so tests share the common ones.
    """

    def __init__(self) -> None:
        """Start with an empty cache."""
        self._cache: dict[Any, Any] = {}

    def _key(self) -> Any:
        """
        :return: a new EC private key.
        """
        from cryptography.hazmat.primitives.asymmetric import ec

        return ec.generate_private_key(ec.SECP256R1())

    def _build(
        self,
        subject: str,
        key: Any,
        issuerName: Optional[str],
        issuerKey: Any,
        isCA: bool,
        dnsNames: Sequence[str],
        ipAddresses: Sequence[str],
        notBefore: datetime.datetime,
        notAfter: datetime.datetime,
    ) -> Any:
        """
        :return: a ``PrivateCertificate`` made to the given specification.
        """
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.x509.oid import NameOID

        from netframe.core import ssl

        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
        issuer = (
            name
            if issuerName is None
            else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuerName)])
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(notBefore)
            .not_valid_after(notAfter)
            .add_extension(x509.BasicConstraints(ca=isCA, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if isCA:
            builder = builder.add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        if issuerKey is not key:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuerKey.public_key()),
                critical=False,
            )
        names: list[Any] = [x509.DNSName(n) for n in dnsNames]
        names += [x509.IPAddress(ipaddress.ip_address(a)) for a in ipAddresses]
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        certificate = builder.sign(issuerKey, hashes.SHA256())
        return ssl.PrivateCertificate.fromCertificateAndKeyPair(
            ssl.Certificate(certificate), ssl.KeyPair(key)
        )

    def ca(self, commonName: str = "netframe test CA") -> Any:
        """
        :param commonName: the authority's name (one authority per name).
        :return: a self-signed CA ``PrivateCertificate``.
        """
        cacheKey = ("ca", commonName)
        if cacheKey not in self._cache:
            key = self._key()
            now = datetime.datetime.now(datetime.UTC)
            self._cache[cacheKey] = self._build(
                commonName, key, None, key, True, (), (), now - _ONE_DAY, now + 30 * _ONE_DAY
            )
        return self._cache[cacheKey]

    def leaf(
        self,
        commonName: str = "example.com",
        dnsNames: Optional[Sequence[str]] = None,
        ipAddresses: Sequence[str] = (),
        issuer: Optional[Any] = None,
        selfSigned: bool = False,
        validFrom: float = -1.0,
        validUntil: float = 30.0,
    ) -> Any:
        """
        :param commonName: the subject's common name.
        :param dnsNames: the DNS subjectAltNames (default: ``[commonName]``; ``()`` for
            none).
        :param ipAddresses: the IP address subjectAltNames.
        :param issuer: the signing CA (default :meth:`ca`).
        :param selfSigned: sign with its own key instead.
        :param validFrom: start of validity, in days from now.
        :param validUntil: end of validity, in days from now.
        :return: the ``PrivateCertificate``.
        """
        dns = tuple([commonName] if dnsNames is None else dnsNames)
        cacheKey = (
            "leaf",
            commonName,
            dns,
            tuple(ipAddresses),
            id(issuer),
            selfSigned,
            validFrom,
            validUntil,
        )
        if cacheKey not in self._cache:
            key = self._key()
            now = datetime.datetime.now(datetime.UTC)
            if selfSigned:
                issuerName, issuerKey = None, key
            else:
                authority = issuer if issuer is not None else self.ca()
                issuerName = authority.getSubject().commonName
                issuerKey = authority.privateKey._key
            self._cache[cacheKey] = self._build(
                commonName,
                key,
                issuerName,
                issuerKey,
                False,
                dns,
                ipAddresses,
                now + validFrom * _ONE_DAY,
                now + validUntil * _ONE_DAY,
            )
        return self._cache[cacheKey]


@pytest.fixture(scope="session")
def tlsCerts() -> CertMaker:
    """
    :return: the session's certificate maker (needs the ``tls`` extra).
    """
    return CertMaker()


@implementer(IPushProducer)
class RecordingProducer:
    """A push producer recording, in order, the calls it gets."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def pauseProducing(self) -> None:
        """Record "pause"."""
        self.calls.append("pause")

    def resumeProducing(self) -> None:
        """Record "resume"."""
        self.calls.append("resume")

    def stopProducing(self) -> None:
        """Record "stop"."""
        self.calls.append("stop")


@pytest.fixture
def recordingProducer() -> type[RecordingProducer]:
    """The L{RecordingProducer} class (test modules cannot import each other)."""
    return RecordingProducer

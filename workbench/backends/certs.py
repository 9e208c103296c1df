"""Throwaway self-signed TLS certificates for the local Log Analytics emulator.

The emulator serves https because azure-core's bearer-token policy refuses to
send a token over plain http. The certificate is valid for `127.0.0.1` and
`localhost` only, lives for one day, and its key is written with mode 0600 into
a folder the caller deletes when the emulator stops. Clients trust it by passing
the certificate file as `connection_verify` (the `ca_bundle` workspace setting).
"""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

CERT_FILE_NAME = "emulator-cert.pem"
KEY_FILE_NAME = "emulator-key.pem"


def write_self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Generate an EC key and a self-signed certificate for 127.0.0.1 in `folder`.

    Returns (certificate path, key path). The certificate doubles as its own CA,
    so the certificate path is what a client trusts.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hunt-workbench emulator")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )

    folder.mkdir(parents=True, exist_ok=True)
    cert_path = folder / CERT_FILE_NAME
    key_path = folder / KEY_FILE_NAME
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as key_file:
        key_file.write(key_bytes)
    return cert_path, key_path

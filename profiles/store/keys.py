"""The key for hashing subject and premises references. It never lives in the database.

The key comes from ``$LANTERN_KEY`` (hex) or from a key file beside the database
(``<db>.key``, created with mode 0600 on first use). Losing the key only means later loads
cannot be de-duplicated against earlier ones by subject; no data is exposed by it.
"""
from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from data_contracts.private_files import private_parents

import numpy as np


def load_key(db_path) -> bytes:
    """Return the hashing key for ``db_path``, creating a key file if there is none."""
    env = os.environ.get("LANTERN_KEY")
    if env:
        try:
            return bytes.fromhex(env)
        except ValueError:
            raise ValueError("LANTERN_KEY must be hexadecimal, e.g. from "
                             "`python -c 'import secrets; print(secrets.token_hex(32))'`") from None
    if str(db_path) == ":memory:":
        return b"lantern-in-memory-store"
    key_path = Path(f"{db_path}.key")
    if key_path.exists():
        return bytes.fromhex(key_path.read_text().strip())
    key = secrets.token_bytes(32)
    private_parents(key_path)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def key_location(db_path) -> str:
    """Where the key for ``db_path`` lives, in words (never the key itself)."""
    if os.environ.get("LANTERN_KEY"):
        return "the LANTERN_KEY environment variable"
    return str(Path(f"{db_path}.key"))


def replace_key(db_path) -> None:
    """Write a new random key for ``db_path`` over the old one (mode 0600, atomically).

    Raises
    ------
    ValueError
        When the key comes from ``$LANTERN_KEY``: its holder must replace it.
    """
    if os.environ.get("LANTERN_KEY"):
        raise ValueError("the key comes from LANTERN_KEY: rotate it where it is kept (set a new "
                         "value) - Lantern cannot replace an environment variable")
    key_path = Path(f"{db_path}.key")
    tmp = key_path.with_name(f"{key_path.name}.new-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_bytes(32).hex())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, key_path)


def keyed_hashes(values, key: bytes) -> np.ndarray:
    """Return HMAC-SHA256 (first 16 hex characters) of each non-null value; None stays None.

    Each distinct value is hashed once, so a million rows with a few thousand references cost
    a few thousand HMACs.

    Examples
    --------
    >>> h = keyed_hashes(["A1", None, "A1"], b"k").tolist()
    >>> h[1] is None, h[0] == h[2], len(h[0])
    (True, True, 16)
    """
    import pandas as pd

    values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hashed = np.array(_hmac_sha256_hex16(key, [str(v).encode("utf-8") for v in uniques])
                      + [None], dtype=object)
    return hashed[codes]   # code -1 (missing) picks the trailing None


def _hmac_sha256_hex16(key: bytes, messages: list) -> list:
    """HMAC-SHA256 (RFC 2104) of each message, first 16 hex characters.

    The keyed HMAC is set up once and copied per message (no re-keying), which is as fast as
    hand-built inner and outer states for the 100,000+ references of a national file.

    >>> import hmac
    >>> _hmac_sha256_hex16(b"k", [b"A1"]) == [hmac.new(b"k", b"A1", "sha256").hexdigest()[:16]]
    True
    """
    keyed = hmac.new(key, digestmod="sha256")
    out = []
    for message in messages:
        h = keyed.copy()
        h.update(message)
        out.append(h.hexdigest()[:16])
    return out

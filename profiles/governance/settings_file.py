"""Reading a governance settings file (TOML), with the one error a user can act on."""
from __future__ import annotations

import tomllib
from pathlib import Path


def read_settings(path: Path, *, what: str, env: str, error=ValueError) -> dict:
    """Return the TOML file at ``path`` as a dict.

    Raises
    ------
    error
        ``"<path>: <what> not found; set <env> to a valid file or unset it"``, or ``"<path>:
        not valid TOML (...)"``.
    """
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; set {env} to a valid file or unset it") \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None


__all__ = ["read_settings"]

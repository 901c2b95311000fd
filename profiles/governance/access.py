"""Roles -> audiences, and who the viewer is.

Identity comes from Streamlit's OIDC sign-in (``st.user``) when ``mode = "oidc"``, or from a
trusted reverse-proxy header when ``mode = "header"``. With neither configured
(``mode = "none"``, the default), everyone gets the partnership audience only, and the app says
so. The role -> audiences mapping is data (``profiles/governance/access.toml``, or ``$LANTERN_ACCESS``).

Examples
--------
>>> cfg = load_access(DEFAULT_PATH)
>>> resolve_identity(cfg).audiences
('partnership',)
>>> hdr = AccessConfig("header", cfg.roles, "X-User", "X-Role", "role")
>>> resolve_identity(hdr, headers={"X-User": "pc123", "X-Role": "commander"}).audiences
('partnership', 'command')
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from profiles.governance.settings_file import read_settings
from profiles.release import AUDIENCES

DEFAULT_PATH = Path(__file__).with_name("access.toml")
#: The demo's access file: synthetic data, so every audience is open to explore.
DEMO_PATH = Path(__file__).with_name("access_demo.toml")
MODES = ("none", "oidc", "header")
#: Loopback: the only peers trusted to set identity headers when no ``trusted_proxies`` are set.
LOOPBACK = ("127.0.0.0/8", "::1/128")
#: What a viewer refused by :func:`resolve_identity` is told (and shown, with nothing else).
REFUSED = ("This Lantern server only answers through its sign-on proxy. Open Lantern at the "
           "address your organisation gave you; if that is the address you used, ask your IT "
           "team to add the proxy's address to trusted_proxies in Lantern's access file.")


class AccessError(ValueError):
    """The access configuration is invalid; Lantern refuses to start."""


@dataclass(frozen=True)
class AccessConfig:
    """Where identity comes from and what each role may see."""

    mode: str
    roles: dict
    user_header: str = "X-Forwarded-User"
    role_header: str = "X-Forwarded-Role"
    role_claim: str = "lantern_role"
    unidentified: tuple = ("partnership",)
    trusted_proxies: tuple = ()

    def is_trusted_peer(self, peer: str | None) -> bool:
        """True when ``peer`` (the address a request came from) may set identity headers.

        Only in ``header`` mode does this matter. The peers trusted are ``trusted_proxies``
        (addresses or networks), or loopback alone when none are set; ``None`` (no address
        known) is never trusted.

        >>> AccessConfig("header", {}).is_trusted_peer("127.0.0.1")
        True
        >>> AccessConfig("header", {}, trusted_proxies=("10.0.0.5",)).is_trusted_peer("10.0.0.9")
        False
        """
        if peer is None:
            return False
        try:
            address = ipaddress.ip_address(str(peer).split("%")[0])
        except ValueError:
            return False
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in ipaddress.ip_network(net, strict=False)
                   for net in (self.trusted_proxies or LOOPBACK))

    @property
    def served(self) -> tuple:
        """Every audience someone may be shown, the partnership (the meeting audience) and
        unidentified viewers' first, then the roles' in order, each once.

        >>> AccessConfig("none", {"analyst": ("analyst", "partnership")}).served
        ('partnership', 'analyst')
        """
        every = ["partnership", *self.unidentified,
                 *(a for audiences in self.roles.values() for a in audiences)]
        return tuple(dict.fromkeys(every))


@dataclass(frozen=True)
class Identity:
    """Who is viewing: ``user`` (None when anonymous), ``role``, and the audiences allowed."""

    user: str | None
    role: str | None
    audiences: tuple
    source: str
    message: str


def load_access(path=None) -> AccessConfig:
    """Return the validated access configuration.

    Raises
    ------
    AccessError
        For an unreadable file, an unknown mode, or a role naming an unknown audience.
    """
    path = Path(path or os.environ.get("LANTERN_ACCESS") or DEFAULT_PATH)
    raw = read_settings(path, what="access file", env="LANTERN_ACCESS", error=AccessError)
    ident = raw.get("identity", {})
    mode = ident.get("mode", "none")
    if mode not in MODES:
        raise AccessError(f"{path}: [identity] mode must be one of {', '.join(MODES)}, "
                          f"not {mode!r}")
    roles = raw.get("roles", {})
    if not isinstance(roles, dict) or not roles:
        raise AccessError(f"{path}: [roles] must map each role to a list of audiences")
    for role, audiences in roles.items():
        if not isinstance(audiences, list) or not audiences or \
                any(a not in AUDIENCES for a in audiences):
            raise AccessError(f"{path}: [roles] {role} must list audiences from "
                              f"{', '.join(AUDIENCES)}, not {audiences!r}")
    unidentified = ident.get("unidentified_audiences", ["partnership"])
    if not isinstance(unidentified, list) or not unidentified or \
            any(a not in AUDIENCES for a in unidentified):
        raise AccessError(f"{path}: [identity] unidentified_audiences must list audiences from "
                          f"{', '.join(AUDIENCES)}, not {unidentified!r}")
    proxies = ident.get("trusted_proxies", [])
    if not isinstance(proxies, list) or not all(_is_network(p) for p in proxies):
        raise AccessError(f"{path}: [identity] trusted_proxies must list the sign-on proxy's "
                          f"addresses (e.g. [\"10.0.0.5\"] or [\"10.0.0.0/24\"]), not "
                          f"{proxies!r}")
    return AccessConfig(mode, {r: tuple(a) for r, a in roles.items()},
                        str(ident.get("user_header", "X-Forwarded-User")),
                        str(ident.get("role_header", "X-Forwarded-Role")),
                        str(ident.get("role_claim", "lantern_role")), tuple(unidentified),
                        tuple(proxies))


def _is_network(value) -> bool:
    try:
        ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return False
    return isinstance(value, str)


def is_loopback(address: str) -> bool:
    """True when ``address`` (what the server binds) is reachable from this machine only.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if address in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def check_binding(config: AccessConfig, address: str) -> None:
    """Refuse to serve header sign-on where anyone but the proxy could send the headers.

    Header sign-on trusts the user and role headers of each request. Bound to a loopback
    address, only programs on this machine (the proxy) can connect; on any other address,
    ``trusted_proxies`` must name the proxy, and every other peer is refused
    (:func:`resolve_identity`, and the server's own check of each connection).

    Raises
    ------
    AccessError
        Header mode on a non-loopback address with no ``trusted_proxies``.

    Examples
    --------
    >>> check_binding(AccessConfig("header", {}), "127.0.0.1")
    >>> check_binding(AccessConfig("header", {}), "0.0.0.0")
    Traceback (most recent call last):
    ...
    profiles.governance.access.AccessError: header sign-on on 0.0.0.0 would let anyone who can reach that address choose their own role. Set trusted_proxies = ["<the sign-on proxy's address>"] under [identity] in the access file, or serve on 127.0.0.1 behind the proxy.
    """
    if config.mode == "header" and not is_loopback(address) and not config.trusted_proxies:
        raise AccessError(f"header sign-on on {address} would let anyone who can reach that "
                          f"address choose their own role. Set trusted_proxies = "
                          f"[\"<the sign-on proxy's address>\"] under [identity] in the "
                          f"access file, or serve on 127.0.0.1 behind the proxy.")


def resolve_identity(config: AccessConfig, *, user_info: dict | None = None,
                     headers: dict | None = None, peer: str | None = "127.0.0.1") -> Identity:
    """Return who is viewing and which audiences they may see.

    Parameters
    ----------
    config : AccessConfig
    user_info : dict, optional
        ``st.user`` as a dict (``is_logged_in``, ``email``, claims) in ``oidc`` mode.
    headers : dict, optional
        Request headers (``st.context.headers``) in ``header`` mode.
    peer : str, optional
        The address the request came from (default loopback). In ``header`` mode a peer
        that is not a trusted proxy (:meth:`AccessConfig.is_trusted_peer`) is refused: no
        audience at all (``audiences == ()``) and :data:`REFUSED` as the message, whatever
        headers it sent.

    Anyone not identified, or with an unknown role, gets the ``unidentified_audiences``
    (default: the partnership audience only).
    """
    fallback = config.unidentified
    if config.mode == "none":
        if fallback == ("partnership",):
            text = ("No sign-on is configured, so Lantern shows the partnership audience only. "
                    "See README: Deployment behind sign-on.")
        else:
            text = (f"No sign-on is configured; this installation opens "
                    f"{', '.join(fallback)} to everyone who can reach it.")
        return Identity(None, None, fallback, "none", text)
    if config.mode == "header":
        if not config.is_trusted_peer(peer):
            return Identity(None, None, (), "refused", REFUSED)
        headers = {str(k).lower(): v for k, v in (headers or {}).items()}
        user = headers.get(config.user_header.lower())
        role = headers.get(config.role_header.lower())
        source = "proxy header"
    else:
        info = user_info or {}
        if not info.get("is_logged_in"):
            return Identity(None, None, fallback, "oidc", "Not signed in: partnership "
                                                          "audience only.")
        user = info.get("email") or info.get("sub")
        role = info.get(config.role_claim)
        source = "sign-in"
    if not user:
        return Identity(None, None, fallback, source, "No user identified: partnership "
                                                      "audience only.")
    if role not in config.roles:
        return Identity(str(user), role, fallback, source,
                        f"Role {role!r} is not configured: partnership audience only.")
    return Identity(str(user), str(role), config.roles[role], source,
                    f"Signed in as {user} ({role}).")

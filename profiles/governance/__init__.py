"""Governance: who may see which audience (roles from sign-on), and the audit log.

:mod:`profiles.governance.access` maps a signed-on user's roles to the audiences they may
pick; :mod:`profiles.governance.audit` appends one hash-chained JSON line per view, export,
ingest and refusal. Neither reads the store.
"""
from profiles.governance import audit
from profiles.governance.access import (DEFAULT_PATH, DEMO_PATH, AccessConfig, AccessError,
                                        Identity, check_binding, is_loopback, load_access,
                                        resolve_identity)

__all__ = ["DEFAULT_PATH", "DEMO_PATH", "AccessConfig", "AccessError", "Identity", "audit",
           "check_binding", "is_loopback", "load_access", "resolve_identity"]

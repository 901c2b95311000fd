"""Governance: who may see which audience (roles from sign-on), the audit log, the DPIA annex.

:mod:`profiles.governance.access` maps a signed-on user's roles to the audiences they may
pick; :mod:`profiles.governance.audit` appends one hash-chained JSON line per collection,
alteration, consultation, disclosure, combination and erasure (DPA 2018 s.62), and keeps it
for the time set in ``audit.toml``; :mod:`profiles.governance.annex` describes what Lantern
does with personal data, from the configuration and the store's status, for the DPIA.
None of them reads the store.
"""
from profiles.governance import audit
from profiles.governance.access import (DEFAULT_PATH, DEMO_PATH, AccessConfig, AccessError,
                                        Identity, check_binding, is_loopback, load_access,
                                        resolve_identity)

__all__ = ["DEFAULT_PATH", "DEMO_PATH", "AccessConfig", "AccessError", "Identity", "audit",
           "check_binding", "is_loopback", "load_access", "resolve_identity"]

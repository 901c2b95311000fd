"""Governance: who may see which audience (roles from sign-on), the audit log, the DPIA annex.

:mod:`profiles.governance.access` maps a signed-on user's roles to the audiences they may
pick; :mod:`profiles.governance.audit` appends one hash-chained JSON line per collection,
alteration, consultation, disclosure, combination and erasure (DPA 2018 s.62), and keeps it
for the time set in ``audit.toml``; :mod:`profiles.governance.annex` describes what Lantern
does with personal data, from the configuration and the store's status, for the DPIA.
None of them reads the store.
"""
# Names are imported from their modules when first asked for (PEP 562): the audit log's
# module is light, and the ``lantern`` command's parser imports it without the release
# engine that access control imports.
from data_contracts.lazy import lazy_names

_ACCESS = ("DEFAULT_PATH", "DEMO_PATH", "AccessConfig", "AccessError", "Identity",
           "check_binding", "is_loopback", "load_access", "resolve_identity")


__getattr__, __dir__ = lazy_names(__name__, dict.fromkeys(_ACCESS, "access"))

__all__ = sorted([*_ACCESS, "audit"])

"""``lantern doctor``: a healthy installation passes every check; each problem is found, named
in plain words with its fix, and makes the command exit 1."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from profiles.cli import main
from profiles.governance import audit
from profiles.governance.access import DEFAULT_PATH, DEMO_PATH


@pytest.fixture
def healthy(demo_copy, tmp_path, monkeypatch):
    """The demo store in a folder closed to others, its key 0600, the shipped access file."""
    monkeypatch.setenv("LANTERN_ACCESS", str(DEFAULT_PATH))
    monkeypatch.delenv("LANTERN_KEY", raising=False)
    monkeypatch.delenv("LANTERN_BASEMAP", raising=False)
    monkeypatch.delenv("LANTERN_AUDIENCES", raising=False)
    os.chmod(tmp_path, 0o700)
    os.chmod(f"{demo_copy}.key", 0o600)
    audit.record(demo_copy, user="local:test", action="view", audience="partnership")
    audit.record(demo_copy, user="local:test", action="view", audience="command")
    return demo_copy


def doctor(capsys, *args) -> tuple[int, str]:
    code = main(["doctor", *args])
    return code, capsys.readouterr().out


def test_a_healthy_installation_passes_every_check(healthy, capsys):
    code, out = doctor(capsys, "--db", str(healthy))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[-1] == "no problems found"
    checks = [line.split(":")[0].split(None, 1)[1] for line in lines[:-1]]
    assert checks == ["access file", "audiences file", "basemap", "store", "schema",
                      "access and binding", "key", "permissions", "disk space", "audit log"]
    assert all(line.startswith("ok ") for line in lines[:-1])


def _tamper_audit(db: Path) -> None:
    path = audit.audit_path(db)
    first, *rest = path.read_text().splitlines()
    record = json.loads(first)
    record["user"] = "someone else"                       # the first record rewritten
    path.write_text("\n".join([json.dumps(record), *rest]) + "\n")


def _header_access(db: Path) -> None:
    path = db.parent / "header.toml"
    path.write_text('[identity]\nmode = "header"\n[roles]\nanalyst = ["analyst"]\n')
    os.environ["LANTERN_ACCESS"] = str(path)


def _open_demo_access_on_real_store(db: Path) -> None:
    from profiles.store import database as store

    db.unlink()
    store.connect(db).close()                   # a store that is not the synthetic demo
    os.environ["LANTERN_ACCESS"] = str(DEMO_PATH)


def _bad_access(db: Path) -> None:
    path = db.parent / "bad.toml"
    path.write_text('[identity]\nmode = "magic"\n[roles]\np = ["partnership"]\n')
    os.environ["LANTERN_ACCESS"] = str(path)


PROBLEMS = {
    "key-readable": (lambda db: os.chmod(f"{db}.key", 0o644), (),
                     r"PROBLEM key: .*\.key has mode 0644: other users can read it\. "
                     r"Fix: chmod 600"),
    "key-missing": (lambda db: os.unlink(f"{db}.key"), (), r"PROBLEM key: no key file at"),
    "header-open": (_header_access, ("--address", "0.0.0.0"),
                    r"PROBLEM access and binding: header sign-on on 0\.0\.0\.0 would let "
                    r"anyone who can reach that address choose their own role"),
    "police-open": (_open_demo_access_on_real_store, (),
                    r"PROBLEM access and binding: everyone who can reach 127\.0\.0\.1 may "
                    r"see command, analyst without signing on, and this store is not the "
                    r"synthetic demo"),
    "bad-access": (_bad_access, (), r"PROBLEM access file: .*mode must be one of"),
    "audit-altered": (_tamper_audit, (),
                      r"PROBLEM audit log: .*has been altered: line 2: the chain is broken"),
    "store-readable": (lambda db: (os.chmod(db.parent, 0o755), os.chmod(db, 0o644)), (),
                       r"PROBLEM permissions: other users can reach .* and read copy\.duckdb "
                       r"\(OFFICIAL-SENSITIVE\)\. Fix: chmod 700"),
    "disk": (lambda db: None, ("--min-free-gb", "1000000"),
             r"PROBLEM disk space: .* GB free beside the store; an ingest needs a copy"),
    "no-store": (lambda db: db.unlink(), (), r"PROBLEM store: there is no database at"),
}


@pytest.mark.parametrize("key", list(PROBLEMS))
def test_each_problem_is_named_with_its_fix_and_fails_the_command(key, healthy, capsys,
                                                                  monkeypatch):
    import re

    monkeypatch.setenv("LANTERN_ACCESS", os.environ["LANTERN_ACCESS"])  # restored afterwards
    change, args, match = PROBLEMS[key]
    change(healthy)
    code, out = doctor(capsys, "--db", str(healthy), *args)
    assert code == 1, out
    assert re.search(match, out), out
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    assert out.splitlines()[-1] == (f"{len(problems)} problems" if len(problems) > 1 else "1 problem")
    assert "Traceback" not in out

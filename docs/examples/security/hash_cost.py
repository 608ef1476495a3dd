"""How much CPU one password check costs on this machine, and the logins per second that allows.

Run it where the app runs (same CPU type, same container limits):

    python hash_cost.py

Prints the CPU time of one check for Werkzeug's scrypt and PBKDF2 methods,
and for bcrypt and argon2 if those packages are installed. Enter the CPU
time as the gunicorn calculator's service time, with the I/O share near 0.
"""

from __future__ import annotations

import os
import time

from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD = "a benchmark password"


def cpu_per_call(check, rounds: int = 10) -> tuple[float, float]:
    """Mean CPU seconds and wall seconds of one call (after one warm-up call)."""
    check()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        check()
    return (time.process_time() - cpu) / rounds, (time.perf_counter() - wall) / rounds


def checks() -> dict:
    """A check function per hashing scheme available here."""
    found = {}
    for method in ("scrypt", "pbkdf2:sha256"):
        stored = generate_password_hash(PASSWORD, method=method)
        found[f"werkzeug {stored.split('$')[0]}"] = lambda s=stored: check_password_hash(s, PASSWORD)
    try:
        import bcrypt
        stored = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=12))
        found["bcrypt cost 12"] = lambda: bcrypt.checkpw(PASSWORD.encode(), stored)
    except ImportError:
        pass
    try:
        from argon2 import PasswordHasher
        hasher = PasswordHasher()  # argon2-cffi's defaults (RFC 9106 low-memory profile)
        stored = hasher.hash(PASSWORD)
        found["argon2id (argon2-cffi defaults)"] = lambda: hasher.verify(stored, PASSWORD)
    except ImportError:
        pass
    return found


def main() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores usable by this process (a container's CPU quota may allow fewer)")
    for name, check in checks().items():
        cpu, wall = cpu_per_call(check)
        print(f"{name:35} {cpu * 1000:7.1f} ms CPU, {wall * 1000:7.1f} ms wall per check; "
              f"at most {cores / cpu:6.1f} checks/s on {cores} cores at 100 % CPU")


if __name__ == "__main__":
    main()

"""What a copied database or backup gives up: the time to find one person's PIN offline.

    python tests/bench/pin_cracking.py [--runs 20] [--digits 4]

Times the production PIN hash (argon2id, 64 MiB, 3 passes, the same settings as
hrohuddle.services.signin) on one core, as an attacker holding a copy of the
file would have to run it once per candidate PIN, and prints:

- with the database alone (the PIN secret is kept beside it, not in it): each
  candidate needs the 256-bit secret as well, so the search is over 2**256 secrets
  times the PINs;
- with the database and the secret file copied together: every allowed PIN of
  the length, one hash each.

Not a test: timings belong here, not in assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import os
import secrets
import statistics
import time


def allowed_pins(digits: int) -> int:
    """How many PINs of ``digits`` digits the app accepts (no repeats, no straight runs)."""
    from hrohuddle.services.errors import ValidationError
    from hrohuddle.services.signin import validate_pin

    count = 0
    for combo in itertools.product("0123456789", repeat=digits):
        try:
            validate_pin("".join(combo))
        except ValidationError:
            continue
        count += 1
    return count


def human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    if seconds < 2 * 365 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365 * 86400):.3g} years"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--digits", type=int, default=4)
    args = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    from hrohuddle.services import signin

    hasher = signin._hasher()
    secret = secrets.token_bytes(32)
    stored = hasher.hash(hmac.new(secret, b"4826", hashlib.sha256).hexdigest())
    times = []
    for n in range(args.runs):
        guess = hmac.new(secret, f"{n:04d}".encode(), hashlib.sha256).hexdigest()
        start = time.perf_counter()
        try:
            hasher.verify(stored, guess)
        except Exception:  # a wrong guess is the common case
            pass
        times.append(time.perf_counter() - start)
    per_guess = statistics.median(times)
    candidates = allowed_pins(args.digits)
    params = hasher.time_cost, hasher.memory_cost // 1024, hasher.parallelism
    print(f"argon2id t={params[0]}, {params[1]} MiB, p={params[2]}, one core")
    print(f"one guess: {per_guess * 1000:.0f} ms (median of {args.runs})")
    print(f"allowed {args.digits}-digit PINs: {candidates}")
    whole = candidates * per_guess
    print(
        f"database and secret file copied together: all PINs in {human(whole)}, "
        f"half on average ({human(whole / 2)})"
    )
    print(
        "database or backup alone: each guess also needs the 256-bit secret: "
        f"{human(2**256 * whole / 2)} on average (not feasible)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

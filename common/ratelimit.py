"""Fixed-window rate limits in the cache (Redis in production, local memory in development).

One counter per (scope, identity, window): `cache.add` creates it at 0 with the window's
length as its lifetime, `cache.incr` counts the attempt atomically (Redis INCR), so several
web processes share one count. Identities (email addresses, client IPs) are stored only as
a keyed hash, never in clear in the cache.
"""

import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac

HOUR = 60 * 60


def _key(scope: str, identity: str, window: int) -> str:
    digest = salted_hmac("common.ratelimit", f"{scope}:{identity}", algorithm="sha256")
    return f"ratelimit:{scope}:{window}:{digest.hexdigest()[:40]}"


def attempt(scope: str, identity: str, *, limit: int, period: int = HOUR) -> bool:
    """Count one attempt by `identity`; False once it made more than `limit` in this window.

    An empty identity (no address, no client IP) is not limited.
    """
    if not identity:
        return True
    window = int(time.time() // period)
    key = _key(scope, identity.strip().lower(), window)
    # The window is in the key; the timeout only lets the counter expire with it.
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: the first attempt of a new counter
        cache.add(key, 1, timeout=period)
        count = 1
    return count <= limit

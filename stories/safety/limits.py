"""
One rate limiter for every public form and the admin login.

A client is known only by a keyed hash of its address: an HMAC with the
secret key, so the hash cannot be reversed by trying every address, and IPv6
addresses grouped by /64, because one household gets a whole /64.

Counts live in Django's cache (the database cache by default, Redis in
production), so a limit holds across any number of worker processes. A window
of ``limit`` requests is ``limit`` slots; a request takes the first free slot
with ``cache.add``, which is atomic on every backend (an INSERT against a
unique key, or Redis SET NX), so concurrent requests can never take more than
``limit`` slots between them.
"""

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's address: REMOTE_ADDR, or the entry the trusted proxies vouch for."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        # Each trusted proxy appends the address it saw; anything to the left
        # of what our own proxies wrote could have been typed by the client.
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    return address


def network_of(address):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key(request):
    """A keyed hash of the client's network; what we store instead of an address."""
    network = network_of(client_address(request))
    return hmac.new(settings.SECRET_KEY.encode(), network.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the current window ends


def hit(request, *, scope, limit, period):
    """Count one request from this client against ``limit`` per ``period`` seconds."""
    now = time.time()
    window = int(now // period)
    retry_after = max(1, int((window + 1) * period - now))
    prefix = f"limit:{scope}:{client_key(request)}:{window}"
    for slot in range(limit):
        if cache.add(f"{prefix}:{slot}", 1, timeout=period + 60):
            return Verdict(allowed=True, retry_after=retry_after)
    return Verdict(allowed=False, retry_after=retry_after)

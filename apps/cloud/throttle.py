"""The shared rate limiter: one GCRA bucket per (account, region, service, action) in Redis.

Every process on every machine that uses the same Redis shares the buckets, so the limits
hold however many workers run. The whole decision is one Lua script (atomic), timed by the
Redis server's clock (no skew between machines).

The cloud counts "at most N requests per second" in a sliding one-second window at its end
(`apps/emulator/ratelimit.py` does the same): N calls granted exactly 1/N s apart would fill
it to the brim, and the one whose trip happened to be a few milliseconds quicker than its
predecessor's N calls before would be refused. So consecutive grants are spaced a little
wider than 1 / rate (WINDOW_MARGIN, LATE_GRACE_S below): any N + 1 of them span more than the
second.

rate = documented limit x the account's budget share x an adaptive factor. The factor halves
when the cloud still answers RequestLimitExceeded (someone else spends the budget), once a
second at most (the refusals of calls already in flight when the first came are the same
overfull window, not news), and then
recovers linearly; after a penalty it recovers quickly up to 70 % of where it was hit, then
slowly, so a shared budget settles just under what is left instead of hitting it again and
again (AIMD, with a memory of the last ceiling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

MIN_FACTOR = 0.05
FAST_RECOVERY = 0.05  # factor per second, up to 70 % of the last ceiling
SLOW_RECOVERY = 0.0025  # factor per second above that: re-probes a contended ceiling ~every 30 s
# Grants are spaced (1 + WINDOW_MARGIN) / rate apart. A grant taken up to LATE_GRACE_S after
# its slot keeps the slots where they were (a waiter woke a little late; without it every
# such delay would be lost from the rate), so any N + 1 grants span at least one second plus
# WINDOW_MARGIN - LATE_GRACE_S (25 ms): the spread of the calls' trip times to the cloud that
# the sliding window absorbs.
WINDOW_MARGIN = 0.03
LATE_GRACE_S = 0.005
STATE_TTL_MS = 3_600_000

# KEYS[1] = bucket hash. ARGV: op ("acquire" | "penalize" | "peek"), base rate (per second),
# min factor, fast recovery, slow recovery, ttl ms, window margin, late grace (µs).
# Fields: tat (µs, theoretical arrival time), factor, factor_at (µs), ceiling, penalized_at
# (µs), and counters
# calls, waits, limit_errors.
_SCRIPT = """
local key = KEYS[1]
local op = ARGV[1]
local base = tonumber(ARGV[2])
local min_factor = tonumber(ARGV[3])
local fast = tonumber(ARGV[4])
local slow = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local margin = tonumber(ARGV[7])
local grace = tonumber(ARGV[8])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local s = redis.call('HMGET', key, 'tat', 'factor', 'factor_at', 'ceiling')
local tat = tonumber(s[1]) or now
local factor = tonumber(s[2]) or 1
local factor_at = tonumber(s[3]) or now
local ceiling = tonumber(s[4]) or 1
-- recover the factor for the time since it was last set
local elapsed = (now - factor_at) / 1000000
local knee = math.min(1, ceiling * 0.7)
if factor < knee then
  local needed = (knee - factor) / fast
  if elapsed <= needed then
    factor = factor + elapsed * fast
    elapsed = 0
  else
    factor = knee
    elapsed = elapsed - needed
  end
end
factor = math.min(1, factor + elapsed * slow)
if op == 'penalize' then
  redis.call('HINCRBY', key, 'limit_errors', 1)
  local penalized_at = tonumber(redis.call('HGET', key, 'penalized_at'))
  if penalized_at and now - penalized_at < 1000000 then
    -- the same overfull window: calls already in flight when it was answered
    redis.call('PEXPIRE', key, ttl)
    return {0, tostring(factor)}
  end
  ceiling = factor
  factor = math.max(min_factor, factor / 2)
  redis.call('HSET', key, 'factor', factor, 'factor_at', now, 'ceiling', ceiling,
    'penalized_at', now)
  redis.call('PEXPIRE', key, ttl)
  return {0, tostring(factor)}
end
redis.call('HSET', key, 'factor', factor, 'factor_at', now)
if op == 'peek' then
  return {0, tostring(factor)}
end
local interval = 1000000 * (1 + margin) / (base * factor)
if tat < now - grace then tat = now end
if tat > now then
  redis.call('HINCRBY', key, 'waits', 1)
  redis.call('PEXPIRE', key, ttl)
  return {tat - now, tostring(factor)}
end
redis.call('HSET', key, 'tat', tat + interval)
redis.call('HINCRBY', key, 'calls', 1)
redis.call('PEXPIRE', key, ttl)
return {0, tostring(factor)}
"""


@dataclass(frozen=True)
class Bucket:
    """Whose budget a call spends."""

    account: str
    region: str
    service: str
    action: str

    @property
    def key(self) -> str:
        return f"jobdeck:throttle:{self.account}:{self.region}:{self.service}:{self.action}"


@dataclass(frozen=True)
class Decision:
    wait: float  # seconds until the call may go; 0 means it was granted now
    rate: float  # the bucket's current rate (requests per second)

    @property
    def granted(self) -> bool:
        return self.wait == 0


class Throttle:
    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._script = client.register_script(_SCRIPT)

    def _run(self, bucket: Bucket, op: str, base: float) -> tuple[int, float]:
        micros, factor = self._script(
            keys=[bucket.key],
            args=[
                op,
                base,
                MIN_FACTOR,
                FAST_RECOVERY,
                SLOW_RECOVERY,
                STATE_TTL_MS,
                WINDOW_MARGIN,
                int(LATE_GRACE_S * 1_000_000),
            ],
        )
        return int(micros), float(factor)

    def try_acquire(self, bucket: Bucket, rate: float) -> Decision:
        """Take the bucket's next slot if it is due, else say how long to wait (no sleeping)."""
        micros, factor = self._run(bucket, "acquire", rate)
        return Decision(wait=micros / 1_000_000, rate=rate * factor)

    def penalize(self, bucket: Bucket, rate: float) -> float:
        """The cloud said RequestLimitExceeded: halve the bucket's rate; returns the new rate."""
        _, factor = self._run(bucket, "penalize", rate)
        return rate * factor

    def counters(self, bucket: Bucket, rate: float) -> dict[str, Any]:
        """calls, waits, limit_errors and the current rate, for the dashboard and /metrics."""
        _, factor = self._run(bucket, "peek", rate)
        raw = self._redis.hmget(bucket.key, "calls", "waits", "limit_errors")
        calls, waits, errors = (int(v or 0) for v in raw)
        return {"calls": calls, "waits": waits, "limit_errors": errors, "rate": rate * factor}

    def buckets(self) -> list[Bucket]:
        found = []
        for key in self._redis.scan_iter(match="jobdeck:throttle:*", count=500):
            text = key.decode() if isinstance(key, bytes) else key
            account, region, service, action = text.split(":")[2:6]
            found.append(Bucket(account, region, service, action))
        return sorted(found, key=lambda b: b.key)

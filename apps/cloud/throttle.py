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
overfull window, not news). The factor it had when it was refused is the ceiling: what the
cloud leaves is at most that. Then it recovers in three steps (AIMD, with a memory of the last
ceiling):

1. quickly (FAST_RECOVERY) up to KNEE (85 %) of the ceiling. A ceiling found while recovering
   quickly lies 5-10 % above what is left: the cloud counts the last second, so its window
   overflows about half a second of recovery after the rate has passed what is left. 85 % of
   it is 5-10 % below, near what is left yet clear of the calls' trip-time spread;
2. not at all until HOLD_S (30 s) after the penalty: the other client most likely still takes its share,
   and creeping up towards the ceiling would only find it again within seconds (with a knee
   at 70 % and slow recovery from there, the bench's shared budget was refused again 8-11 s
   after the other client came);
3. then slowly (SLOW_RECOVERY): a contended ceiling is probed again 40-90 s after the last
   refusal, and the whole rate is back about 5 minutes after the other client has gone (as
   before the hold: the knee is higher).

A first ceiling may be far above what is left (refused at the full rate, halving is not
enough): recovering to 85 % of it meets the cloud's refusal once more on the way up, and that
ceiling is the close one. Under the emulator's sliding second with another client taking 60 %
of DescribeTaskLogs' 20/s, the last refusal comes ~5 s after the other client appeared and the
rate settles at 92 % of the 8/s left: 0.85 x a ceiling 8 % above it (`bench/limiter.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

MIN_FACTOR = 0.05
FAST_RECOVERY = 0.05  # factor per second, up to KNEE of the last ceiling
KNEE = 0.85
HOLD_S = 30.0  # after a penalty, no recovery above the knee for this long
SLOW_RECOVERY = 0.0025  # factor per second after the hold: from the knee to ceiling c in 60c s
# Grants are spaced (1 + WINDOW_MARGIN) / rate apart. A grant taken up to LATE_GRACE_S after
# its slot keeps the slots where they were (a waiter woke a little late; without it every
# such delay would be lost from the rate), so any N + 1 grants span at least one second plus
# WINDOW_MARGIN - LATE_GRACE_S (25 ms): the spread of the calls' trip times to the cloud that
# the sliding window absorbs.
WINDOW_MARGIN = 0.03
LATE_GRACE_S = 0.005
STATE_TTL_MS = 3_600_000

# KEYS[1] = bucket hash. ARGV: op ("acquire" | "penalize" | "peek"), base rate (per second),
# min factor, fast recovery, slow recovery, ttl ms, window margin, late grace (µs), knee,
# hold (µs).
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
local knee_share = tonumber(ARGV[9])
local hold = tonumber(ARGV[10])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local s = redis.call('HMGET', key, 'tat', 'factor', 'factor_at', 'ceiling', 'penalized_at')
local tat = tonumber(s[1]) or now
local factor = tonumber(s[2]) or 1
local factor_at = tonumber(s[3]) or now
local ceiling = tonumber(s[4]) or 1
local penalized_at = tonumber(s[5])
-- recover the factor for the time since it was last set: quickly up to the knee, then
-- slowly, but only once the hold after the last penalty is over
local knee = math.min(1, ceiling * knee_share)
local slow_from = factor_at
if factor < knee then
  local needed = (knee - factor) / fast * 1000000
  if now - factor_at <= needed then
    factor = factor + (now - factor_at) / 1000000 * fast
  else
    factor = knee
  end
  slow_from = factor_at + needed
end
if penalized_at then slow_from = math.max(slow_from, penalized_at + hold) end
if now > slow_from then
  factor = math.min(1, factor + (now - slow_from) / 1000000 * slow)
end
if op == 'penalize' then
  redis.call('HINCRBY', key, 'limit_errors', 1)
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
                KNEE,
                int(HOLD_S * 1_000_000),
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

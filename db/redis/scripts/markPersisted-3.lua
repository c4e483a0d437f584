--[[
  Records that MySQL now holds the booking: the hold leaves the expiry zset and
  enters `persisted`, stamped with Redis time so the reconciler can tell which
  persists its MySQL snapshot may have missed (app clocks can disagree; this
  is an ordering within Redis, not domain time).

  Input:
    KEYS[1] hold
    KEYS[2] holds      zset of live holds by deadline
    KEYS[3] persisted  zset bookingId -> persisted at (Redis ms)
    ARGV[1] bookingId
    ARGV[2] retention of `persisted` entries (ms)

  Output:
    1 marked, 0 already persisted, -1 already released, -2 unknown hold
]]
local state = redis.call('HGET', KEYS[1], 'st')
if not state then return -2 end
if state == 'P' then return 0 end
if state == 'R' then return -1 end

local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'st', 'P')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], nowMs, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', nowMs - tonumber(ARGV[2]))
return 1

--[[
  Records that MySQL now holds these bookings of one store: each hold leaves
  the expiry zset and enters `persisted`, stamped with Redis time so the
  reconciler can tell which persists its MySQL snapshot may have missed (app
  clocks can disagree; this is an ordering within Redis, not domain time).
  A persist batch marks all its bookings in one call.

  Input:
    KEYS[1]     holds      zset of live holds by deadline
    KEYS[2]     persisted  zset bookingId -> persisted at (Redis ms)
    KEYS[2+b]   hold of booking b = 1..N
    ARGV[1]     retention of `persisted` entries (ms)
    ARGV[1+b]   bookingId of booking b

  Output: one code per booking:
    1 marked, 0 already persisted, -1 already released, -2 unknown hold
]]
local holdsKey, persistedKey = KEYS[1], KEYS[2]
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local codes = {}
local marked = 0
for b = 1, #ARGV - 1 do
  local holdKey, bookingId = KEYS[2 + b], ARGV[1 + b]
  local state = redis.call('HGET', holdKey, 'st')
  if not state then
    codes[b] = -2
  elseif state == 'P' then
    codes[b] = 0
  elseif state == 'R' then
    codes[b] = -1
  else
    redis.call('HSET', holdKey, 'st', 'P')
    redis.call('ZREM', holdsKey, bookingId)
    redis.call('ZADD', persistedKey, nowMs, bookingId)
    codes[b] = 1
    marked = marked + 1
  end
end
if marked > 0 then redis.call('ZREMRANGEBYSCORE', persistedKey, '-inf', nowMs - tonumber(ARGV[1])) end
return codes

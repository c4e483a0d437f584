--[[
  Gives a hold's cells back and marks it released. Idempotent: a hold that is
  already released (or gone) changes nothing, so a replayed release can never
  free capacity twice.

  Input:
    KEYS[1]    hold
    KEYS[2]    holds        zset of live holds by deadline
    KEYS[3]    persisted    zset of recently persisted holds
    KEYS[4]    customerDay  counter the hold incremented
    KEYS[5]    idempotency  key the hold was accepted under (deleted only if ARGV[3] = 1 and it still names this hold)
    KEYS[6..]  booked       the booked-units hash of each date in the hold's `days` field, in order
    KEYS[last] allocations  only with ARGV[5]: the daily-cap counters of that local date
                            (with ARGV[6] it is KEYS[last - 1], and KEYS[last] is the customer's week counter)

    ARGV[1]  bookingId
    ARGV[2]  reason (EXPIRED, CANCELLED, REJECTED, ABORTED)
    ARGV[3]  1 = forget the idempotency key (the request was never accepted), 0 = keep it
    ARGV[4]  states that may be released: "H" (held only) or "HP" (held or persisted)
    ARGV[5]  optional: the booking's local date; the hold's `capr` ("<date>|r1,r2") counters of that date
             are given back (a hold whose capr names another date keeps its count: cautious, never lower)
    ARGV[6]  optional: the ISO week label of that local date; the week counter KEYS[last] is given one back
             only if the hold counted that week (`cwk`, set by reserve.lua when a weekly limit was on)

  Output:
    1 released, 0 already released or unknown, -1 the hold is persisted and ARGV[4] = "H"
]]
local holdKey = KEYS[1]
local bookingId = ARGV[1]
local state = redis.call('HMGET', holdKey, 'st', 'cells', 'capr', 'cwk')
local allocKey = KEYS[#KEYS]
if ARGV[6] then allocKey = KEYS[#KEYS - 1] end
if not state[1] or state[1] == 'R' then return 0 end
if not string.find(ARGV[4], state[1], 1, true) then return -1 end

for cell in string.gmatch(state[2] or '', '[^;]+') do
  local keyIndex, field, quantity = string.match(cell, '^(%d+)|([^|]+)|(%d+)$')
  local key = KEYS[5 + tonumber(keyIndex)]
  local booked = redis.call('HINCRBY', key, field, -tonumber(quantity))
  -- After a rebuild the counter may already exclude this hold; never let it go negative.
  if booked < 0 then redis.call('HSET', key, field, 0) end
end

if state[3] and ARGV[5] then
  local capDate, resources = string.match(state[3], '^([^|]+)|(.*)$')
  if capDate == ARGV[5] then
    for resource in string.gmatch(resources, '[^,]+') do
      if redis.call('HINCRBY', allocKey, resource, -1) < 0 then redis.call('HSET', allocKey, resource, 0) end
    end
  end
end

if tonumber(redis.call('GET', KEYS[4]) or '0') > 0 then redis.call('DECR', KEYS[4]) end
if ARGV[6] and state[4] == ARGV[6] and tonumber(redis.call('GET', KEYS[#KEYS]) or '0') > 0 then redis.call('DECR', KEYS[#KEYS]) end
if ARGV[3] == '1' then
  local idem = redis.call('GET', KEYS[5])
  if idem and string.sub(idem, 1, #bookingId + 1) == bookingId .. '|' then redis.call('DEL', KEYS[5]) end
end
redis.call('ZREM', KEYS[2], bookingId)
redis.call('ZREM', KEYS[3], bookingId)
redis.call('HSET', holdKey, 'st', 'R', 'reason', ARGV[2])
return 1

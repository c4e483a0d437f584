--[[
  Second half of a reschedule (see moveHold.lua): once MySQL has decided, gives
  back the units only the losing side needed and leaves the hold listing the
  winning side's cells. Called with the new side after the commit, with the old
  side when MySQL refused or failed (the compensation).

  If the hold was tracked by moveHold but is no longer in this move (released
  by a cancel or expiry in between, which freed everything it listed, or
  rewritten by a later move), the cells are left alone: at worst Redis counts
  too much until the next reconcile pass, never too little.

  Input:
    KEYS[1]    hold
    KEYS[2]    persisted    zset of persisted holds by Redis time
    KEYS[3]    customerDay  counter of the losing side's local date (decremented if ARGV[6] = 1)
    KEYS[4..]  booked       the booked-units hash of each local date d = 1..D of the move

    ARGV[1]  bookingId
    ARGV[2]  moveId
    ARGV[3]  1 = moveHold rewrote the hold (tracked), 0 = it only moved counters
    ARGV[4]  the winning side's packed cells "dateIndex|cell|units" joined by ';' (indexes into ARGV[5])
    ARGV[5]  the winning side's local dates joined by ',', sorted
    ARGV[6]  1 = decrement KEYS[3]
    ARGV[7]  K = cells to give back; then K triples (date index 1..D, cell field, units)

  Output:
    1 settled, 0 the hold has left this move (counters untouched)
]]
local holdKey, persistedKey, customerKey = KEYS[1], KEYS[2], KEYS[3]
local bookingId, moveId = ARGV[1], ARGV[2]

-- The customer's counters moved with the booking whatever happened to the hold since.
if ARGV[6] == '1' and tonumber(redis.call('GET', customerKey) or '0') > 0 then redis.call('DECR', customerKey) end

local state = nil
if ARGV[3] == '1' then
  local hold = redis.call('HMGET', holdKey, 'st', 'mv')
  state = hold[1]
  if not state or state == 'R' or hold[2] ~= moveId then return 0 end
end

local i = 8
for _ = 1, tonumber(ARGV[7]) do
  local key = KEYS[3 + tonumber(ARGV[i])]
  local booked = redis.call('HINCRBY', key, ARGV[i + 1], -tonumber(ARGV[i + 2]))
  if booked < 0 then redis.call('HSET', key, ARGV[i + 1], 0) end
  i = i + 3
end

if state then
  redis.call('HSET', holdKey, 'cells', ARGV[4], 'days', ARGV[5])
  redis.call('HDEL', holdKey, 'mv')
  if state == 'P' then
    -- Stamped after the commit: a reconcile whose MySQL snapshot began earlier still counts the new cells.
    local t = redis.call('TIME')
    redis.call('ZADD', persistedKey, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), bookingId)
  end
end
return 1

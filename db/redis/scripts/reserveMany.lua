--[[
  reserve.lua for several bookings of one store in one call: the gateway's
  batcher (db/redis/batched-scripts.ts) sends the reservations that arrive in
  one event-loop turn together, so the gateway builds, sends and parses one
  command instead of one per booking. Each booking is reserved exactly as a
  single reserve.lua call would (all or nothing, in arrival order); the call
  is not atomic as a whole and does not need to be.

  Input:
    KEYS       the bookings' reserve.lua KEYS, one booking after the other (one store: one hash tag)
    ARGV[1]    N = number of bookings
    ARGV[1+b]  for booking b = 1..N: its key count
    ARGV[1+N+b]  booking b's reserve.lua ARGV in one argument, joined by the unit
               separator (\31; at least one argument): one bulk string per booking
               instead of one per argument is less to encode, send and parse

  Output: one reply per booking, as reserve.lua gives it; {-99, message} for a
  booking whose script raised an error (the others are unaffected).
]]
local function reserveOne(KEYS, ARGV)
--@include reserve.lua
end

local function split(packed)
  local args, n, from = {}, 0, 1
  while true do
    local at = string.find(packed, '\31', from, true)
    n = n + 1
    if at == nil then
      args[n] = string.sub(packed, from)
      return args
    end
    args[n] = string.sub(packed, from, at - 1)
    from = at + 1
  end
end

local count = tonumber(ARGV[1])
local replies = {}
local keyAt = 0
for b = 1, count do
  local keyCount = tonumber(ARGV[1 + b])
  local keys = {}
  for k = 1, keyCount do keys[k] = KEYS[keyAt + k] end
  keyAt = keyAt + keyCount
  local ok, reply = pcall(reserveOne, keys, split(ARGV[1 + count + b]))
  if ok then
    replies[b] = reply
  else
    replies[b] = {-99, type(reply) == 'table' and tostring(reply.err) or tostring(reply)}
  end
end
return replies

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
    ARGV[2b], ARGV[2b+1]  for booking b = 1..N: its key count and its argument count
    then       the bookings' reserve.lua ARGV, one booking after the other

  Output: one reply per booking, as reserve.lua gives it; {-99, message} for a
  booking whose script raised an error (the others are unaffected).
]]
local function reserveOne(KEYS, ARGV)
--@include reserve.lua
end

local count = tonumber(ARGV[1])
local replies = {}
local keyAt, argAt = 0, 1 + 2 * count
for b = 1, count do
  local keyCount, argCount = tonumber(ARGV[2 * b]), tonumber(ARGV[2 * b + 1])
  local keys, args = {}, {}
  for k = 1, keyCount do keys[k] = KEYS[keyAt + k] end
  for a = 1, argCount do args[a] = ARGV[argAt + a] end
  keyAt, argAt = keyAt + keyCount, argAt + argCount
  local ok, reply = pcall(reserveOne, keys, args)
  if ok then
    replies[b] = reply
  else
    replies[b] = {-99, type(reply) == 'table' and tostring(reply.err) or tostring(reply)}
  end
end
return replies

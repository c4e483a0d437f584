--[[
  Sets one local day of a store's Redis inventory from a MySQL snapshot:
  booked = MySQL booked + units of holds MySQL cannot have seen yet (live
  holds, and holds persisted after the snapshot began). Every overlap between
  the two counts makes `booked` too high, never too low, so a repair can only
  make Redis more cautious than the truth, and the next pass settles it.

  Input:
    KEYS[1]    epoch      absent = state lost; 'repair' mode then refuses, 'rebuild' mode proceeds
    KEYS[2]    holds      zset of live holds
    KEYS[3]    persisted  zset of persisted holds by Redis time
    KEYS[4]    capacity   the day's capacity hash
    KEYS[5]    booked     the day's booked-units hash
    KEYS[6..]  hold       one per bookingId in ARGV, same order

    ARGV[1]  local date of KEYS[4] and KEYS[5]
    ARGV[2]  snapshot start (Redis ms): persisted entries at or after it are counted
    ARGV[3]  mode: 'repair' or 'rebuild'
    ARGV[4]  inventory ttl (s)
    ARGV[5]  H = number of bookingIds, then ARGV[6 .. 5+H] the ids (every live hold and every
             persisted-since-snapshot hold the caller saw)
    then     triples: field "<resource>:<minute>", capacity, MySQL booked

  Output:
    {0, cells changed, cells checked}
    {-5} epoch missing in repair mode     {-6} a hold appeared that the caller did not pass: call again
]]
if ARGV[3] == 'repair' and redis.call('EXISTS', KEYS[1]) == 0 then return {-5} end

local holdCount = tonumber(ARGV[5])
local passed = {}
for h = 1, holdCount do passed[ARGV[5 + h]] = 5 + h end
local recent = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if not passed[id] then return {-6} end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[2], '+inf')) do
  if not passed[id] then return {-6} end
  recent[id] = true
end

local unseen = {}
for id, keyIndex in pairs(passed) do
  local hold = redis.call('HMGET', KEYS[keyIndex], 'st', 'cells', 'days')
  if hold[1] == 'H' or (hold[1] == 'P' and recent[id]) then
    local days = {}
    for day in string.gmatch(hold[3] or '', '[^,]+') do days[#days + 1] = day end
    for cell in string.gmatch(hold[2] or '', '[^;]+') do
      local dayIndex, field, quantity = string.match(cell, '^(%d+)|([^|]+)|(%d+)$')
      if days[tonumber(dayIndex)] == ARGV[1] then
        unseen[field] = (unseen[field] or 0) + tonumber(quantity)
      end
    end
  end
end

local changed, checked = 0, 0
local t = 6 + holdCount
while t + 2 <= #ARGV do
  local field, capacity = ARGV[t], tonumber(ARGV[t + 1])
  local expected = tonumber(ARGV[t + 2]) + (unseen[field] or 0)
  local currentCapacity = redis.call('HGET', KEYS[4], field)
  local currentBooked = redis.call('HGET', KEYS[5], field)
  if tonumber(currentCapacity) ~= capacity or tonumber(currentBooked) ~= expected then
    redis.call('HSET', KEYS[4], field, capacity)
    redis.call('HSET', KEYS[5], field, expected)
    changed = changed + 1
  end
  checked = checked + 1
  t = t + 3
end
redis.call('EXPIRE', KEYS[4], tonumber(ARGV[4]))
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[4]))
return {0, changed, checked}

--[[
  First half of a reschedule: takes the cells of the new slot for a booking that
  already holds the old ones, all or nothing, and keeps the old ones counted
  until MySQL has committed the move (settleMove.lua then gives back whichever
  side lost). While the move is open Redis counts, per cell, the larger of the
  old and the new units, so it is never less cautious than MySQL, whose
  transaction may still roll back; a cell shared by the old and the new slot is
  counted once, so a booking can move by less than its own length.
  Checks run first and writes last, so a refusal changes nothing.

  Input:
    KEYS[1]    epoch        store inventory epoch; absent = Redis lost its state, rebuild first
    KEYS[2]    hold         the booking's hold (it may be gone or released: then only counters move)
    KEYS[3]    persisted    zset of persisted holds by Redis time, read by repairInventory
    KEYS[4]    customerDay  the customer's counter of the new local date (checked only if ARGV[3] > 0)
    KEYS[5..]  inventory    per local date d = 1..D: KEYS[3 + 2d] capacity, KEYS[4 + 2d] booked

    ARGV[1]  bookingId
    ARGV[2]  moveId (settleMove acts only on the move it was given)
    ARGV[3]  per-customer daily limit to apply, 0 = none (the caller passes 0 when the date stays)
    ARGV[4]  customer counter ttl (s)
    ARGV[5]  hold ttl (s): the hold lives at least this long (the new end may be later)
    ARGV[6]  window (ms): the hold is stamped "persisted at now + window" so every reconcile
             pass until then counts its cells on top of MySQL (which cannot see the move yet)
    ARGV[7]  days: the D local dates joined by ',', sorted
    ARGV[8]  O = number of old cells; then O triples (date index, cell field, units)
    then     G = number of requirement groups; per group: units, C = candidate count;
             per candidate: N = cell count, then N pairs (date index, cell field)

  Output:
    {1, tracked (1 = the hold was rewritten), chosen candidate index per group...}
    {-1} sold out    {-2} closed (a needed cell does not exist)    {-3} customer daily limit reached
    {-5} epoch missing (rebuilding)
]]
local epochKey, holdKey, persistedKey, customerKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local bookingId, moveId = ARGV[1], ARGV[2]
local limit = tonumber(ARGV[3])

if redis.call('EXISTS', epochKey) == 0 then return {-5} end
if limit > 0 and tonumber(redis.call('GET', customerKey) or '0') >= limit then return {-3} end

local i = 8
local oldUnits, oldDay = {}, {}
for _ = 1, tonumber(ARGV[i]) do
  local d, cell, units = tonumber(ARGV[i + 1]), ARGV[i + 2], tonumber(ARGV[i + 3])
  oldUnits[cell] = (oldUnits[cell] or 0) + units
  oldDay[cell] = d
  i = i + 3
end
i = i + 1

local groupCount = tonumber(ARGV[i])
i = i + 1
local newUnits, newDay = {}, {}
local chosen = {}
for g = 1, groupCount do
  local units = tonumber(ARGV[i])
  local candidateCount = tonumber(ARGV[i + 1])
  i = i + 2
  local sawOpen = false
  for c = 1, candidateCount do
    local cellCount = tonumber(ARGV[i])
    local first = i + 1
    if chosen[g] == nil then
      local byDate = {}
      for k = 0, cellCount - 1 do
        local d = tonumber(ARGV[first + 2 * k])
        byDate[d] = byDate[d] or {}
        table.insert(byDate[d], ARGV[first + 2 * k + 1])
      end
      local fits, open = true, true
      for d, cells in pairs(byDate) do
        local capacity = redis.call('HMGET', KEYS[3 + 2 * d], unpack(cells))
        local booked = redis.call('HMGET', KEYS[4 + 2 * d], unpack(cells))
        for n, cell in ipairs(cells) do
          if not capacity[n] then
            fits, open = false, false
            break
          end
          -- What the others hold: the counter without this booking's own old units.
          local others = math.max(0, tonumber(booked[n] or '0') - (oldUnits[cell] or 0))
          if others + (newUnits[cell] or 0) + units > tonumber(capacity[n]) then fits = false end
        end
        if not open then break end
      end
      if open then sawOpen = true end
      if fits then
        chosen[g] = c
        for k = 0, cellCount - 1 do
          local cell = ARGV[first + 2 * k + 1]
          newUnits[cell] = (newUnits[cell] or 0) + units
          newDay[cell] = tonumber(ARGV[first + 2 * k])
        end
      end
    end
    i = first + 2 * cellCount
  end
  if chosen[g] == nil then
    if sawOpen then return {-1} end
    return {-2}
  end
end

local packed = {}
for cell, units in pairs(newUnits) do
  local extra = units - (oldUnits[cell] or 0)
  if extra > 0 then redis.call('HINCRBY', KEYS[4 + 2 * newDay[cell]], cell, extra) end
  packed[#packed + 1] = newDay[cell] .. '|' .. cell .. '|' .. math.max(units, oldUnits[cell] or 0)
end
for cell, units in pairs(oldUnits) do
  if newUnits[cell] == nil then packed[#packed + 1] = oldDay[cell] .. '|' .. cell .. '|' .. units end
end

local state = redis.call('HGET', holdKey, 'st')
local tracked = state == 'H' or state == 'P'
if tracked then
  -- The hold lists exactly what Redis counts for the booking, so a release in the meantime frees it all.
  redis.call('HSET', holdKey, 'cells', table.concat(packed, ';'), 'days', ARGV[7], 'mv', moveId)
  local ttl = redis.call('TTL', holdKey)
  if ttl >= 0 and ttl < tonumber(ARGV[5]) then redis.call('EXPIRE', holdKey, tonumber(ARGV[5])) end
  if state == 'P' then
    local t = redis.call('TIME')
    local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    redis.call('ZADD', persistedKey, nowMs + tonumber(ARGV[6]), bookingId)
  end
end
if limit > 0 then
  redis.call('INCR', customerKey)
  redis.call('EXPIRE', customerKey, tonumber(ARGV[4]))
end

local reply = {1, tracked and 1 or 0}
for g = 1, groupCount do reply[#reply + 1] = chosen[g] end
return reply

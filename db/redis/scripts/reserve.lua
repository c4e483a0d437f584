--[[
  Reserves every inventory cell one booking needs, all or nothing, records the
  hold, and appends the booking intent to the store's intent stream, all in one
  atomic step: a hold never exists without its intent, so reserve and enqueue
  cannot come apart (the relay moves intents from the stream into BullMQ).
  Checks run first and writes last, so a refusal changes nothing (Lua scripts
  have no rollback).

  Input:
    KEYS[1]    epoch        store inventory epoch; absent = Redis lost its state, rebuild first
    KEYS[2]    idempotency  "bookingId|requestHash" of the first request with this key
    KEYS[3]    hold         hash for the new hold
    KEYS[4]    holds        zset bookingId -> deadline (ms), swept by leaseExpiredHolds
    KEYS[5]    customerDay  the customer's bookings at this store on the booking's local date
    KEYS[6]    intents      stream of accepted bookings waiting to be relayed into the persist queue
    KEYS[7..]  inventory    per local date d = 1..D, two hashes keyed by cell "<resource>:<minute>":
                            KEYS[5 + 2d] capacity, KEYS[6 + 2d] booked
    KEYS[7+2D] allocations  only when K > 0: hash resource -> bookings taken on the booking's local date
                            (the daily caps of core/src/allocation; released by releaseHold.lua)
    KEYS[last] customerWeek the customer's bookings at this store in the booking's ISO week (core/src/priority;
                            always passed, counted only when the weekly limit > 0; released by releaseHold.lua)

    ARGV[1]  bookingId
    ARGV[2]  customerId (informational; the key names carry it)
    ARGV[3]  requestHash
    ARGV[4]  deadline (ms)
    ARGV[5]  per-customer daily limit, 0 = none (then nothing is counted: a limit switched on later
             counts from then on)
    ARGV[6]  idempotency ttl (s)
    ARGV[7]  hold ttl (s)
    ARGV[8]  intent (opaque JSON kept with the hold)
    ARGV[9]  days: the D local dates joined by ','
    ARGV[10] K = number of capped resources; when K > 0: ARGV[11] the booking's local date, then K pairs
             (resource id, daily cap). A candidate whose resource is at its cap does not fit (the next one
             is tried), and the chosen capped resources count one booking each.
    then     G = number of requirement groups; per group: units, C = candidate count;
             per candidate: its packed cells (below)

    trailing ARGV (always the last eight, read from the end; core/src/priority):
             [-8] per-customer weekly limit, 0 = none (then nothing is counted, like the daily limit)
             [-7] the booking's ISO week label (kept in the hold as `cwk`, so a release knows what was counted)
             [-6] weekly counter ttl (s): past the end of that week
             [-5] VIP-reserved units R per cell of this service, 0 = none
             [-4] cut-off instant (ms): before it a caller who is not VIP may only use capacity - R of each cell
             [-3] 1 = the caller may use the reserved share (VIP member, or staff urgent insertion)
             [-2] now (ms, the caller's clock)
             [-1] 1 = enforce the daily and weekly limits; 0 = count the booking but do not refuse it
                  (staff urgent insertion). Capacity, caps and the reserved rule never depend on it.

  A candidate's packed cells ("dateIndex|cell|units" joined by ';') come from the caller, and the
  hold and the stream entry keep the chosen candidates' packed cells as they are in `cells`, with
  `days` to resolve the date indexes. The script reads a candidate's cells from that one argument,
  and only while it still looks for a candidate for the group: one argument per candidate instead
  of two per cell is what the gateway encodes and Redis parses per booking.

  Output:
    {1, bookingId, chosen candidate index per group...}   reserved
    {2, bookingId}   replay: the same request was accepted before under this key
    {-1} sold out    {-2} closed (a needed cell does not exist)    {-3} customer daily limit reached
    {-4} idempotency key reused for a different request          {-5} epoch missing (rebuilding)
    {-6} customer weekly limit reached
    {-7} only the VIP-reserved share is left (a candidate would fit in the full capacity, none fits in capacity - R)
]]
local epochKey, idemKey, holdKey, holdsKey, customerKey, intentsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local bookingId, requestHash = ARGV[1], ARGV[3]
local limit = tonumber(ARGV[5])
local argc = #ARGV
local weeklyLimit, weekLabel, weekTtl = tonumber(ARGV[argc - 7]), ARGV[argc - 6], tonumber(ARGV[argc - 5])
local enforceLimits = ARGV[argc] == '1'
-- held: units of every cell this caller may not use (the reserved share, before the cut-off, for non-VIPs).
local held = 0
if ARGV[argc - 2] ~= '1' and tonumber(ARGV[argc - 1]) < tonumber(ARGV[argc - 3]) then held = tonumber(ARGV[argc - 4]) end
local weekKey = KEYS[#KEYS]

if redis.call('EXISTS', epochKey) == 0 then return {-5} end

local previous = redis.call('GET', idemKey)
if previous then
  local sep = string.find(previous, '|', 1, true)
  if string.sub(previous, sep + 1) ~= requestHash then return {-4} end
  return {2, string.sub(previous, 1, sep - 1)}
end

if enforceLimits and limit > 0 and tonumber(redis.call('GET', customerKey) or '0') >= limit then return {-3} end
if enforceLimits and weeklyLimit > 0 and tonumber(redis.call('GET', weekKey) or '0') >= weeklyLimit then return {-6} end

local capCount = tonumber(ARGV[10])
local caps, capKey, capDate = nil, nil, nil
local i = 11
if capCount > 0 then
  caps = {}
  capKey = KEYS[#KEYS - 1]
  capDate = ARGV[11]
  for k = 0, capCount - 1 do caps[ARGV[12 + 2 * k]] = tonumber(ARGV[13 + 2 * k]) end
  i = 12 + 2 * capCount
end
-- capChosen[resource]: a capped resource this booking takes (counted once even if two groups use it).
local capChosen = {}
local capList = {}

local groupCount = tonumber(ARGV[i])
i = i + 1
-- newBooked[d][cell]: the booked count each chosen cell will have, so two groups sharing a cell add up.
local newBooked = {}
local chosen = {}
local packed = {}

for g = 1, groupCount do
  local units = tonumber(ARGV[i])
  local candidateCount = tonumber(ARGV[i + 1])
  i = i + 2
  local sawOpen, sawReserved = false, false
  for c = 1, candidateCount do
    local cellDates, cellFields, cellCount = nil, nil, 0
    if chosen[g] == nil then
      cellDates, cellFields = {}, {}
      for d, cell in string.gmatch(ARGV[i], '(%d+)|([^|;]+)|[^;]*') do
        cellCount = cellCount + 1
        cellDates[cellCount] = tonumber(d)
        cellFields[cellCount] = cell
      end
    end
    local capped, capResource = false, nil
    if caps and chosen[g] == nil and cellCount > 0 then
      capResource = string.match(cellFields[1], '^(%d+):')
      local cap = caps[capResource]
      if cap == nil then
        capResource = nil
      elseif not capChosen[capResource] and tonumber(redis.call('HGET', capKey, capResource) or '0') >= cap then
        capped = true
        sawOpen = true
      end
    end
    if chosen[g] == nil and not capped then
      -- One HMGET per date and hash for the candidate's cells (a booking spans one date, rarely two).
      local byDate = {}
      for k = 1, cellCount do
        local d = cellDates[k]
        local cells = byDate[d]
        if cells == nil then
          cells = {}
          byDate[d] = cells
        end
        cells[#cells + 1] = cellFields[k]
      end
      local fits, open, fitsAll = true, true, true
      local current = {}
      for d, cells in pairs(byDate) do
        local capacity = redis.call('HMGET', KEYS[5 + 2 * d], unpack(cells))
        local booked = redis.call('HMGET', KEYS[6 + 2 * d], unpack(cells))
        local pending = newBooked[d] or {}
        local seen = {}
        current[d] = seen
        for n, cell in ipairs(cells) do
          if not capacity[n] then
            fits, open = false, false
            break
          end
          local now = pending[cell] or tonumber(booked[n] or '0')
          seen[cell] = now
          local free = tonumber(capacity[n]) - now
          if free < units then
            fits, fitsAll = false, false
          elseif free - held < units then
            fits = false
          end
        end
        if not open then break end
      end
      if open then sawOpen = true end
      if open and fitsAll and not fits then sawReserved = true end
      if fits then
        chosen[g] = c
        if capResource and not capChosen[capResource] then
          capChosen[capResource] = true
          capList[#capList + 1] = capResource
        end
        packed[#packed + 1] = ARGV[i]
        for k = 1, cellCount do
          local d = cellDates[k]
          local cell = cellFields[k]
          local pending = newBooked[d]
          if pending == nil then
            pending = {}
            newBooked[d] = pending
          end
          pending[cell] = current[d][cell] + units
        end
      end
    end
    i = i + 1
  end
  if chosen[g] == nil then
    if sawReserved then return {-7} end
    if sawOpen then return {-1} end
    return {-2}
  end
end

for d, pending in pairs(newBooked) do
  local fieldsAndValues = {}
  for cell, value in pairs(pending) do
    fieldsAndValues[#fieldsAndValues + 1] = cell
    fieldsAndValues[#fieldsAndValues + 1] = value
  end
  redis.call('HSET', KEYS[6 + 2 * d], unpack(fieldsAndValues))
end

local holdTtl = tonumber(ARGV[7])
local cells = table.concat(packed, ';')
redis.call('SET', idemKey, bookingId .. '|' .. requestHash, 'EX', tonumber(ARGV[6]))
redis.call('HSET', holdKey, 'st', 'H', 'cells', cells, 'days', ARGV[9], 'intent', ARGV[8])
redis.call('EXPIRE', holdKey, holdTtl)
if #capList > 0 then
  for _, resource in ipairs(capList) do redis.call('HINCRBY', capKey, resource, 1) end
  if redis.call('TTL', capKey) < holdTtl then redis.call('EXPIRE', capKey, holdTtl) end
  redis.call('HSET', holdKey, 'capr', capDate .. '|' .. table.concat(capList, ','))
end
redis.call('ZADD', holdsKey, ARGV[4], bookingId)
if limit > 0 then
  redis.call('INCR', customerKey)
  redis.call('EXPIRE', customerKey, holdTtl)
end
if weeklyLimit > 0 then
  redis.call('INCR', weekKey)
  if redis.call('TTL', weekKey) < weekTtl then redis.call('EXPIRE', weekKey, weekTtl) end
  redis.call('HSET', holdKey, 'cwk', weekLabel)
end
redis.call('XADD', intentsKey, '*', 'id', bookingId, 'intent', ARGV[8], 'cells', cells, 'days', ARGV[9])

local reply = {1, bookingId}
for g = 1, groupCount do reply[#reply + 1] = chosen[g] end
return reply

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
    KEYS[7..]  inventory    one hash per local date: c:<resource>:<minute> = capacity, b:<...> = booked

    ARGV[1]  bookingId
    ARGV[2]  customerId
    ARGV[3]  requestHash
    ARGV[4]  deadline (ms)
    ARGV[5]  per-customer daily limit, 0 = none
    ARGV[6]  idempotency ttl (s)
    ARGV[7]  hold ttl (s)
    ARGV[8]  intent (opaque JSON kept with the hold)
    ARGV[9]  D = number of inventory keys, then ARGV[10 .. 9+D] their local dates
    then     G = number of requirement groups; per group: quantity, C = candidate count;
             per candidate: resourceId, N = cell count, then N pairs (inventory key index 1..D, field "<resource>:<minute>")

  The hold and the stream entry carry the intent as: `intent` (ARGV[8]), `cells` ("dayIndex|field|units"
  joined by ';', dayIndex into `days`) and `days` (the D local dates joined by ',').

  Output:
    {1, bookingId, chosen candidate index per group...}   reserved
    {2, bookingId}   replay: the same request was accepted before under this key
    {-1} sold out    {-2} closed (a needed cell does not exist)    {-3} customer daily limit reached
    {-4} idempotency key reused for a different request          {-5} epoch missing (rebuilding)
]]
local epochKey, idemKey, holdKey, holdsKey, customerKey, intentsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local INV = 6 -- inventory key i is KEYS[INV + i]
local bookingId, customerId, requestHash = ARGV[1], ARGV[2], ARGV[3]
local deadline = tonumber(ARGV[4])
local limit = tonumber(ARGV[5])

if redis.call('EXISTS', epochKey) == 0 then return {-5} end

local previous = redis.call('GET', idemKey)
if previous then
  local sep = string.find(previous, '|', 1, true)
  if string.sub(previous, sep + 1) ~= requestHash then return {-4} end
  return {2, string.sub(previous, 1, sep - 1)}
end

if limit > 0 and tonumber(redis.call('GET', customerKey) or '0') >= limit then return {-3} end

local dayCount = tonumber(ARGV[9])
local i = 10 + dayCount
local groupCount = tonumber(ARGV[i])
i = i + 1

local tentative = {}  -- units already claimed by earlier groups of this booking, per cell
local claims = {}     -- chosen cells: {keyIndex, field, quantity}
local chosen = {}

for g = 1, groupCount do
  local quantity = tonumber(ARGV[i])
  local candidateCount = tonumber(ARGV[i + 1])
  i = i + 2
  local pick = nil
  local sawOpen = false
  for c = 1, candidateCount do
    local cellCount = tonumber(ARGV[i + 1])
    local firstCell = i + 2
    i = firstCell + 2 * cellCount
    if pick == nil then
      local fits, open = true, true
      for k = 0, cellCount - 1 do
        local keyIndex = tonumber(ARGV[firstCell + 2 * k])
        local field = ARGV[firstCell + 2 * k + 1]
        local state = redis.call('HMGET', KEYS[INV + keyIndex], 'c:' .. field, 'b:' .. field)
        if not state[1] then
          fits, open = false, false
          break
        end
        local free = tonumber(state[1]) - tonumber(state[2] or '0') - (tentative[keyIndex .. '|' .. field] or 0)
        if free < quantity then
          fits = false
          break
        end
      end
      if open then sawOpen = true end
      if fits then
        pick = c
        for k = 0, cellCount - 1 do
          local keyIndex = tonumber(ARGV[firstCell + 2 * k])
          local field = ARGV[firstCell + 2 * k + 1]
          local slot = keyIndex .. '|' .. field
          tentative[slot] = (tentative[slot] or 0) + quantity
          claims[#claims + 1] = {keyIndex, field, quantity}
        end
      end
    end
  end
  if pick == nil then
    if sawOpen then return {-1} end
    return {-2}
  end
  chosen[g] = pick
end

local packed = {}
for n, claim in ipairs(claims) do
  redis.call('HINCRBY', KEYS[INV + claim[1]], 'b:' .. claim[2], claim[3])
  packed[n] = claim[1] .. '|' .. claim[2] .. '|' .. claim[3]
end
local dates = {}
for d = 1, dayCount do dates[d] = ARGV[9 + d] end

local holdTtl = tonumber(ARGV[7])
local cells, days = table.concat(packed, ';'), table.concat(dates, ',')
redis.call('SET', idemKey, bookingId .. '|' .. requestHash, 'EX', tonumber(ARGV[6]))
redis.call('HSET', holdKey, 'st', 'H', 'cust', customerId, 'dl', deadline, 'cells', cells, 'days', days, 'intent', ARGV[8])
redis.call('EXPIRE', holdKey, holdTtl)
redis.call('ZADD', holdsKey, deadline, bookingId)
redis.call('INCR', customerKey)
redis.call('EXPIRE', customerKey, holdTtl)
redis.call('XADD', intentsKey, '*', 'id', bookingId, 'intent', ARGV[8], 'cells', cells, 'days', days)

local reply = {1, bookingId}
for g = 1, groupCount do reply[#reply + 1] = chosen[g] end
return reply

--[[
  The release-expired sweep's first step: returns holds whose deadline has
  passed and pushes each deadline forward by a lease, so a sweeper that dies
  before finishing leaves them to the next sweep instead of losing them. The
  caller then settles each one against MySQL (the booking row decides whether
  it expired or was persisted) and releases it with releaseHold.

  Input:
    KEYS[1] holds  zset bookingId -> deadline (ms)
    ARGV[1] now (ms)
    ARGV[2] lease (ms)
    ARGV[3] max holds to return

  Output:
    { bookingId, ... }
]]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local leasedUntil = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, bookingId in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', leasedUntil, bookingId)
end
return due

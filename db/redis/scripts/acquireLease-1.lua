--[[
  Takes or renews a leader lease: succeeds if the lease is free or already ours.

  Input:
    KEYS[1] lease
    ARGV[1] owner token
    ARGV[2] lease length (ms)

  Output:
    1 we hold the lease, 0 someone else does
]]
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return 1

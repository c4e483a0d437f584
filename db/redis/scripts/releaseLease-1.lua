--[[
  Gives up a leader lease, only if we still hold it (it may have expired and
  passed to another instance while we were paused).

  Input:
    KEYS[1] lease
    ARGV[1] owner token

  Output:
    1 released, 0 not ours
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0

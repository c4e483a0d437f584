--[[
  Drops the cached WeChat access token, but only if it is still the token the
  caller saw rejected: another process may already have fetched and cached a
  newer one, which must survive (compare-and-delete).

  Input:
    KEYS[1] cached token (keys.wechatAccessToken(appid).token)
    ARGV[1] the token WeChat rejected

  Output:
    1 dropped, 0 the cache held another token or none
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0

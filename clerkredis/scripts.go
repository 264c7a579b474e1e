package clerkredis

import "github.com/redis/go-redis/v9"

// reserveScript is one GCRA decision over every key in KEYS, on Redis's clock.
//
// For key i, ARGV[2i-1] is its emission interval and ARGV[2i] its tolerance,
// both in microseconds; the last ARGV is the longest wait the caller accepts
// (microseconds, negative for no bound). A key holds the theoretical arrival
// time (TAT) in microseconds of Redis's TIME; a missing key means "now".
//
// The request is scheduled at the earliest time every key allows it. If that
// is within the caller's bound, every TAT moves on by its interval from that
// time (the slot is reserved) and the script returns {1, wait}; otherwise
// nothing changes and it returns {0, wait}. Each key expires when its TAT
// passes, because from then on a missing key means the same.
var reserveScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
local maxwait = tonumber(ARGV[2 * n + 1])
local tats = {}
local at = now
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local allow = tat - tonumber(ARGV[2 * i])
  if allow > at then at = allow end
end
local wait = at - now
if maxwait >= 0 and wait > maxwait then
  return {0, math.ceil(wait)}
end
for i = 1, n do
  local tat = tats[i]
  if at > tat then tat = at end
  tat = tat + tonumber(ARGV[2 * i - 1])
  redis.call('SET', KEYS[i], string.format('%.0f', math.ceil(tat)), 'PX', math.ceil((tat - now) / 1000) + 1)
end
return {1, math.ceil(wait)}
`)

// throttleScript pushes the TAT of KEYS[1] to at least ARGV[1] microseconds
// from now plus the tolerance ARGV[2], so that the next request is allowed
// no earlier than ARGV[1] from now, and refills the burst from there.
var throttleScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local want = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if want > tat then
  redis.call('SET', KEYS[1], string.format('%.0f', math.ceil(want)), 'PX', math.ceil((want - now) / 1000) + 1)
end
return 1
`)

// claimScript reports 2 (Handled) when KEYS[1], the handled key, exists;
// otherwise it sets KEYS[2], the claim, to ARGV[1] for ARGV[2] milliseconds if
// it is absent and reports 1 (Claimed), or 3 (Busy) when it is not.
var claimScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 3
`)

// completeScript records KEYS[1], the handled key, for ARGV[2] milliseconds
// and deletes KEYS[2], the claim, if it still holds this claim's token ARGV[1].
var completeScript = redis.NewScript(`
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`)

// releaseScript deletes KEYS[1], the claim, if it still holds the token ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

-- LMGate limit store: charge what a response used, atomically.
--
-- KEYS[i]  the state of limit i: a TOKENS bucket hash {level, updated_ms} or a budget counter.
-- ARGV[1]  now, epoch milliseconds (the buckets refill up to it first).
-- ARGV[2 + 3(i-1) ..] per limit: kind, p1, p2 —
--   'T' (TOKENS bucket): p1 = perMinute, p2 = tokens to take (the level may go below zero)
--   'B' (budget counter of the arrival's period): p1 = the integer increment (tokens, or USD in
--       nano-dollars), p2 = its time to live, milliseconds (until a while after the period ends)
--
-- Levels are in sixtieth-thousandths of a token, as in acquire.lua.
local SCALE = 60000
-- the lowest a level can be charged to: far below any real debt, and exact as a double
local FLOOR = -4e15

local function refill(b, now, cap)
  if now <= b.updated then return end
  local capS = cap * SCALE
  if b.level >= capS or (now - b.updated) * cap >= capS - b.level then
    b.level = capS
  else
    b.level = b.level + (now - b.updated) * cap
  end
  b.updated = now
end

local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local key = KEYS[i]
  local kind = ARGV[3 * i - 1]
  if kind == 'T' then
    local cap = tonumber(ARGV[3 * i])
    local tokens = tonumber(ARGV[3 * i + 1])
    local s = redis.call('HMGET', key, 'level', 'updated_ms')
    local b
    if s[1] and s[2] then
      b = { level = tonumber(s[1]), updated = tonumber(s[2]) }
    else
      b = { level = cap * SCALE, updated = now }
    end
    refill(b, now, cap)
    b.level = math.max(FLOOR, b.level - tokens * SCALE)
    redis.call('HSET', key, 'level', string.format('%.17g', b.level),
      'updated_ms', string.format('%.17g', b.updated))
    local ttl = 60000
    if b.level < cap * SCALE then
      ttl = math.ceil((cap * SCALE - b.level) / cap) + 60000
    end
    redis.call('PEXPIRE', key, ttl)
  else
    redis.call('INCRBY', key, ARGV[3 * i])
    redis.call('PEXPIRE', key, ARGV[3 * i + 1])
  end
end
return 0

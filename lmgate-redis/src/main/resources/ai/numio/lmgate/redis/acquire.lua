-- LMGate limit store: admit one request against all of its limits, atomically.
--
-- KEYS[i]  the state of limit i: a bucket hash {level, updated_ms} or a budget counter.
-- ARGV[1]  now, epoch milliseconds (passed in: replicas never read the server's clock).
-- ARGV[2 + 3(i-1) ..] per limit: kind, p1, p2 —
--   'R' (REQUESTS bucket) / 'T' (TOKENS bucket): p1 = perMinute
--   'B' (budget): p1 = the amount, in the counter's unit; p2 = milliseconds until its period ends
--
-- A bucket's level is kept in sixtieth-thousandths of a token (x 60000), so a refill of
-- elapsed_ms x perMinute is an integer and every step below is exact integer arithmetic on doubles
-- (exact below 2^53). Absent bucket = full. A now before updated_ms refills nothing.
--
-- Returns one number per limit: 0 when it passes, else the milliseconds (>= 1) until it would.
-- When every limit passes, 1 is taken from each REQUESTS bucket; otherwise nothing is written.
local SCALE = 60000

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
local out = {}
local refused = false
local buckets = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local kind = ARGV[3 * i - 1]
  local p1 = tonumber(ARGV[3 * i])
  if kind == 'B' then
    local spent = tonumber(redis.call('GET', key) or '0')
    if spent >= p1 then
      out[i] = tonumber(ARGV[3 * i + 1])
      refused = true
    else
      out[i] = 0
    end
  else
    local b = buckets[key]
    if not b then
      local s = redis.call('HMGET', key, 'level', 'updated_ms')
      if s[1] and s[2] then
        b = { level = tonumber(s[1]), updated = tonumber(s[2]) }
      else
        b = { level = p1 * SCALE, updated = now }
      end
      buckets[key] = b
    end
    refill(b, now, p1)
    if b.level >= SCALE then
      out[i] = 0
    else
      out[i] = math.ceil((SCALE - b.level) / p1)
      refused = true
    end
  end
end

if not refused then
  for i = 1, #KEYS do
    if ARGV[3 * i - 1] == 'R' then
      local key = KEYS[i]
      local cap = tonumber(ARGV[3 * i])
      local b = buckets[key]
      b.level = b.level - SCALE
      redis.call('HSET', key, 'level', string.format('%.17g', b.level),
        'updated_ms', string.format('%.17g', b.updated))
      -- idle until full again, then a minute more: an absent bucket reads as full
      redis.call('PEXPIRE', key, math.ceil((cap * SCALE - b.level) / cap) + 60000)
    end
  end
end
return out

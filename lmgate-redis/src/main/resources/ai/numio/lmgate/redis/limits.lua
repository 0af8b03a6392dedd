-- LMGate limit store: one script for everything a replica asks of Redis, atomically.
--
-- First it applies the charges a replica has queued (the background flush, or the queue a lease
-- call takes along), in order; then, in mode 'L', it takes a lease for one request's limits.
--
-- KEYS[1]  this replica's "applied" key: a flush ('F') sets it to the flush's sequence number, a
--          lease reads it (so the replica knows whether its flush in flight is in the snapshot).
-- ARGV[1]  mode: 'F' (charges only) or 'L' (charges, then a lease)
-- ARGV[2]  number of charges, C
-- ARGV[3]  the flush's sequence number (mode 'F'; '0' otherwise)
-- Charge c (KEYS[1 + c], ARGV[4 + 4(c-1) ..]): kind, p1, p2, p3 —
--   'T' (TOKENS bucket): p1 = perMinute, p2 = tokens to take (the level may go below zero),
--       p3 = now (the bucket refills up to it first)
--   'B' (budget counter of the arrival's period): p1 = the increment (tokens, or USD in
--       nano-dollars), p2 = its time to live, milliseconds (until a while after the period ends)
--   'G' (REQUESTS bucket): p1 = perMinute, p2 = unused lease tokens given back (the level is
--       capped at the capacity; no refill: a give-back never moves the bucket's time)
-- Lease (mode 'L'; KEYS[2 + C ..], ARGV after the charges): now, maxGrant, divisor, then per
-- limit: kind, p1, p2, p3 —
--   'R' (REQUESTS bucket) / 'T' (TOKENS bucket): p1 = perMinute; 'T': p3 = the replica's average
--       charge per request to it (-1: none seen yet)
--   'B' (budget): p1 = the amount, in the counter's unit; p2 = milliseconds until its period ends;
--       p3 = the average charge, as for 'T'
--
-- A bucket's level is kept in sixtieth-thousandths of a token (x 60000), so a refill of
-- elapsed_ms x perMinute is an integer and every step below is exact integer arithmetic on doubles
-- (exact below 2^53). Absent bucket = full. A now before updated_ms refills nothing.
--
-- The lease: when every limit passes (a bucket holds at least 1, a budget is below its amount),
-- grant = the smallest of each limit's grant, where a REQUESTS bucket grants
-- clamp(floor(available / divisor), 1, maxGrant) and a TOKENS bucket or budget grants
-- clamp(floor(headroom / (divisor x average)), 1, maxGrant) (1 while the average is unknown,
-- maxGrant when it is 0); grant tokens are taken from each REQUESTS bucket. Otherwise nothing is
-- taken and grant is 0.
-- Returns {grant, applied, then per limit: wait_ms (0 when it passes), value, updated} where value
-- is a bucket's level (scaled, after the lease) or a budget's spending, and updated a bucket's
-- time. Mode 'F' returns 0.
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

local function load(key, cap, now)
  local s = redis.call('HMGET', key, 'level', 'updated_ms')
  if s[1] and s[2] then
    return { level = tonumber(s[1]), updated = tonumber(s[2]) }
  end
  return { level = cap * SCALE, updated = now }
end

local function store(key, b, cap)
  redis.call('HSET', key, 'level', string.format('%.17g', b.level),
    'updated_ms', string.format('%.17g', b.updated))
  -- idle until full again, then a minute more: an absent bucket reads as full
  local ttl = 60000
  if b.level < cap * SCALE then
    ttl = math.ceil((cap * SCALE - b.level) / cap) + 60000
  end
  redis.call('PEXPIRE', key, ttl)
end

local function clamp(n, hi)
  n = math.floor(n)
  if n < 1 then return 1 end
  if n > hi then return hi end
  return n
end

local mode = ARGV[1]
local charges = tonumber(ARGV[2])
local a = 4
for c = 1, charges do
  local key = KEYS[1 + c]
  local kind = ARGV[a]
  if kind == 'T' then
    local cap = tonumber(ARGV[a + 1])
    local b = load(key, cap, tonumber(ARGV[a + 3]))
    refill(b, tonumber(ARGV[a + 3]), cap)
    b.level = math.max(FLOOR, b.level - tonumber(ARGV[a + 2]) * SCALE)
    store(key, b, cap)
  elseif kind == 'B' then
    redis.call('INCRBY', key, ARGV[a + 1])
    redis.call('PEXPIRE', key, ARGV[a + 2])
  elseif kind == 'G' then
    local s = redis.call('HMGET', key, 'level', 'updated_ms')
    -- an absent bucket is full: nothing to give back to
    if s[1] and s[2] then
      local cap = tonumber(ARGV[a + 1])
      local b = { level = tonumber(s[1]), updated = tonumber(s[2]) }
      b.level = math.min(cap * SCALE, b.level + tonumber(ARGV[a + 2]) * SCALE)
      store(key, b, cap)
    end
  end
  a = a + 4
end

if mode == 'F' then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', 600000)
  return 0
end

local applied = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[a])
local maxGrant = tonumber(ARGV[a + 1])
local divisor = tonumber(ARGV[a + 2])
a = a + 3
local first = 2 + charges
local n = #KEYS - first + 1
local out = { 0, applied }
local refused = false
local grant = maxGrant
local buckets = {}
for i = 1, n do
  local key = KEYS[first + i - 1]
  local kind = ARGV[a + 4 * (i - 1)]
  local p1 = tonumber(ARGV[a + 4 * (i - 1) + 1])
  local avg = tonumber(ARGV[a + 4 * (i - 1) + 3])
  local wait = 0
  local value = 0
  local updated = 0
  local g = maxGrant
  if kind == 'B' then
    local spent = tonumber(redis.call('GET', key) or '0')
    value = spent
    if spent >= p1 then
      wait = tonumber(ARGV[a + 4 * (i - 1) + 2])
    elseif avg < 0 then
      g = 1
    elseif avg > 0 then
      g = clamp((p1 - spent) / (divisor * avg), maxGrant)
    end
  else
    local b = buckets[key]
    if not b then
      b = load(key, p1, now)
      buckets[key] = b
    end
    refill(b, now, p1)
    value = b.level
    updated = b.updated
    if b.level < SCALE then
      wait = math.ceil((SCALE - b.level) / p1)
    elseif kind == 'R' then
      g = clamp(math.floor(b.level / SCALE) / divisor, maxGrant)
    elseif avg < 0 then
      g = 1
    elseif avg > 0 then
      g = clamp(math.floor(b.level / SCALE) / (divisor * avg), maxGrant)
    end
  end
  if wait > 0 then refused = true end
  if g < grant then grant = g end
  out[3 + 3 * (i - 1)] = wait
  out[4 + 3 * (i - 1)] = value
  out[5 + 3 * (i - 1)] = updated
end

if refused then
  return out
end
out[1] = grant
for i = 1, n do
  if ARGV[a + 4 * (i - 1)] == 'R' then
    local key = KEYS[first + i - 1]
    local cap = tonumber(ARGV[a + 4 * (i - 1) + 1])
    local b = buckets[key]
    b.level = b.level - grant * SCALE
    store(key, b, cap)
    out[4 + 3 * (i - 1)] = b.level
  end
end
return out

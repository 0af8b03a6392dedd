-- wrk script for the LMGate benchmark: a realistic chat-completion POST, optional pacing,
-- and a machine-readable summary line (wrk's own --latency table stops at p99).
--   BENCH_KEY       sent as "Authorization: Bearer <key>" when set
--   BENCH_DELAY_MS  mean think time before each request on each connection (paced load:
--                   rate ~= connections / (delay + latency)); uniform in [0.5, 1.5] x mean
wrk.method = "POST"
wrk.body = '{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a haiku about latency."}],"max_tokens":64,"temperature":0.7}'
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if delay_ms > 0 then
  function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
  function delay()
    return math.floor(delay_ms * (0.5 + math.random()) + 0.5)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50=%d p90=%d p99=%d p999=%d max=%d mean=%.1f\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end

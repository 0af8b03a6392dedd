#!/usr/bin/env python3
"""Concurrent SSE streams against a proxy (or the upstream directly); prints one JSON summary.

For each stream: time to first byte of the first event (TTFB, from the request write),
per-event delivery delay (client receive time minus the upstream's CLOCK_MONOTONIC write
time carried in each event's "t" field: same machine, same clock), and coalescing (an
event whose last byte arrived in the same recv() as the previous event's is "coalesced").

usage: sse_client.py URL STREAMS EVENTS INTERVAL_MS [KEY] [RAMP_S]
"""
import asyncio
import json
import re
import sys
import time
from urllib.parse import urlsplit

T_RE = re.compile(rb'"t":(\d+)')


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Dechunker:
    def __init__(self):
        self.buf = b""
        self.remaining = 0  # bytes of chunk data still expected (+2 for CRLF handled below)
        self.done = False

    def feed(self, data):
        self.buf += data
        out = []
        while not self.done:
            if self.remaining > 0:
                take = self.buf[:self.remaining]
                out.append(take)
                self.buf = self.buf[len(take):]
                self.remaining -= len(take)
                if self.remaining > 0:
                    break
                self.remaining = -2  # expect CRLF
            if self.remaining == -2:
                if len(self.buf) < 2:
                    break
                self.buf = self.buf[2:]
                self.remaining = 0
            nl = self.buf.find(b"\r\n")
            if nl < 0:
                break
            size = int(self.buf[:nl].split(b";")[0], 16)
            self.buf = self.buf[nl + 2:]
            if size == 0:
                self.done = True
                break
            self.remaining = size
        return b"".join(out)


async def one_stream(host, port, path, key, events, interval_ms, result):
    body = json.dumps({"model": "gpt-4o-mini", "stream": True,
                       "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": "Count to forty."}],
                       "bench_events": events, "bench_interval_ms": interval_ms}).encode()
    head = ("POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
            "Accept: text/event-stream\r\nContent-Length: %d\r\n" % (path, host, port, len(body)))
    if key:
        head += "Authorization: Bearer %s\r\n" % key
    head += "Connection: close\r\n\r\n"
    reader, writer = await asyncio.open_connection(host, port)
    try:
        t0 = time.monotonic_ns()
        writer.write(head.encode() + body)
        await writer.drain()
        raw = b""
        while b"\r\n\r\n" not in raw:
            data = await reader.read(65536)
            if not data:
                raise ConnectionError("closed before headers")
            raw += data
        now = time.monotonic_ns()
        header, _, rest = raw.partition(b"\r\n\r\n")
        status = int(header.split(b" ", 2)[1])
        chunked = b"transfer-encoding: chunked" in header.lower()
        dech = Dechunker() if chunked else None
        text = b""
        ttfb = None
        delays, arrivals, batches = [], [], []
        batch = 0
        seen_done = False
        data = rest
        while True:
            if data:
                text += dech.feed(data) if dech else data
                while b"\n\n" in text:
                    ev, _, text = text.partition(b"\n\n")
                    if ev.strip() == b"data: [DONE]":
                        seen_done = True
                        continue
                    m = T_RE.search(ev)
                    if ttfb is None:
                        ttfb = now - t0
                    if m:
                        delays.append(now - int(m.group(1)))
                    arrivals.append(now)
                    batches.append(batch)
            if seen_done or (dech and dech.done):
                break
            data = await reader.read(65536)
            now = time.monotonic_ns()
            batch += 1
            if not data:
                break
        coalesced = sum(1 for i in range(1, len(batches)) if batches[i] == batches[i - 1])
        gaps = [arrivals[i] - arrivals[i - 1] for i in range(1, len(arrivals))]
        result.append({"status": status, "events": len(arrivals), "ttfb": ttfb,
                       "delays": delays, "coalesced": coalesced, "gaps": gaps,
                       "done": seen_done})
    except Exception as e:  # reported, not fatal to the run
        result.append({"status": None, "error": repr(e), "events": 0, "ttfb": None,
                       "delays": [], "coalesced": 0, "gaps": [], "done": False})
    finally:
        writer.close()


async def main():
    url, streams, events, interval_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    key = sys.argv[5] if len(sys.argv) > 5 and sys.argv[5] != "-" else None
    ramp = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    u = urlsplit(url)
    result = []
    tasks = []
    t_start = time.monotonic()
    for i in range(streams):
        if ramp:
            await asyncio.sleep(max(0.0, t_start + ramp * i / streams - time.monotonic()))
        tasks.append(asyncio.create_task(
            one_stream(u.hostname, u.port, u.path, key, events, interval_ms, result)))
    await asyncio.gather(*tasks)
    ok = [r for r in result if r["status"] == 200 and r["events"] == events and r["done"]]
    ttfbs = [r["ttfb"] for r in ok]
    delays = [d for r in ok for d in r["delays"]]
    gaps = [g for r in ok for g in r["gaps"]]
    us = lambda v: None if v is None else round(v / 1000.0, 1)
    print(json.dumps({
        "streams": streams, "ok": len(ok),
        "errors": [r.get("error") or r["status"] for r in result if r not in ok][:5],
        "ttfb_p50_us": us(pct(ttfbs, 50)), "ttfb_p99_us": us(pct(ttfbs, 99)),
        "ttfb_max_us": us(max(ttfbs) if ttfbs else None),
        "delay_p50_us": us(pct(delays, 50)), "delay_p99_us": us(pct(delays, 99)),
        "delay_max_us": us(max(delays) if delays else None),
        "gap_p1_ms": us(pct(gaps, 1) / 1000 if gaps else None),
        "gap_p99_ms": us(pct(gaps, 99) / 1000 if gaps else None),
        "coalesced": sum(r["coalesced"] for r in ok),
        "events_total": sum(r["events"] for r in ok),
        "wall_s": round(time.monotonic() - t_start, 2)}))


if __name__ == "__main__":
    asyncio.run(main())

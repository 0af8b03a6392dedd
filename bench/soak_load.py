#!/usr/bin/env python3
"""The allowed part of the LMGate soak load (stdlib only), counted exactly.

JSON_CONNS keep-alive connections send chat completions through the gateway's openai route
(answered by bench's static nginx upstream), paced to JSON_RATE requests/s in all; STREAMS
workers each send streaming requests through the ssebench route (answered by sse_upstream.py:
EVENTS events INTERVAL_MS apart), one after the other on a keep-alive connection. A request
counts as completed only when its whole response has been read and checked: status 200 and the
exact completion body, or every event of the stream, its usage and [DONE]. After SECONDS no new
request starts and those in flight finish, so completed requests and usage records can be
compared one for one. Prints one JSON line: completed and failed per kind, the first failures.

usage: soak_load.py PORT KEY SECONDS JSON_CONNS JSON_RATE STREAMS EVENTS INTERVAL_MS
"""
import asyncio
import json
import sys
import time

from bench import COMPLETION
from sse_client import Dechunker

HOST = "127.0.0.1"
TIMEOUT = 30.0
JSON_BODY = (b'{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful '
             b'assistant."},{"role":"user","content":"Write a haiku about latency."}],'
             b'"max_tokens":64,"temperature":0.7}')


class Tally:
    def __init__(self):
        self.completed = {"json": 0, "sse": 0}
        self.failed = {"json": 0, "sse": 0}
        self.failures = []

    def fail(self, kind, what):
        self.failed[kind] += 1
        if len(self.failures) < 10:
            self.failures.append("%s: %s" % (kind, what))


def request_head(path, key, length, accept):
    return ("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer %s\r\nAccept: %s\r\nContent-Length: %d\r\n\r\n"
            % (path, HOST, key, accept, length)).encode()


async def read_head(reader):
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    return status, headers


async def json_worker(port, key, deadline, interval, tally):
    reader = writer = None
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        now = time.monotonic()
        await asyncio.sleep(max(0.0, next_at - now))
        next_at = max(next_at, now - 1.0) + interval  # behind by over 1 s: no burst to catch up
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request_head("/openai/v1/chat/completions", key, len(JSON_BODY),
                                      "application/json") + JSON_BODY)
            status, headers = await read_head(reader)
            body = await asyncio.wait_for(
                reader.readexactly(int(headers.get("content-length", "0"))), TIMEOUT)
            if status != 200 or body.decode() != COMPLETION:
                tally.fail("json", "status %d, body %r" % (status, body[:120]))
            else:
                tally.completed["json"] += 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.TimeoutError, ValueError) as e:
            tally.fail("json", repr(e))
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def stream_worker(port, key, deadline, events, interval_ms, tally):
    body = json.dumps({"model": "gpt-4o-mini", "stream": True,
                       "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": "Count to twenty."}],
                       "bench_events": events, "bench_interval_ms": interval_ms}).encode()
    usage = b'"usage":{"prompt_tokens":57,"completion_tokens":%d,' % (events - 1)
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request_head("/ssebench/v1/chat/completions", key, len(body),
                                      "text/event-stream") + body)
            status, headers = await read_head(reader)
            dech = Dechunker()
            text = b""
            while not dech.done:
                data = await asyncio.wait_for(reader.read(65536), TIMEOUT)
                if not data:
                    raise ConnectionError("closed mid-stream")
                text += dech.feed(data)
            evs = [e for e in text.split(b"\n\n") if e.strip()]
            if (status != 200 or len(evs) != events + 1 or evs[-1] != b"data: [DONE]"
                    or usage not in evs[-2]):
                tally.fail("sse", "status %d, %d events, last %r" % (
                    status, len(evs), evs[-2:] if evs else None))
            else:
                tally.completed["sse"] += 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                asyncio.TimeoutError, ValueError) as e:
            tally.fail("sse", repr(e))
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def main():
    port, key, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    json_conns, json_rate = int(sys.argv[4]), float(sys.argv[5])
    streams, events, interval_ms = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    tasks = [json_worker(port, key, deadline, json_conns / json_rate, tally)
             for _ in range(json_conns)]
    tasks += [stream_worker(port, key, deadline, events, interval_ms, tally)
              for _ in range(streams)]
    await asyncio.gather(*tasks)
    print(json.dumps({"completed": tally.completed, "failed": tally.failed,
                      "failures": tally.failures,
                      "wall_s": round(time.monotonic() - started, 1)}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())

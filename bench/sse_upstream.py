#!/usr/bin/env python3
"""A tiny paced SSE upstream for the LMGate benchmark (stdlib only).

Answers any POST with an OpenAI chat-completion stream: N chunk events, `interval_ms`
apart, the last one carrying usage (as with stream_options.include_usage), then
`data: [DONE]`. Each event carries `"t": <CLOCK_MONOTONIC ns when written>` so the
client (same machine) can measure per-event delivery delay; unknown fields are
ignored by a transparent gateway. Parameters come from the JSON body:
`bench_events` (default 40) and `bench_interval_ms` (default 20).
HTTP/1.1 keep-alive, chunked responses; requests with Content-Length or chunked bodies.

usage: sse_upstream.py PORT
"""
import asyncio
import json
import sys
import time

PROMPT_TOKENS = 57


def chunk(i, n, created):
    t = time.monotonic_ns()
    if i < n - 1:
        body = ('{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":%d,'
                '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1",'
                '"choices":[{"index":0,"delta":{"content":" token%d"},"logprobs":null,'
                '"finish_reason":null}],"usage":null,"t":%d}' % (created, i, t))
    else:
        body = ('{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":%d,'
                '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1",'
                '"choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,'
                '"total_tokens":%d},"t":%d}' % (created, PROMPT_TOKENS, n - 1,
                                               PROMPT_TOKENS + n - 1, t))
    data = ("data: " + body + "\n\n")
    if i == n - 1:
        data += "data: [DONE]\n\n"
    raw = data.encode()
    return b"%x\r\n%s\r\n" % (len(raw), raw)


async def read_body(reader, headers):
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out = b""
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                return out
            out += await reader.readexactly(size)
            await reader.readline()
    n = int(headers.get("content-length", "0"))
    return await reader.readexactly(n) if n else b""


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                continue
            headers = {}
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode("latin-1").partition(":")
                headers[k.strip().lower()] = v.strip()
            body = await read_body(reader, headers)
            try:
                params = json.loads(body or b"{}")
            except ValueError:
                params = {}
            n = int(params.get("bench_events", 40))
            interval = float(params.get("bench_interval_ms", 20)) / 1000.0
            created = int(time.time())
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         b"Cache-Control: no-cache\r\nx-request-id: req_bench\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            start = time.monotonic()
            for i in range(n):
                if i:
                    await asyncio.sleep(max(0.0, start + i * interval - time.monotonic()))
                writer.write(chunk(i, n, created))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))

"""SSE decoding throughput: nemo_core.sse against httpx-sse, side by side in one run.

    python bench/bench_sse.py [--mb 50] [--repeat 3] [--chunk 65536]

Both decoders get the same bytes in the same chunks. httpx-sse is timed the way it
consumes a response: an incremental UTF-8 decode (httpx's ``iter_text``), its
``SSELineDecoder`` and its ``SSEDecoder``. The runs are interleaved and the best of
``--repeat`` is kept, so background load on a shared machine hurts both alike.
"""

from __future__ import annotations

import argparse
import codecs
import json
import time
from collections.abc import Callable

from httpx_sse._decoders import SSEDecoder as HttpxSSEDecoder
from httpx_sse._decoders import SSELineDecoder

from nemo_core.sse import SSEDecoder


def make_stream(megabytes: float, newline: str) -> bytes:
    """Realistic ADK traffic: partial text events, tool calls, heartbeats, ids."""
    blocks: list[str] = []
    size = 0
    n = 0
    target = int(megabytes * 1024 * 1024)
    while size < target:
        n += 1
        if n % 50 == 0:
            block = ": ping" + newline + newline
        elif n % 7 == 0:
            call = {"functionCall": {"id": f"c{n}", "name": "edit_multitrack", "args": {"op": n}}}
            event = {"content": {"role": "model", "parts": [call]}, "author": "nemo", "id": f"e{n}"}
            block = "id: " + str(n) + newline + "data: " + json.dumps(event) + newline + newline
        else:
            part = {"text": f"piece {n} of the answer, with some words "}
            event = {"content": {"role": "model", "parts": [part]}, "partial": True, "id": f"e{n}"}
            block = "data: " + json.dumps(event) + newline + newline
        blocks.append(block)
        size += len(block)
    return "".join(blocks).encode()


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def run_nemo(chunks: list[bytes]) -> int:
    decoder = SSEDecoder()
    count = 0
    for chunk in chunks:
        count += len(decoder.feed(chunk))
    return count + len(decoder.close())


def run_httpx_sse(chunks: list[bytes]) -> int:
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines = SSELineDecoder()
    decoder = HttpxSSEDecoder()
    count = 0
    for chunk in chunks:
        for line in lines.decode(text.decode(chunk)):
            if decoder.decode(line) is not None:
                count += 1
    for line in lines.flush():
        if decoder.decode(line) is not None:
            count += 1
    return count


def best_time(fn: Callable[[list[bytes]], int], chunks: list[bytes]) -> tuple[float, int]:
    start = time.perf_counter()
    count = fn(chunks)
    return time.perf_counter() - start, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=65536)
    args = parser.parse_args()
    for name, newline in (("LF", "\n"), ("CRLF", "\r\n")):
        data = make_stream(args.mb, newline)
        chunks = chunked(data, args.chunk)
        times: dict[str, float] = {"nemo": float("inf"), "httpx-sse": float("inf")}
        counts: dict[str, int] = {}
        for _ in range(args.repeat):  # interleaved: both see the same machine load
            for label, fn in (("nemo", run_nemo), ("httpx-sse", run_httpx_sse)):
                elapsed, count = best_time(fn, chunks)
                times[label] = min(times[label], elapsed)
                counts[label] = count
        mb = len(data) / 1e6
        print(f"{name}: {mb:.1f} MB, {len(chunks)} chunks of {args.chunk} bytes")
        for label in times:
            t = times[label]
            print(f"  {label:10s} {counts[label] / t:12,.0f} events/s  {mb / t:8.1f} MB/s")
        # httpx-sse also dispatches id-only/comment-free blocks differently; compare ours
        # with the spec, not with it: the ratio is what this script is for.
        print(f"  ratio nemo / httpx-sse throughput: {times['httpx-sse'] / times['nemo']:.2f}x")


if __name__ == "__main__":
    main()

"""A loopback HTTP/1.1 server for the benchmarks, run in its own process (asyncio, keep-alive).

Prints its port on the first line of stdout, answers every request with a small metrics
document, and exits after ``--seconds`` at the latest (bounded, like every load test here).
"""

from __future__ import annotations

import argparse
import asyncio

BODY = b'{"account_metrics":{"a":{"latest":{"latency":1.5,"recordsLag":3,"status":"Active"}}}}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(seconds: float) -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=2048)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await asyncio.sleep(seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    asyncio.run(main(parser.parse_args().seconds))

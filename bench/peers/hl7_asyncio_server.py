#!/usr/bin/python3
"""Peer for bench/run.sh: python-hl7's asyncio MLLP server (Debian python3-hl7).

Each frame is parsed with hl7.parse (done by hl7.mllp's reader) and answered with the message's
create_ack() (AA; MSA-2 echoes MSH-10). Stores nothing.
Usage: /usr/bin/python3 hl7_asyncio_server.py PORT [PORT_FILE]   (PORT 0 picks a free port)
"""
import asyncio
import os
import signal
import sys

import hl7
import hl7.mllp


async def handle(reader, writer):
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            writer.writemessage(message.create_ack())
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        if not writer.is_closing():
            writer.close()


async def main(port, port_file):
    server = await hl7.mllp.start_hl7_server(handle, host="127.0.0.1", port=port, limit=1 << 20)
    if port_file:
        with open(port_file + ".tmp", "w") as out:
            out.write("%d\n" % server.sockets[0].getsockname()[1])
        os.rename(port_file + ".tmp", port_file)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with server:
        await stop


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0, sys.argv[2] if len(sys.argv) > 2 else None))

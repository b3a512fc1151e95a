"""SMTP sink of the send benchmark: accepts every message and appends it, unparsed, to a spool file.

    sink.py --spool FILE [--host 127.0.0.1] [--port 0]

Prints "LISTENING <port>" on stdout once it accepts connections. Each accepted message is appended to the spool as
"<byte length>\\n<the message bytes as received>\\n" before the 250 reply is sent, so every message the sender saw
accepted is in the spool once the sink has stopped (SIGTERM or SIGINT: stop listening, flush, exit 0). Parsing is
left to the benchmark (after its clock stopped), which keeps this process's CPU per message low: it shares the
machine's cores with the sender being measured.
"""
import argparse
import asyncio
import signal
import sys

from aiosmtpd.smtp import SMTP


class Spool:
    def __init__(self, path):
        self.file = open(path, "wb", buffering=1 << 20)
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content if envelope.original_content is not None else envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        self.file.write(b"%d\n" % len(data))
        self.file.write(data)
        self.file.write(b"\n")
        self.count += 1
        return "250 OK"

    def close(self):
        self.file.flush()
        self.file.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    spool = Spool(args.spool)
    loop = asyncio.get_running_loop()
    # decode_data=False: the message stays bytes; no size limit (the default 33 MB is far above our emails anyway).
    server = await loop.create_server(
        lambda: SMTP(spool, hostname="sink.local", decode_data=False, data_size_limit=None, enable_SMTPUTF8=True),
        host=args.host, port=args.port, reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("LISTENING %d" % server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()
    spool.close()
    print("STOPPED %d" % spool.count, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)

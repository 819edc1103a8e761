#!/usr/bin/python3
"""MLLP over TLS with Python's ssl module: an external client for the interop tests.

Usage: mllp_tls_client.py HOST PORT CA_FILE [--cert FILE --key FILE] [--tls1_1] MESSAGE
Sends MESSAGE (\\n becomes \\r) in one MLLP frame and prints the response frame's payload.
Exit codes: 0 answer printed; 2 the handshake or exchange failed (reason on stderr);
3 this machine's OpenSSL cannot offer the requested protocol at all.
"""
import socket
import ssl
import sys


def main(argv):
    args = list(argv[1:])
    cert = key = None
    tls11 = False
    if "--cert" in args:
        i = args.index("--cert"); cert = args[i + 1]; del args[i:i + 2]
    if "--key" in args:
        i = args.index("--key"); key = args[i + 1]; del args[i:i + 2]
    if "--tls1_1" in args:
        args.remove("--tls1_1"); tls11 = True
    host, port, ca, message = args[0], int(args[1]), args[2], args[3]

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    if cert:
        context.load_cert_chain(cert, key)
    if tls11:
        try:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            context.minimum_version = ssl.TLSVersion.TLSv1_1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
        except (ValueError, ssl.SSLError) as e:
            print("cannot offer TLS 1.1 here: %s" % e, file=sys.stderr)
            return 3
    frame = b"\x0b" + message.replace("\\n", "\r").encode() + b"\x1c\x0d"
    try:
        with socket.create_connection((host, port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(frame)
                data = b""
                while not data.endswith(b"\x1c\x0d"):
                    chunk = tls.recv(65536)
                    if not chunk:
                        raise ConnectionError("connection closed before a response")
                    data += chunk
    except ssl.SSLError as e:
        if "NO_PROTOCOLS_AVAILABLE" in str(e) or "no protocols available" in str(e):
            print("cannot offer TLS 1.1 here: %s" % e, file=sys.stderr)
            return 3
        print("TLS error: %s" % e, file=sys.stderr)
        return 2
    except (OSError, ConnectionError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    sys.stdout.write(data[1:-2].decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""`explainer filter`: both framings, several messages, a bad message passing through, and
streaming (one message out, flushed, before the next one goes in).

usage: filter_test.py EXPLAINER_CLI CONFIG FIXTURES_DIR

Every message out must equal what `explainer enrich --config CONFIG` prints for the same
bytes; a message that cannot be read must come out unchanged, with the reason on stderr and
none of its content there.
"""
import os
import select
import subprocess
import sys
import tempfile

cli, config, fixtures = sys.argv[1:4]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def read(name):
    with open(os.path.join(fixtures, name), "rb") as f:
        return f.read()


def as_block(data):
    """The fixture as one blank-line-separated block: LF line ends, no blank line inside."""
    lines = [l for l in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n") if l]
    return b"\n".join(lines) + b"\n"


def cli_enrich(data):
    with tempfile.NamedTemporaryFile(suffix=".msg") as f:
        f.write(data)
        f.flush()
        run = subprocess.run([cli, "enrich", "--config", config, f.name],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return run.stdout if run.returncode == 0 else None


BAD = b"NOT A MESSAGE Jane SECRETNAME 1970-01-01\n"
messages = [as_block(read("radiology/ct-chest.hl7")),
            as_block(read("radiology/adt-a01.hl7")),
            BAD,
            as_block(read("fhir/radiology/mri-lumbar-spine.json")),
            as_block(read("radiology/mri-knee.hl7"))]
expected = [cli_enrich(m) for m in messages]
check(expected[2] is None, "the bad message should not be readable")
expected[2] = BAD  # fail open: passes through unchanged
check(expected[0] != messages[0] and expected[3] != messages[3],
      "fixtures expected to be enriched were not")


def run_filter(stdin, *options):
    return subprocess.run([cli, "filter", "--config", config, *options], input=stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)


# Blank-line framing: blocks separated by one or more blank lines (CRLF blank lines too).
stream = b"\n".join(messages) + b"\r\n\n"
run = run_filter(stream)
check(run.returncode == 0, "blank-line filter exit %d" % run.returncode)
want = b"".join(e + (b"" if e.endswith(b"\n") else b"\n") + b"\n" for e in expected)
check(run.stdout == want, "blank-line output differs from `explainer enrich` per message")
check(b"message 3 passed through unenriched" in run.stderr,
      "no reason for the bad message on stderr: %r" % run.stderr)
check(b"SECRETNAME" not in run.stderr and b"1970" not in run.stderr,
      "message content on stderr")
check(b"5 message(s)" in run.stderr, "count on stderr: %r" % run.stderr)

# MLLP framing, auto-detected; bytes between frames are ignored.
frames = b"".join(b"\x0b" + m + b"\x1c\x0d\r\n" for m in messages)
run = run_filter(frames)
check(run.returncode == 0, "MLLP filter exit %d" % run.returncode)
check(run.stdout == b"".join(b"\x0b" + e + b"\x1c\x0d" for e in expected),
      "MLLP output differs from `explainer enrich` per message")
check(b"message 3 passed through unenriched" in run.stderr, "MLLP: no reason on stderr")

# --framing blank on input that starts with a VT byte treats it as data, not a frame.
run = run_filter(b"\x0bMSH|broken\n", "--framing", "blank")
check(run.stdout == b"\x0bMSH|broken\n\n", "forced blank framing: %r" % run.stdout)

# Streaming as a co-process: each answer arrives before the next message is sent.
process = subprocess.Popen([cli, "filter", "--config", config], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
for message, want in zip(messages, expected):
    process.stdin.write(b"\x0b" + message + b"\x1c\x0d")
    process.stdin.flush()
    frame = b""
    while not frame.endswith(b"\x1c\x0d"):
        ready, _, _ = select.select([process.stdout], [], [], 60)
        if not ready:
            break
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            break
        frame += chunk
    check(frame == b"\x0b" + want + b"\x1c\x0d", "co-process: answer missing or different")
process.stdin.close()
check(process.wait(timeout=60) == 0, "co-process exit status")

print("filter: %s" % ("FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)

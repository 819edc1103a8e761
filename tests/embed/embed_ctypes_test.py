#!/usr/bin/python3
"""libexplainer from Python through ctypes: a second foreign-language host.

usage: embed_ctypes_test.py LIBEXPLAINER CONFIG EXPLAINER_CLI FIXTURE...

Expected outputs come from the real CLI, this time with explicit options instead of --config
(`explainer enrich --mappings M --content C --default-language en FILE`), so the library's
configuration path and the CLI's option path are checked against each other. Then 4 threads
enrich every fixture concurrently (ctypes releases the GIL during the call) and every result
must equal the CLI's output byte for byte; bad input must give an error code and a message.
"""
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import threading

lib_path, config, cli = sys.argv[1:4]
fixtures = sys.argv[4:]
repo = os.path.abspath(os.path.join(os.path.dirname(config), "..", ".."))

lib = ctypes.CDLL(lib_path)
c_engine_p = ctypes.c_void_p
c_result_p = ctypes.c_void_p
lib.explainer_abi_version.restype = ctypes.c_int
lib.explainer_version.restype = ctypes.c_char_p
lib.explainer_last_error.restype = ctypes.c_char_p
lib.explainer_engine_create.argtypes = [ctypes.c_char_p, ctypes.POINTER(c_engine_p)]
lib.explainer_engine_create.restype = ctypes.c_int
lib.explainer_engine_reload.argtypes = [c_engine_p]
lib.explainer_engine_destroy.argtypes = [c_engine_p]
lib.explainer_engine_destroy.restype = None
lib.explainer_enrich.argtypes = [c_engine_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int,
                                 ctypes.c_uint, ctypes.POINTER(c_result_p)]
lib.explainer_enrich.restype = ctypes.c_int
lib.explainer_result_status.argtypes = [c_result_p]
lib.explainer_result_error.argtypes = [c_result_p]
lib.explainer_result_error.restype = ctypes.c_char_p
lib.explainer_result_data.argtypes = [c_result_p, ctypes.POINTER(ctypes.c_size_t)]
lib.explainer_result_data.restype = ctypes.c_void_p
lib.explainer_result_enriched.argtypes = [c_result_p]
lib.explainer_result_summary.argtypes = [c_result_p]
lib.explainer_result_summary.restype = ctypes.c_char_p
lib.explainer_result_free.argtypes = [c_result_p]
lib.explainer_result_free.restype = None

EXPLAINER_OK, INVALID_ARGUMENT, CONFIG, DATA, INPUT = 0, 1, 2, 3, 4

failures = []
failures_lock = threading.Lock()


def check(condition, message):
    if not condition:
        with failures_lock:
            failures.append(message)
        print("FAIL:", message, file=sys.stderr)


def enrich(engine, data, fmt=0, flags=0):
    """Returns (status, output bytes or None, enriched, summary dict, error text)."""
    result = c_result_p()
    status = lib.explainer_enrich(engine, data, len(data), fmt, flags, ctypes.byref(result))
    try:
        size = ctypes.c_size_t()
        pointer = lib.explainer_result_data(result, ctypes.byref(size))
        output = ctypes.string_at(pointer, size.value) if pointer else None
        summary = json.loads(lib.explainer_result_summary(result).decode())
        return (status, output, lib.explainer_result_enriched(result),
                summary, lib.explainer_result_error(result).decode())
    finally:
        lib.explainer_result_free(result)


check(lib.explainer_abi_version() == 1, "ABI version")
cases = []
for path in fixtures:
    with open(path, "rb") as f:
        data = f.read()
    cli_run = subprocess.run(
        [cli, "enrich", "--mappings", os.path.join(repo, "mappings"), "--content",
         os.path.join(repo, "content"), "--default-language", "en", path],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    cases.append((path, data, cli_run.returncode == 0, cli_run.stdout))

engine = c_engine_p()
status = lib.explainer_engine_create(config.encode(), ctypes.byref(engine))
check(status == EXPLAINER_OK, "create: %s" % lib.explainer_last_error())
if status != EXPLAINER_OK:
    sys.exit(1)

enriched_total = sum(enrich(engine, data)[2] for _, data, _, _ in cases)
check(enriched_total > 0, "no fixture was enriched")


def worker(index):
    for round_ in range(4):
        for k in range(len(cases)):
            path, data, cli_ok, expected = cases[(k + index * 5) % len(cases)]
            status, output, _, summary, error = enrich(engine, data)
            if cli_ok:
                check(status == EXPLAINER_OK and output == expected,
                      "%s differs from `explainer enrich` (%s)" % (path, error))
                check(summary["ok"] is True and "explanations" in summary, "summary of " + path)
            else:
                check(status != EXPLAINER_OK and output is None and error,
                      "%s: the CLI failed but the library did not" % path)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()

# Bad input: an error code and a message, never a crash.
for what, data, fmt, flags, expected in [
        ("garbage", b"\x00\x01\xffgarbage", 0, 0, INPUT),
        ("empty", b"", 0, 0, INPUT),
        ("broken JSON", b"{\"resourceType\": [", 0, 0, INPUT),
        ("unknown format", b"MSH|^~\\&|", 9, 0, INVALID_ARGUMENT),
        ("unknown flag", b"MSH|^~\\&|", 0, 1 << 20, INVALID_ARGUMENT)]:
    status, output, _, summary, error = enrich(engine, data, fmt, flags)
    check(status == expected and output is None and error and summary["ok"] is False,
          "%s: status %d, error %r" % (what, status, error))

check(lib.explainer_enrich(None, b"x", 1, 0, 0, None) == INVALID_ARGUMENT, "NULL engine")
bad = c_engine_p()
check(lib.explainer_engine_create(b"/nonexistent.properties", ctypes.byref(bad)) == CONFIG
      and not bad.value and lib.explainer_last_error(), "bad config path")
check(lib.explainer_engine_create(None, ctypes.byref(bad)) == INVALID_ARGUMENT, "NULL config")
with tempfile.TemporaryDirectory() as scratch:
    broken = os.path.join(scratch, "broken.properties")
    with open(broken, "w") as f:
        f.write("paths.mappings = no-such-dir\npaths.content = %s\n" % os.path.join(repo, "content"))
    check(lib.explainer_engine_create(broken.encode(), ctypes.byref(bad)) == DATA
          and b"no-such-dir" in lib.explainer_last_error(), "missing mappings: DATA error")
    with open(broken, "w") as f:
        f.write("policy.sensitiv = hold\n")
    check(lib.explainer_engine_create(broken.encode(), ctypes.byref(bad)) == CONFIG
          and b"policy.sensitiv" in lib.explainer_last_error(), "unknown key: CONFIG error")
check(lib.explainer_engine_reload(engine) == EXPLAINER_OK, "reload")
lib.explainer_engine_destroy(engine)

print("%d fixture(s), %d enriched, 4 threads: %s"
      % (len(cases), enriched_total, "FAILED" if failures else "ok"))
sys.exit(1 if failures else 0)

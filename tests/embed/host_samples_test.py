#!/usr/bin/python3
"""The host samples of docs/EMBEDDING.md, run for real: the Iguana/Lua module under LuaJIT's FFI
and the Mirth deploy/transformer/undeploy scripts under Rhino with JNA. What each delivers must
equal `explainer enrich --config CONFIG` byte for byte.

usage: host_samples_test.py lua|mirth LIBEXPLAINER CONFIG EXPLAINER_CLI FIXTURE...
Exit 77 (skipped) when luajit, or rhino/JNA, is not installed (scripts/install-deps.sh --test).
"""
import os
import shutil
import subprocess
import sys
import tempfile

host, library, config, cli = sys.argv[1:5]
fixtures = sys.argv[5:]
here = os.path.dirname(os.path.abspath(__file__))
samples = os.path.join(here, "..", "..", "docs", "examples", "embedding")

if host == "mirth":
    # Mirth hands the transformer a decoded String: use fixtures that are UTF-8 text.
    def utf8(path):
        try:
            open(path, "rb").read().decode("utf-8")
            return True
        except UnicodeDecodeError:
            return False
    fixtures = [f for f in fixtures if utf8(f)]
    jars = ["/usr/share/java/rhino.jar", "/usr/share/java/jna.jar"]
    if not shutil.which("java") or not all(os.path.exists(j) for j in jars):
        print("skipped: java, rhino or JNA missing (scripts/install-deps.sh --test)")
        sys.exit(77)
elif not shutil.which("luajit"):
    print("skipped: luajit missing (scripts/install-deps.sh --test)")
    sys.exit(77)

with tempfile.TemporaryDirectory() as out:
    if host == "lua":
        env = dict(os.environ, EXPLAINER_LIBRARY=library,
                   LUA_PATH=os.path.join(samples, "?.lua") + ";;")
        command = ["luajit", os.path.join(here, "lua_host.lua"), config, out, *fixtures]
    else:
        env = dict(os.environ)
        command = ["java", "-Djna.library.path=" + os.path.dirname(library),
                   "-cp", ":".join(jars), "org.mozilla.javascript.tools.shell.Main",
                   os.path.join(here, "mirth_host.js"), samples, config, out, *fixtures]
    run = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=240)
    if run.returncode != 0:
        print(run.stdout.decode(errors="replace"), run.stderr.decode(errors="replace"))
        print("FAIL: %s host exited %d" % (host, run.returncode))
        sys.exit(1)
    failures = 0
    enriched = 0
    for i, path in enumerate(fixtures, start=1):
        expected = subprocess.run([cli, "enrich", "--config", config, path],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        with open(os.path.join(out, "%d.out" % i), "rb") as f:
            got = f.read()
        with open(path, "rb") as f:
            original = f.read()
        want = expected.stdout if expected.returncode == 0 else original  # fail open
        enriched += got != original
        if got != want:
            failures += 1
            print("FAIL: %s host: %s differs from `explainer enrich`" % (host, path))
    if enriched == 0:
        failures += 1
        print("FAIL: %s host enriched nothing" % host)
    print("%s host: %d fixture(s), %d enriched: %s"
          % (host, len(fixtures), enriched, "FAILED" if failures else "ok"))
    sys.exit(1 if failures else 0)

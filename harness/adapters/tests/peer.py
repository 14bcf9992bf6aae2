#!/usr/bin/env python3
"""An exec-protocol peer (docs/formats.md §3) for the "fake" suite of fake_suite.hpp, with planted misbehaviour.

Options (each X is a value of params.x):
  --crash-on X      SIGSEGV itself when asked x == X          --hang-on X     stop answering at x == X
  --garbage-on X    answer x == X with a line that is not JSON --bad-id-on X  answer x == X with a wrong id
  --error-on X      answer x == X with an error object        --crash-on-open  die on every open
  --no-hello        never answer hello                        --exit-at-start N  exit with status N at once
  --bad-protocol    claim protocol 2                          --pad N          pad outcomes with N bytes
  --grandchild FILE at --hang-on, first start `sleep 1000` and write its pid to FILE
  --no-flush        crash without first writing the answers already computed (a buffering implementation)
  --crash-once FILE crash (as --crash-on) only if FILE does not exist, creating it (a flaky implementation)
  --refuse-open     answer every open with an error (and keep serving)
Answers are written one write per chunk read (pipelining), and flushed before any planted failure.
"""
import json
import os
import signal
import subprocess
import sys
import time

args = sys.argv[1:]


def opt(name, default=None):
    return args[args.index(name) + 1] if name in args else default


def num(name):
    v = opt(name)
    return int(v) if v is not None else None


if opt("--exit-at-start") is not None:
    sys.exit(int(opt("--exit-at-start")))

crash_on, hang_on, garbage_on = num("--crash-on"), num("--hang-on"), num("--garbage-on")
bad_id_on, error_on, pad = num("--bad-id-on"), num("--error-on"), num("--pad") or 0
out = []


def flush():
    data = "".join(out).encode()
    out.clear()
    while data:
        n = os.write(1, data)
        data = data[n:]


def answer(rid, result):
    out.append(json.dumps({"id": rid, "result": result}, separators=(",", ":")) + "\n")


count = 0
buf = b""
while True:
    chunk = os.read(0, 1 << 16)
    if not chunk:
        break
    buf += chunk
    *lines, buf = buf.split(b"\n")
    for line in lines:
        req = json.loads(line)
        rid, method, params = req["id"], req["method"], req.get("params", {})
        if method == "hello":
            if "--no-hello" in args:
                time.sleep(1000)
            proto = 2 if "--bad-protocol" in args else 1
            answer(rid, {"protocol": proto, "name": "peer.py", "version": "1.0",
                         "features": ["fake.a"], "profile": ""})
        elif method == "open":
            if "--crash-on-open" in args:
                flush()
                os.kill(os.getpid(), signal.SIGSEGV)
            if "--refuse-open" in args:
                out.append(json.dumps({"id": rid, "error": {"message": "cannot load the state"}}) + "\n")
                continue
            count = params["state"]["start"]
            answer(rid, {})
        elif method == "echo":
            x = params["x"]
            if x == crash_on:
                if opt("--crash-once"):
                    if os.path.exists(opt("--crash-once")):
                        crash_on = None
                    else:
                        open(opt("--crash-once"), "w").close()
            if x == crash_on:
                if "--no-flush" not in args:
                    flush()
                os.kill(os.getpid(), signal.SIGSEGV)
            if x == hang_on:
                flush()
                if opt("--grandchild"):
                    p = subprocess.Popen(["sleep", "1000"])
                    with open(opt("--grandchild"), "w") as f:
                        f.write(str(p.pid))
                time.sleep(1000)
            if x == garbage_on:
                out.append("this is not json\n")
                continue
            if x == bad_id_on:
                answer(rid + 1000, {})
                continue
            if x == error_on:
                out.append(json.dumps({"id": rid, "error": {"message": "cannot do x=%d" % x}}) + "\n")
                continue
            result = {"status": "ok", "x": x, "count": count, "_pid": os.getpid()}
            if pad:
                result["_pad"] = "p" * pad
            count += 1
            answer(rid, result)
        elif method in ("close", "shutdown"):
            answer(rid, {})
            if method == "shutdown":
                flush()
                sys.exit(0)
        else:
            out.append(json.dumps({"id": rid, "error": {"message": "unknown method " + method}}) + "\n")
    flush()

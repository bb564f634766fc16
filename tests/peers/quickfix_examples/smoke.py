#!/usr/bin/env python3
"""Smoke check of the built QuickFIX examples with raw FIX over TCP.

  python3 smoke.py OUTDIR [--dict44 PATH] [--dict42 PATH]

OUTDIR is where build.sh put `executor` and `ordermatch`. For executor
(FIX.4.4 and FIX.4.2) and ordermatch (FIX.4.2) it fills in the settings
template on a free 127.0.0.1 port, starts the program with run.sh, logs on
with a raw Logon, sends a limit NewOrderSingle and checks the
ExecutionReport, then stops it with SIGTERM. Without --dict44/--dict42 the
programs run with UseDataDictionary=N. Prints 'N passed, N failed'.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import venue  # noqa: E402  (encode / split_frames / parse_fields / utc_ts)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def fill_template(name, values):
    text = open(os.path.join(HERE, name)).read()
    for k, v in values.items():
        text = text.replace("@%s@" % k, v)
    return text


class Raw:
    def __init__(self, port, begin, sender, target):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.begin, self.sender, self.target, self.seq = begin, sender, target, 1
        self.buf = bytearray()

    def send(self, msg_type, body):
        header = [("49", self.sender), ("56", self.target), ("34", str(self.seq)), ("52", venue.utc_ts())]
        self.seq += 1
        self.sock.sendall(venue.encode(self.begin, msg_type, header, body))

    def expect(self, pred, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msgs, _ = venue.split_frames(self.buf)
            for raw in msgs:
                d = dict(venue.parse_fields(raw))
                if pred(d):
                    return d
            self.sock.settimeout(max(0.05, end - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                return None
            self.buf += data
        return None


def run_case(outdir, program, template, begin, dict_path, tmp, check):
    port = free_port()
    work = tempfile.mkdtemp(prefix=program + "-", dir=tmp)
    cfg = os.path.join(work, program + ".cfg")
    with open(cfg, "w") as f:
        f.write(fill_template(template, {
            "PORT": str(port), "RESET": "Y", "SENDER": "EXCH", "TARGET": "GW", "BEGIN": begin,
            "USEDD": "Y" if dict_path else "N", "DICT": dict_path or "/dev/null", "DIR": work}))
    log = open(os.path.join(work, "out.log"), "w")
    proc = subprocess.Popen([os.path.join(HERE, "run.sh"), os.path.join(outdir, program), cfg],
                            stdout=log, stderr=subprocess.STDOUT)
    name = "%s %s%s" % (program, begin, " +dict" if dict_path else "")
    try:
        up = wait_port(port, 10)
        check(name + ": listens on 127.0.0.1:%d" % port, up)
        if not up:
            return
        c = Raw(port, begin, "GW", "EXCH")
        c.send("A", [("98", "0"), ("108", "30"), ("141", "Y")])
        m = c.expect(lambda d: d.get("35") == "A")
        check(name + ": raw Logon answered", m is not None, str(m))
        c.send("D", [("11", "S1"), ("21", "1"), ("55", "IBM"), ("54", "1"), ("60", venue.utc_ts()), ("38", "100"),
                     ("40", "2"), ("44", "10"), ("59", "0")])
        if program == "executor":
            want = "F" if begin == "FIX.4.4" else "2"
            er = c.expect(lambda d: d.get("35") == "8" and d.get("11") == "S1")
            check(name + ": D -> fill 150=%s 39=2 at the limit" % want,
                  er is not None and er.get("150") == want and er.get("39") == "2" and er.get("31") == "10", str(er))
        else:
            er = c.expect(lambda d: d.get("35") == "8" and d.get("11") == "S1")
            check(name + ": D -> ack 150=0 39=0", er is not None and er.get("150") == "0" and er.get("39") == "0", str(er))
        c.send("5", [])
        c.expect(lambda d: d.get("35") == "5", timeout=3)
        c.sock.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--dict44")
    ap.add_argument("--dict42")
    a = ap.parse_args()
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else ": " + detail), flush=True)

    tmp = tempfile.mkdtemp(prefix="qf-smoke-")
    run_case(a.outdir, "executor", "executor.cfg.in", "FIX.4.4", a.dict44, tmp, check)
    run_case(a.outdir, "executor", "executor.cfg.in", "FIX.4.2", a.dict42, tmp, check)
    run_case(a.outdir, "ordermatch", "ordermatch.cfg.in", "FIX.4.2", a.dict42, tmp, check)
    failed = results.count(False)
    if failed == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("logs kept in %s" % tmp)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

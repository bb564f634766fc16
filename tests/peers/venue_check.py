#!/usr/bin/env python3
"""Self-check of venue.py over raw sockets (Python standard library only).

Starts venue.py on a free 127.0.0.1 port and checks framing (two messages in
one send, a message split across sends, a bad checksum dropped), logon,
TestRequest -> Heartbeat, ResendRequest -> SequenceReset-GapFill, the default
symbol's ack + fill, REJ3's session Reject, the --record file, a reconnect
without reset keeping sequence numbers, MsgSeqNum too low -> Logout, and a
clean exit on SIGTERM. Prints 'N passed, N failed'; exit 0 when all passed.

  python3 venue_check.py [--begin FIX.4.2]
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import venue  # noqa: E402  (encode/split_frames/parse_fields)

SOH = "\x01"


class Client:
    def __init__(self, port, begin, sender="GW", target="VENUE"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.begin, self.sender, self.target = begin, sender, target
        self.seq = 1
        self.buf = bytearray()
        self.got = []

    def build(self, msg_type, body, seq=None, poss_dup=False):
        s = self.seq if seq is None else seq
        if seq is None:
            self.seq += 1
        header = [("49", self.sender), ("56", self.target), ("34", str(s)), ("52", venue.utc_ts())]
        if poss_dup:
            header += [("43", "Y"), ("122", venue.utc_ts())]
        return venue.encode(self.begin, msg_type, header, body)

    def send(self, *a, **k):
        self.sock.sendall(self.build(*a, **k))

    def read_until(self, pred, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for i, m in enumerate(self.got):
                if pred(m):
                    return self.got.pop(i)
            self.sock.settimeout(max(0.05, end - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            self.buf += data
            msgs, _ = venue.split_frames(self.buf)
            self.got += [dict_of(m) for m in msgs]
        for i, m in enumerate(self.got):
            if pred(m):
                return self.got.pop(i)
        return None

    def close(self):
        self.sock.close()


def dict_of(raw):
    d = {}
    for t, v in venue.parse_fields(raw):
        d.setdefault(t, v)
    d["_raw"] = raw
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--begin", default="FIX.4.4", choices=["FIX.4.4", "FIX.4.2"])
    a = ap.parse_args()
    fill_type = "F" if a.begin == "FIX.4.4" else "2"
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else ": " + detail), flush=True)

    tmp = tempfile.mkdtemp(prefix="venue-check-")
    port_file = os.path.join(tmp, "port")
    record = os.path.join(tmp, "rec.jsonl")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "venue.py"), "--port", "0", "--port-file", port_file,
                             "--sender", "VENUE", "--target", "GW", "--begin", a.begin, "--record", record,
                             "--max-runtime-s", "120"], stdin=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 10
        while not os.path.exists(port_file) and time.monotonic() < end:
            time.sleep(0.05)
        port = int(open(port_file).read())
        c = Client(port, a.begin)
        # Logon split across two sends.
        logon = c.build("A", [("98", "0"), ("108", "30"), ("141", "Y")])
        c.sock.sendall(logon[:17])
        time.sleep(0.1)
        c.sock.sendall(logon[17:])
        m = c.read_until(lambda m: m.get("35") == "A")
        check("logon answered (split message)", m is not None and m.get("141") == "Y" and m.get("34") == "1", str(m))
        # Raw check of BodyLength and CheckSum of what the venue sent.
        if m:
            raw = m["_raw"]
            body_start = raw.index(b"\x019=") + 1
            body_start = raw.index(b"\x01", body_start) + 1
            trailer = raw.rindex(b"10=")
            ok = int(dict_of(raw)["9"]) == trailer - body_start and raw[trailer + 3:trailer + 6].decode() == venue.checksum(raw[:trailer])
            check("venue's BodyLength and CheckSum", ok, raw.decode("latin-1"))
            check("SendingTime has milliseconds", len(m.get("52", "")) == 21 and m["52"][17] == ".", m.get("52"))
        # Two messages in one send: TestRequest + NewOrderSingle.
        tr = c.build("1", [("112", "PING1")])
        d = c.build("D", [("11", "O1"), ("21", "1"), ("55", "AAPL"), ("54", "1"), ("60", venue.utc_ts()), ("38", "100"),
                          ("40", "2"), ("44", "10.5")])
        c.sock.sendall(tr + d)
        hb = c.read_until(lambda m: m.get("35") == "0" and m.get("112") == "PING1")
        check("TestRequest -> Heartbeat with TestReqID", hb is not None)
        ack = c.read_until(lambda m: m.get("35") == "8" and m.get("11") == "O1" and m.get("150") == "0")
        check("default symbol: ack 150=0 39=0 with 9001", ack is not None and ack.get("39") == "0" and "9001" in ack, str(ack))
        fill = c.read_until(lambda m: m.get("35") == "8" and m.get("11") == "O1" and m.get("150") == fill_type)
        ok = fill is not None and fill.get("39") == "2" and fill.get("32") == "100" and fill.get("31") == "10.5" \
            and fill.get("14") == "100" and fill.get("151") == "0" and fill.get("880") and fill.get("30") == "XVEN"
        check("default symbol: full fill with LastQty/LastPx/880/30", ok, str(fill))
        # A garbled message (bad checksum) is dropped; the next one works.
        bad = bytearray(c.build("1", [("112", "LOST")]))
        bad[-4:-1] = b"000" if bad[-4:-1] != b"000" else b"001"
        c.seq -= 1  # it was never accepted
        c.sock.sendall(bytes(bad) + c.build("1", [("112", "PING2")]))
        hb2 = c.read_until(lambda m: m.get("35") == "0" and m.get("112") == "PING2")
        lost = c.read_until(lambda m: m.get("112") == "LOST", timeout=0.3)
        check("bad checksum dropped, next message processed", hb2 is not None and lost is None)
        # REJ3 -> session Reject.
        rej_seq = c.seq
        c.send("D", [("11", "O2"), ("21", "1"), ("55", "REJ3"), ("54", "1"), ("60", venue.utc_ts()), ("38", "1"),
                     ("40", "2"), ("44", "1")])
        r = c.read_until(lambda m: m.get("35") == "3")
        check("REJ3 -> 35=3 45=<seq> 372=D 373=5", r is not None and r.get("45") == str(rej_seq) and r.get("372") == "D"
              and r.get("373") == "5" and r.get("58"), str(r))
        # ResendRequest -> one GapFill.
        c.send("2", [("7", "1"), ("16", "0")])
        g = c.read_until(lambda m: m.get("35") == "4")
        ok = g is not None and g.get("123") == "Y" and g.get("34") == "1" and g.get("43") == "Y" and int(g.get("36", 0)) >= 5
        check("ResendRequest 1..0 -> SequenceReset-GapFill 34=1 123=Y 36=next", ok, str(g))
        next_out = int(g.get("36")) if g else 0
        # Logout.
        c.send("5", [])
        lo = c.read_until(lambda m: m.get("35") == "5")
        check("Logout answered", lo is not None)
        c.close()
        # Reconnect without reset: sequence numbers are kept.
        time.sleep(0.3)
        c2 = Client(port, a.begin)
        c2.seq = c.seq
        c2.send("A", [("98", "0"), ("108", "30")])
        m2 = c2.read_until(lambda m: m.get("35") == "A")
        check("reconnect without reset keeps venue seqnums", m2 is not None and m2.get("34") == str(next_out + 1), str(m2))  # +1: its Logout
        c2.send("5", [])
        c2.read_until(lambda m: m.get("35") == "5")
        c2.close()
        time.sleep(0.3)
        # MsgSeqNum too low -> Logout with text.
        c3 = Client(port, a.begin)
        c3.seq = 1
        c3.send("A", [("98", "0"), ("108", "30")])
        lo3 = c3.read_until(lambda m: m.get("35") == "5")
        check("logon with MsgSeqNum too low -> Logout", lo3 is not None and "too low" in lo3.get("58", ""), str(lo3))
        c3.close()
        # The record file holds what the venue received, in wire order.
        recs = [json.loads(line) for line in open(record)]
        d_rec = [r for r in recs if r["msgType"] == "D" and ["11", "O1"] in [[str(t), v] for t, v in r["fields"]]]
        ok = len(d_rec) == 1 and [t for t, _ in d_rec[0]["fields"]][:3] == [8, 9, 35] and d_rec[0]["fields"][-1][0] == 10
        check("--record has the D in wire order", ok, str(d_rec))
    except Exception as e:  # noqa: BLE001
        check("no exception", False, repr(e))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = None
        check("clean exit 0 on SIGTERM", rc == 0, str(rc))
    failed = results.count(False)
    if failed == 0:
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print("record kept in %s" % tmp)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

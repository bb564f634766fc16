#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora and FIX dictionary from the project's
own files, so that nothing in tests/fuzz/corpus/ or fix.dict is hand-edited:

  corpus/broker_inbound/   the `send` lines of tests/scenarios/*.script as
                           complete FIX messages from BROKER1 (one file per
                           message, and one stream per script)
  corpus/exchange_inbound/ ExecutionReports and OrderCancelRejects for the
                           harness's live orders GW-1..GW-6
  corpus/risk_file/        docs/examples/risk.toml, tests/crash/risk.toml
  corpus/gateway_config/   docs/examples/fixgw.cfg, tests/crash/fixgw.cfg.in
  corpus/journal_reader/   payloads and raw FIX texts of a journal, when one
                           is given with --journal: the harness's template,
                           from FIXGW_FUZZ_TEMPLATE_OUT=t.db
                           build-fuzz/bin/journal_reader_fuzz -runs=0
  fix.dict                 tag= prefixes and enum values of fixspec/FIX44.xml,
                           message types, hostile numbers

Usage: tests/fuzz/make_seeds.py [--journal JOURNAL.db]
"""
import argparse
import hashlib
import os
import re
import sqlite3
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FUZZ = os.path.join(ROOT, "tests", "fuzz")
SOH = "\x01"


def fields():
    tree = ET.parse(os.path.join(ROOT, "fixspec", "FIX44.xml"))
    out = {}
    for f in tree.getroot().iter("field"):
        if f.get("number") is None:
            continue  # a reference inside a message, not a definition
        out[f.get("name")] = (int(f.get("number")),
                              [v.get("enum") for v in f.findall("value")])
    return out


def message(body_fields, seq, sender="BROKER1", target="GW"):
    """A complete FIX 4.4 message: header, BodyLength, CheckSum."""
    msg_type = body_fields[0][1]
    pairs = [(35, msg_type), (34, str(seq)), (49, sender),
             (52, "20261127-00:00:00.000"), (56, target)] + body_fields[1:]
    body = "".join(f"{t}={v}{SOH}" for t, v in pairs)
    head = f"8=FIX.4.4{SOH}9={len(body.encode())}{SOH}"
    total = sum((head + body).encode()) % 256
    return f"{head}{body}10={total:03d}{SOH}"


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def broker_seeds(tags):
    folder = os.path.join(FUZZ, "corpus", "broker_inbound")
    scen = os.path.join(ROOT, "tests", "scenarios")
    n = 0
    for script in sorted(os.listdir(scen)):
        stream = []
        seq = 1
        for line in open(os.path.join(scen, script)):
            parts = line.split()
            if len(parts) < 2 or parts[0] != "send":
                continue
            body = [(35, parts[1])]
            for kv in parts[2:]:
                name, _, value = kv.partition("=")
                if name in tags:
                    body.append((tags[name][0], value))
            if parts[1] in ("D", "G", "F") and not any(t == 60 for t, _ in body):
                body.append((60, "20261127-00:00:00.000"))
            seq += 1
            msg = message(body, seq)
            stream.append(msg)
            n += 1
            write(folder, f"msg-{n:03d}", msg)
        if stream:
            write(folder, "stream-" + script.replace(".script", ""),
                  "".join(stream))
    return n


def exchange_seeds():
    folder = os.path.join(FUZZ, "corpus", "exchange_inbound")
    t = "20261127-00:00:00.000"
    def er(exch, exec_id, exec_type, status, qty, cum, leaves, last=None,
           orig=None, side="1", sym="AAPL", px="100"):
        body = [(35, "8"), (37, "X-" + exch), (11, exch)]
        if orig:
            body.append((41, orig))
        body += [(17, exec_id), (150, exec_type), (39, status), (55, sym),
                 (54, side), (38, str(qty)), (40, "2"), (44, px)]
        if last:
            body += [(32, str(last)), (31, px)]
        body += [(151, str(leaves)), (14, str(cum)), (6, px if cum else "0"),
                 (60, t)]
        return body
    msgs = [
        er("GW-1", "E1", "0", "0", 100, 0, 100),
        er("GW-1", "E2", "F", "1", 100, 40, 60, last=40),
        er("GW-1", "E3", "F", "2", 100, 100, 0, last=100),
        er("GW-2", "E4", "0", "0", 50, 0, 50, side="2", px="101"),
        er("GW-3", "E5", "F", "2", 10, 10, 0, last=10),
        er("GW-4", "E6", "8", "8", 20, 0, 0, side="5", sym="MSFT", px="250"),
        er("GW-5", "E7", "5", "0", 150, 0, 150, orig="GW-1", px="99.5"),
        er("GW-6", "E8", "4", "4", 50, 0, 0, orig="GW-2", side="2", px="101"),
        [(35, "9"), (37, "X-GW-2"), (11, "GW-6"), (41, "GW-2"), (39, "0"),
         (434, "1"), (102, "0"), (58, "too late"), (60, t)],
        [(35, "9"), (37, "X-GW-1"), (11, "GW-5"), (41, "GW-1"), (39, "0"),
         (434, "2"), (102, "1"), (60, t)],
    ]
    stream = []
    for i, body in enumerate(msgs):
        msg = message(body, i + 2, sender="EXCH", target="GW")
        stream.append(msg)
        write(folder, f"msg-{i + 1:03d}", msg)
    write(folder, "stream-all", "".join(stream))


def file_seeds():
    for name, paths in (
            ("risk_file", ["docs/examples/risk.toml", "tests/crash/risk.toml"]),
            ("gateway_config", ["docs/examples/fixgw.cfg",
                                "tests/crash/fixgw.cfg.in"])):
        for p in paths:
            with open(os.path.join(ROOT, p), "rb") as f:
                write(os.path.join(FUZZ, "corpus", name),
                      p.replace("/", "_"), f.read())


def journal_seeds(path):
    """Mode bytes per journal_reader_fuzz.cc: 1 payload, 3 raw_fix."""
    folder = os.path.join(FUZZ, "corpus", "journal_reader")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for seq, payload, raw in db.execute(
            "SELECT seq, payload, raw_fix FROM journal ORDER BY seq"):
        write(folder, f"payload-{seq:02d}", bytes([1, seq]) + payload.encode())
        if raw:
            write(folder, f"raw-{seq:02d}", bytes([3, seq]) + raw.encode())
    write(folder, "kind-01", bytes([2, 1]) + b"NoSuchKind")
    write(folder, "null-payload", bytes([5, 2, 6, 0]))
    write(folder, "int-hash", bytes([5, 3, 8, 1]) + b"12345")


def dictionary(tags):
    def esc(s):
        return "".join(c if (c.isascii() and c.isalnum()) or c in "=.-+_ " else f"\\x{ord(c):02x}"
                       for c in s)
    words = set()
    for name, (num, enums) in tags.items():
        words.add(f"{SOH}{num}=")
        for e in enums:
            words.add(f"{SOH}{num}={e}{SOH}")
    for t in ["A", "0", "1", "2", "3", "4", "5", "D", "F", "G", "H", "8", "9",
              "j", "R"]:
        words.add(f"35={t}{SOH}")
    words |= {"8=FIX.4.4\x019=", "\x0110=", "43=Y\x01", "97=Y\x01", "GW-1",
              "GW-5", "1e30", "-1", "99999999999999999999", "NaN", "inf",
              "-0", "0.0000001", "9223372036854775807", "\xc3\xa9"}
    with open(os.path.join(FUZZ, "fix.dict"), "w") as f:
        f.write("# Generated by tests/fuzz/make_seeds.py from "
                "fixspec/FIX44.xml; do not edit.\n")
        for i, w in enumerate(sorted(words)):
            f.write(f'w{i}="{esc(w)}"\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--journal")
    args = ap.parse_args()
    tags = fields()
    n = broker_seeds(tags)
    exchange_seeds()
    file_seeds()
    if args.journal:
        journal_seeds(args.journal)
    dictionary(tags)
    print(f"make_seeds: {n} broker messages")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A raw-socket FIX venue (acceptor) for tests: Python 3 standard library only.

FIX 4.4 by default (--begin FIX.4.2 for 4.2). Listens on 127.0.0.1 only,
answers Logon, Heartbeat, TestRequest, ResendRequest (always with a
SequenceReset-GapFill: it never resends application messages), Logout, and
keeps its sequence numbers in memory across reconnects. What it does with an
order is chosen by the order's Symbol (see SYMBOLS below and
tests/peers/README.md). Every message it RECEIVES is appended to --record as
one JSON line {"msgType": "D", "fields": [[tag, "value"], ...]} (wire order).

  python3 venue.py --port N [--sender VENUE] [--target GW] [--begin FIX.4.4]
                   [--record FILE] [--record-sent FILE] [--port-file FILE]
                   [--delay-ms 0] [--market-px 100] [--verbose]
"""

import argparse
import heapq
import itertools
import json
import os
import selectors
import signal
import socket
import sys
import time
from datetime import datetime, timezone

SOH = "\x01"
ADMIN = {"0", "1", "2", "3", "4", "5", "A"}
MAX_MSG = 64 * 1024

SYMBOLS = {
    "PART": "ack, partial fill of half, stays open (cancel/replace work)",
    "BUST": "ack, full fill, trade cancel 150=H (19=fill's ExecID), back to New",
    "BUSTC": "as BUST, then an unsolicited cancel 150=4",
    "CORR": "ack, full fill at Price, trade correct 150=G LastPx+0.01",
    "DFD": "ack, partial fill of half, done for day 150=3",
    "EXP": "ack, expired 150=C",
    "RSTD": "ack, restated 150=D with OrderQty halved, 378=1",
    "NOTT": "ack and full fill without TransactTime(60)",
    "REJ3": "session Reject 35=3 of the NewOrderSingle",
    "REJJ": "BusinessMessageReject 35=j of the NewOrderSingle",
    "REJ8": "ExecutionReport rejected 150=8 39=8",
    "CXLJ": "ack; any F/G of it gets 35=j",
    "CXL3": "ack; any F/G of it gets 35=3",
    "REUSE": "ack + full fill with ExecIDs E1/E2 on every order",
}


def utc_ts(t=None):
    d = datetime.fromtimestamp(time.time() if t is None else t, tz=timezone.utc)
    return d.strftime("%Y%m%d-%H:%M:%S.") + "%03d" % (d.microsecond // 1000)


def fmt_num(x):
    """A FIX float without exponent or trailing zeros."""
    s = ("%.8f" % x).rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def checksum(data: bytes) -> str:
    return "%03d" % (sum(data) % 256)


def encode(begin, msg_type, header, body):
    """header/body: lists of (tag, value). Returns the wire bytes."""
    parts = ["35=" + msg_type]
    parts += ["%s=%s" % (t, v) for t, v in header]
    parts += ["%s=%s" % (t, v) for t, v in body if v is not None]
    body_str = SOH.join(parts) + SOH
    body_b = body_str.encode("latin-1")
    head = ("8=%s" % begin + SOH + "9=%d" % len(body_b) + SOH).encode("latin-1")
    msg = head + body_b
    return msg + ("10=" + checksum(msg) + SOH).encode("latin-1")


class FrameError(Exception):
    pass


def split_frames(buf: bytearray):
    """Takes complete messages off the front of buf.

    Returns (messages, dropped): messages are bytes of whole FIX messages
    (8=...10=xxx<SOH>); garbage before a BeginString and messages with a bad
    BodyLength or CheckSum are dropped (counted in dropped). Partial messages
    stay in buf.
    """
    out, dropped = [], 0
    while True:
        start = buf.find(b"8=FIX")
        if start < 0:
            # keep a possible partial "8=FI" at the end
            keep = 4
            if len(buf) > keep:
                dropped += 1 if buf.strip() else 0
                del buf[: len(buf) - keep]
            return out, dropped
        if start > 0:
            dropped += 1
            del buf[:start]
        soh1 = buf.find(b"\x01")
        if soh1 < 0:
            if len(buf) > 64:
                del buf[:2]
                dropped += 1
                continue
            return out, dropped
        if not buf.startswith(b"9=", soh1 + 1):
            del buf[:2]
            dropped += 1
            continue
        soh2 = buf.find(b"\x01", soh1 + 1)
        if soh2 < 0:
            if len(buf) > soh1 + 16:
                del buf[:2]
                dropped += 1
                continue
            return out, dropped
        try:
            body_len = int(buf[soh1 + 3: soh2])
        except ValueError:
            del buf[:2]
            dropped += 1
            continue
        if body_len < 0 or body_len > MAX_MSG:
            del buf[:2]
            dropped += 1
            continue
        body_start = soh2 + 1
        trailer = body_start + body_len
        total = trailer + 7  # 10=xxx<SOH>
        if len(buf) < total:
            return out, dropped
        msg = bytes(buf[:total])
        if not (msg[trailer:trailer + 3] == b"10=" and msg[-1:] == b"\x01"):
            del buf[:2]
            dropped += 1
            continue
        if msg[trailer + 3: trailer + 6].decode("latin-1") != checksum(msg[:trailer]):
            del buf[:total]
            dropped += 1
            continue
        del buf[:total]
        out.append(msg)


def parse_fields(msg: bytes):
    fields = []
    for part in msg.decode("latin-1").split(SOH):
        if not part:
            continue
        tag, _, value = part.partition("=")
        fields.append((tag, value))
    return fields


class Msg:
    def __init__(self, raw):
        self.raw = raw
        self.fields = parse_fields(raw)
        self.map = {}
        for t, v in self.fields:
            self.map.setdefault(t, v)

    def get(self, tag, default=None):
        return self.map.get(str(tag), default)

    @property
    def type(self):
        return self.get(35)

    @property
    def seq(self):
        try:
            return int(self.get(34, "0"))
        except ValueError:
            return 0


class Order:
    def __init__(self, order_id, m: Msg, behavior):
        self.order_id = order_id
        self.clordid = m.get(11)
        self.symbol = m.get(55)
        self.side = m.get(54)
        self.qty = float(m.get(38))
        self.ord_type = m.get(40)
        self.price = float(m.get(44)) if m.get(44) else None
        self.account = m.get(1)
        self.tif = m.get(59)
        self.behavior = behavior
        self.cum = 0.0
        self.notional = 0.0
        self.status = "0"
        self.closed = False
        self.fills = []  # (exec_id, qty, px)

    @property
    def leaves(self):
        return 0.0 if self.closed else max(self.qty - self.cum, 0.0)

    @property
    def avg(self):
        return self.notional / self.cum if self.cum else 0.0


class Conn:
    def __init__(self, sock, addr):
        self.sock = sock
        self.addr = addr
        self.buf = bytearray()
        self.logged_on = False
        self.hb = 30
        self.last_recv = time.monotonic()
        self.last_sent = time.monotonic()
        self.test_req_sent = None
        self.closing = False
        self.outq = bytearray()


class Venue:
    def __init__(self, args):
        self.a = args
        self.begin = args.begin
        self.fix42 = args.begin == "FIX.4.2"
        self.sel = selectors.DefaultSelector()
        self.timers = []
        self.tseq = itertools.count()
        self.out_seq = 1
        self.in_seq = 1
        self.resend_asked = None
        self.session_conn = None
        self.conns = {}
        self.orders = {}  # ClOrdID (any in the chain) -> Order
        self.ids = itertools.count(1)
        self.exec_ids = itertools.count(1)
        self.trade_ids = itertools.count(1)
        self.stop = False
        self.record = open(args.record, "a", encoding="utf-8") if args.record else None
        self.record_sent = open(args.record_sent, "a", encoding="utf-8") if args.record_sent else None
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", args.port))
        self.lsock.listen(8)
        self.lsock.setblocking(False)
        self.port = self.lsock.getsockname()[1]
        self.sel.register(self.lsock, selectors.EVENT_READ, None)
        if args.port_file:
            tmp = args.port_file + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d\n" % self.port)
            os.replace(tmp, args.port_file)
        self.log("listening on 127.0.0.1:%d as %s (%s), peer %s" % (self.port, args.sender, self.begin, args.target))

    # ------------------------------------------------------------ utilities
    def log(self, text):
        if self.a.verbose or text.startswith("!"):
            sys.stderr.write("%s venue: %s\n" % (utc_ts(), text))
            sys.stderr.flush()

    def at(self, delay_s, fn):
        heapq.heappush(self.timers, (time.monotonic() + delay_s, next(self.tseq), fn))

    def next_exec_id(self, order, n):
        if order is not None and order.behavior == "REUSE":
            return "E%d" % n
        return "X%d" % next(self.exec_ids)

    def send(self, conn, msg_type, body, poss_dup=False, seq=None):
        if conn is None or conn.sock is None:
            self.log("drop %s: no session connected" % msg_type)
            return
        use_seq = self.out_seq if seq is None else seq
        header = [("49", self.a.sender), ("56", self.peer_comp(conn)), ("34", str(use_seq))]
        if poss_dup:
            header.append(("43", "Y"))
        header.append(("52", utc_ts()))
        if poss_dup:
            header.append(("122", utc_ts()))
        raw = encode(self.begin, msg_type, header, body)
        if seq is None:
            self.out_seq += 1
        conn.outq += raw
        conn.last_sent = time.monotonic()
        self.flush(conn)
        if self.record_sent:
            self.record_sent.write(json.dumps({"msgType": msg_type, "fields": [[int(t), v] for t, v in parse_fields(raw)]}) + "\n")
            self.record_sent.flush()
        self.log("out %s" % raw.decode("latin-1").replace(SOH, "|"))

    def peer_comp(self, conn):
        return getattr(conn, "peer", None) or self.a.target

    def flush(self, conn):
        while conn.outq and conn.sock is not None:
            try:
                n = conn.sock.send(conn.outq)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as e:
                self.log("! send failed: %s" % e)
                self.close(conn)
                return
            del conn.outq[:n]
        if conn.sock is not None:
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outq else 0)
            try:
                self.sel.modify(conn.sock, events, conn)
            except (KeyError, ValueError):
                pass

    def close(self, conn):
        if conn.sock is None:
            return
        try:
            self.sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        try:
            conn.sock.close()
        except OSError:
            pass
        conn.sock = None
        self.conns.pop(id(conn), None)
        if self.session_conn is conn:
            self.session_conn = None
        self.log("connection from %s closed" % (conn.addr,))

    # ------------------------------------------------------------ main loop
    def run(self):
        while not self.stop:
            now = time.monotonic()
            timeout = 0.5
            if self.timers:
                timeout = max(0.0, min(timeout, self.timers[0][0] - now))
            for key, events in self.sel.select(timeout):
                if key.data is None:
                    self.accept()
                    continue
                conn = key.data
                if events & selectors.EVENT_WRITE:
                    self.flush(conn)
                if events & selectors.EVENT_READ and conn.sock is not None:
                    self.read(conn)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now and not self.stop:
                _, _, fn = heapq.heappop(self.timers)
                fn()
            self.heartbeats(now)
        self.shutdown()

    def accept(self):
        try:
            sock, addr = self.lsock.accept()
        except (BlockingIOError, InterruptedError):
            return
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Conn(sock, addr)
        self.conns[id(conn)] = conn
        self.sel.register(sock, selectors.EVENT_READ, conn)
        self.log("connection from %s" % (addr,))

    def read(self, conn):
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.log("recv error %s" % e)
            self.close(conn)
            return
        if not data:
            self.close(conn)
            return
        conn.buf += data
        conn.last_recv = time.monotonic()
        conn.test_req_sent = None
        msgs, dropped = split_frames(conn.buf)
        if dropped:
            self.log("! dropped %d garbled frame(s) from %s" % (dropped, conn.addr))
        if len(conn.buf) > 4 * MAX_MSG:
            self.log("! receive buffer overflow, closing")
            self.close(conn)
            return
        for raw in msgs:
            if conn.sock is None:
                return
            self.on_message(conn, Msg(raw))

    def heartbeats(self, now):
        for conn in list(self.conns.values()):
            if not conn.logged_on or conn.sock is None:
                continue
            if now - conn.last_sent >= conn.hb:
                self.send(conn, "0", [])
            if conn.test_req_sent is None and now - conn.last_recv >= conn.hb * 1.5 + 1:
                conn.test_req_sent = now
                self.send(conn, "1", [("112", "TEST-%d" % int(time.time()))])
            elif conn.test_req_sent is not None and now - conn.test_req_sent >= conn.hb + 1:
                self.log("! peer silent, disconnecting")
                self.close(conn)

    def shutdown(self):
        for conn in list(self.conns.values()):
            if conn.logged_on and conn.sock is not None:
                self.send(conn, "5", [("58", "venue shutting down")])
            self.close(conn)
        try:
            self.sel.unregister(self.lsock)
        except (KeyError, ValueError):
            pass
        self.lsock.close()
        for f in (self.record, self.record_sent):
            if f:
                f.flush()
                f.close()
        self.log("stopped")

    # ------------------------------------------------------------ session
    def on_message(self, conn, m: Msg):
        if self.record:
            self.record.write(json.dumps({"msgType": m.type, "fields": [[int(t) if t.isdigit() else t, v] for t, v in m.fields]}) + "\n")
            self.record.flush()
        self.log("in  %s" % m.raw.decode("latin-1").replace(SOH, "|"))
        if m.get(8) != self.begin:
            self.log("! BeginString %s, expected %s: closing" % (m.get(8), self.begin))
            self.close(conn)
            return
        if not conn.logged_on:
            if m.type != "A":
                self.log("! first message is %s, not Logon: closing" % m.type)
                self.close(conn)
                return
            self.on_logon(conn, m)
            return
        # Sequence numbers.
        seq = m.seq
        if m.type == "4" and m.get(123) != "Y":  # SequenceReset-Reset
            self.in_seq = int(m.get(36, self.in_seq))
            return
        if seq > self.in_seq:
            if m.type == "5":
                self.send(conn, "5", [])
                conn.closing = True
                self.at(0.2, lambda: self.close(conn))
                return
            if m.type == "2":
                self.on_resend_request(conn, m)
            if self.resend_asked != self.in_seq:
                self.resend_asked = self.in_seq
                self.log("! seq gap: got %d, expected %d; ResendRequest" % (seq, self.in_seq))
                self.send(conn, "2", [("7", str(self.in_seq)), ("16", "0")])
            return
        if seq < self.in_seq:
            if m.get(43) == "Y":
                return  # a duplicate we already processed
            text = "MsgSeqNum too low, expecting %d but received %d" % (self.in_seq, seq)
            self.log("! " + text)
            self.send(conn, "5", [("58", text)])
            self.at(0.2, lambda: self.close(conn))
            return
        self.in_seq = seq + 1
        t = m.type
        if t == "0":
            return
        if t == "1":
            self.send(conn, "0", [("112", m.get(112))])
        elif t == "2":
            self.on_resend_request(conn, m)
        elif t == "4":  # GapFill
            self.in_seq = int(m.get(36, self.in_seq))
        elif t == "5":
            if not conn.closing:
                self.send(conn, "5", [])
            conn.closing = True
            self.at(0.2, lambda: self.close(conn))
        elif t == "3" or t == "A":
            pass
        else:
            self.on_app(conn, m)

    def on_logon(self, conn, m):
        if m.get(56) != self.a.sender or (self.a.target != "*" and m.get(49) != self.a.target):
            self.log("! logon from %s to %s refused" % (m.get(49), m.get(56)))
            self.send_raw_logout(conn, m, "unknown CompID")
            return
        if self.session_conn is not None and self.session_conn.sock is not None:
            self.log("! second logon while a session is up: refused")
            self.send_raw_logout(conn, m, "session already logged on")
            return
        conn.peer = m.get(49)
        try:
            conn.hb = max(1, int(m.get(108, "30")))
        except ValueError:
            conn.hb = 30
        reset = m.get(141) == "Y"
        if reset:
            self.in_seq = 1
            self.out_seq = 1
        seq = m.seq
        conn.logged_on = True
        self.session_conn = conn
        if seq < self.in_seq:
            text = "MsgSeqNum too low, expecting %d but received %d" % (self.in_seq, seq)
            self.log("! " + text)
            self.send(conn, "5", [("58", text)])
            self.at(0.2, lambda: self.close(conn))
            return
        body = [("98", "0"), ("108", str(conn.hb))]
        if reset:
            body.append(("141", "Y"))
        self.send(conn, "A", body)
        if seq > self.in_seq:
            self.log("logon seq %d > expected %d: ResendRequest" % (seq, self.in_seq))
            self.resend_asked = self.in_seq
            self.send(conn, "2", [("7", str(self.in_seq)), ("16", "0")])
        else:
            self.in_seq = seq + 1

    def send_raw_logout(self, conn, m, text):
        header = [("49", self.a.sender), ("56", m.get(49) or "?"), ("34", "1"), ("52", utc_ts())]
        conn.outq += encode(self.begin, "5", header, [("58", text)])
        self.flush(conn)
        self.at(0.2, lambda: self.close(conn))

    def on_resend_request(self, conn, m):
        begin = int(m.get(7, "1"))
        end = int(m.get(16, "0"))
        last = self.out_seq - 1
        new_seq = self.out_seq if end == 0 or end >= last else end + 1
        if begin >= new_seq:
            return
        # We keep no sent messages: one GapFill over the whole range.
        self.send(conn, "4", [("123", "Y"), ("36", str(new_seq))], poss_dup=True, seq=begin)

    # ------------------------------------------------------------ application
    def on_app(self, conn, m):
        t = m.type
        if t == "D":
            self.on_new_order(conn, m)
        elif t == "F":
            self.on_cancel(conn, m)
        elif t == "G":
            self.on_replace(conn, m)
        elif t == "H":
            self.on_status(conn, m)
        elif t == "AF" and not self.fix42:
            self.on_mass_status(conn, m)
        else:
            self.send(conn, "j", [("45", str(m.seq)), ("372", t), ("380", "3"), ("58", "Unsupported message type")])

    def session_reject(self, conn, m, reason, ref_tag, text):
        body = [("45", str(m.seq))]
        if ref_tag:
            body.append(("371", str(ref_tag)))
        body += [("372", m.type), ("373", str(reason)), ("58", text)]
        self.send(conn, "3", body)

    def er(self, order, exec_type, status, clordid=None, orig=None, last=None, exec_id=None,
           extra=(), transact=True, exec_trans=None):
        """An ExecutionReport body for `order`."""
        if self.fix42 and exec_type == "F":
            exec_type = "2" if status == "2" else "1"
        body = [("37", order.order_id), ("11", clordid or order.clordid)]
        if orig:
            body.append(("41", orig))
        body.append(("17", exec_id or self.next_exec_id(order, 0)))
        if self.fix42:
            body.append(("20", exec_trans or "0"))
        body += [("150", exec_type), ("39", status)]
        if order.account:
            body.append(("1", order.account))
        body += [("55", order.symbol), ("54", order.side), ("38", fmt_num(order.qty)), ("40", order.ord_type)]
        if order.price is not None:
            body.append(("44", fmt_num(order.price)))
        if order.tif:
            body.append(("59", order.tif))
        if last is not None:
            body += [("32", fmt_num(last[0])), ("31", fmt_num(last[1]))]
        body += [("151", fmt_num(order.leaves)), ("14", fmt_num(order.cum)), ("6", fmt_num(order.avg))]
        if transact:
            body.append(("60", utc_ts()))
        body += list(extra)
        return body

    def fill_px(self, order):
        return order.price if order.price is not None else self.a.market_px

    def fill(self, conn, order, qty, exec_id=None, transact=True):
        if order.closed:
            return
        px = self.fill_px(order)
        order.cum += qty
        order.notional += qty * px
        order.status = "2" if order.cum >= order.qty else "1"
        if order.status == "2":
            order.closed = True
        eid = exec_id or self.next_exec_id(order, 2)
        order.fills.append((eid, qty, px))
        extra = [("29", "1")] + ([] if self.a.no_extras else [("880", "T%d" % next(self.trade_ids))]) + \
            [("851", "1"), ("30", "XVEN")]
        self.send(conn, "8", self.er(order, "F", order.status, last=(qty, px), exec_id=eid, extra=extra, transact=transact))

    def on_new_order(self, conn, m):
        for tag in ("11", "55", "54", "38", "40"):
            if not m.get(tag):
                self.session_reject(conn, m, 1, tag, "Required tag missing")
                return
        clordid = m.get(11)
        symbol = m.get(55)
        behavior = symbol if symbol in SYMBOLS else "DEFAULT"
        if clordid in self.orders:
            if m.get(43) == "Y":
                return  # a resent order we already have
            o = Order("DUP", m, behavior)
            o.closed = True
            o.status = "8"
            self.send(conn, "8", self.er(o, "8", "8", extra=[("103", "6"), ("58", "Duplicate ClOrdID")]))
            return
        if behavior == "REJ3":
            self.session_reject(conn, m, 5, 55, "Venue rejects this order at session level")
            return
        if behavior == "REJJ":
            self.send(conn, "j", [("45", str(m.seq)), ("372", "D"), ("379", clordid), ("380", "4"),
                                  ("58", "Application not available")])
            return
        try:
            order = Order("VO%d" % next(self.ids), m, behavior)
        except ValueError:
            self.session_reject(conn, m, 6, 38, "Incorrect data format")
            return
        if order.ord_type == "2" and order.price is None:
            order.closed = True
            order.status = "8"
            self.send(conn, "8", self.er(order, "8", "8", extra=[("103", "0"), ("58", "Limit order without Price")]))
            return
        self.orders[clordid] = order
        if behavior == "REJ8":
            order.closed = True
            order.status = "8"
            self.send(conn, "8", self.er(order, "8", "8", extra=[("103", "0"), ("58", "Venue rejects symbol REJ8")]))
            return
        d = self.a.delay_ms / 1000.0
        steps = []
        ack_extra = [] if self.a.no_extras else [("9001", "ACK-" + order.order_id)]
        no_tt = behavior == "NOTT"
        steps.append(lambda: self.send(conn, "8", self.er(order, "0", "0", exec_id=self.next_exec_id(order, 1),
                                                          extra=ack_extra, transact=not no_tt)))
        half = max(1.0, float(int(order.qty // 2)))
        if behavior in ("DEFAULT", "REUSE", "NOTT", "BUST", "BUSTC", "CORR"):
            steps.append(lambda: self.fill(conn, order, order.qty - order.cum, transact=not no_tt))
        if behavior in ("BUST", "BUSTC"):
            steps.append(lambda: self.bust(conn, order))
        if behavior == "BUSTC":
            steps.append(lambda: self.unsolicited_cancel(conn, order))
        if behavior == "CORR":
            steps.append(lambda: self.correct(conn, order))
        if behavior in ("PART", "DFD"):
            steps.append(lambda: self.fill(conn, order, min(half, order.qty)))
        if behavior == "DFD":
            steps.append(lambda: self.done_for_day(conn, order))
        if behavior == "EXP":
            steps.append(lambda: self.expire(conn, order))
        if behavior == "RSTD":
            steps.append(lambda: self.restate(conn, order))
        for i, step in enumerate(steps):
            if d <= 0:
                step()
            else:
                self.at(d * i, step)

    def bust(self, conn, order):
        if not order.fills:
            return
        eid, qty, px = order.fills[-1]
        order.cum -= qty
        order.notional -= qty * px
        order.closed = False
        order.status = "1" if order.cum > 0 else "0"
        if self.fix42:
            body = self.er(order, order.status, order.status, extra=[("19", eid), ("58", "Trade busted")], exec_trans="1")
        else:
            body = self.er(order, "H", order.status, extra=[("19", eid), ("58", "Trade busted")])
        self.send(conn, "8", body)

    def correct(self, conn, order):
        if not order.fills:
            return
        eid, qty, px = order.fills[-1]
        new_px = round(px + 0.01, 8)
        order.notional += qty * (new_px - px)
        order.fills[-1] = (eid, qty, new_px)
        extra = [("19", eid), ("58", "Trade corrected")]
        if self.fix42:
            body = self.er(order, order.status, order.status, last=(qty, new_px), extra=extra, exec_trans="2")
        else:
            body = self.er(order, "G", order.status, last=(qty, new_px), extra=extra)
        self.send(conn, "8", body)

    def unsolicited_cancel(self, conn, order):
        if order.closed:
            return
        order.closed = True
        order.status = "4"
        self.send(conn, "8", self.er(order, "4", "4", extra=[("58", "Canceled by venue")]))

    def done_for_day(self, conn, order):
        if order.closed:
            return
        order.closed = True
        order.status = "3"
        self.send(conn, "8", self.er(order, "3", "3"))

    def expire(self, conn, order):
        if order.closed:
            return
        order.closed = True
        order.status = "C"
        self.send(conn, "8", self.er(order, "C", "C"))

    def restate(self, conn, order):
        if order.closed:
            return
        order.qty = max(1.0, float(int(order.qty // 2)))
        self.send(conn, "8", self.er(order, "D", order.status, extra=[("378", "1"), ("58", "OrderQty reduced by venue")]))

    def cancel_reject(self, conn, m, order, reason, text):
        body = [("37", order.order_id if order else "NONE"), ("11", m.get(11) or ""), ("41", m.get(41) or ""),
                ("39", order.status if order else "8"), ("434", "2" if m.type == "G" else "1"),
                ("102", str(reason)), ("58", text)]
        if order and order.account:
            body.append(("1", order.account))
        if not self.fix42:
            body.insert(5, ("60", utc_ts()))
        self.send(conn, "9", body)

    def lookup(self, m):
        return self.orders.get(m.get(41)) or (self.orders.get(m.get(37)) if m.get(37) else None) or \
            next((o for o in set(self.orders.values()) if o.order_id == m.get(37)), None)

    def cxl_guard(self, conn, m, order):
        """True when the order's behaviour answered the F/G itself."""
        if order.behavior == "CXLJ":
            self.send(conn, "j", [("45", str(m.seq)), ("372", m.type), ("379", m.get(11) or ""), ("380", "0"),
                                  ("58", "Venue does not accept %s" % ("cancels" if m.type == "F" else "replaces"))])
            return True
        if order.behavior == "CXL3":
            self.session_reject(conn, m, 5, 41, "Venue does not accept cancel/replace")
            return True
        return False

    def on_cancel(self, conn, m):
        order = self.lookup(m)
        if order is None:
            self.cancel_reject(conn, m, None, 1, "Unknown order")
            return
        if self.cxl_guard(conn, m, order):
            return
        if order.closed:
            self.cancel_reject(conn, m, order, 0, "Too late to cancel")
            return
        if m.get(11) in self.orders:
            self.cancel_reject(conn, m, order, 6, "Duplicate ClOrdID")
            return
        orig = order.clordid
        order.clordid = m.get(11)
        self.orders[order.clordid] = order
        order.closed = True
        order.status = "4"
        self.send(conn, "8", self.er(order, "4", "4", orig=orig))

    def on_replace(self, conn, m):
        order = self.lookup(m)
        if order is None:
            self.cancel_reject(conn, m, None, 1, "Unknown order")
            return
        if self.cxl_guard(conn, m, order):
            return
        if order.closed:
            self.cancel_reject(conn, m, order, 0, "Too late to replace")
            return
        if m.get(11) in self.orders:
            self.cancel_reject(conn, m, order, 6, "Duplicate ClOrdID")
            return
        try:
            new_qty = float(m.get(38)) if m.get(38) else order.qty
            new_px = float(m.get(44)) if m.get(44) else order.price
        except ValueError:
            self.cancel_reject(conn, m, order, 99, "Bad OrderQty/Price")
            return
        if new_qty <= order.cum:
            self.cancel_reject(conn, m, order, 99, "OrderQty not above CumQty")
            return
        orig = order.clordid
        order.clordid = m.get(11)
        self.orders[order.clordid] = order
        order.qty = new_qty
        order.price = new_px
        if m.get(40):
            order.ord_type = m.get(40)
        order.status = "1" if order.cum > 0 else "0"
        self.send(conn, "8", self.er(order, "5", order.status, orig=orig))

    def on_status(self, conn, m):
        order = self.orders.get(m.get(11)) or self.lookup(m)
        if order is None:
            o = Order("NONE", Msg(encode(self.begin, "D", [], [("11", m.get(11) or ""), ("55", m.get(55) or "?"),
                                                                  ("54", m.get(54) or "1"), ("38", "0"), ("40", "1")])), "DEFAULT")
            o.closed = True
            o.status = "8"
            self.send(conn, "8", self.er(o, "I" if not self.fix42 else "3", "8", extra=[("58", "Unknown order")]))
            return
        self.send(conn, "8", self.er(order, "I" if not self.fix42 else order.status, order.status,
                                     clordid=m.get(11) or order.clordid))

    def on_mass_status(self, conn, m):
        open_orders = [o for o in set(self.orders.values()) if not o.closed]
        open_orders.sort(key=lambda o: o.order_id)
        n = len(open_orders)
        for i, o in enumerate(open_orders):
            extra = [("584", m.get(584) or ""), ("911", str(n)), ("912", "Y" if i == n - 1 else "N")]
            self.send(conn, "8", self.er(o, "I", o.status, extra=extra))
        if n == 0:
            self.send(conn, "j", [("45", str(m.seq)), ("372", "AF"), ("379", m.get(584) or ""), ("380", "0"),
                                  ("58", "No open orders")])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1 (0: any free one, see --port-file)")
    p.add_argument("--sender", default="VENUE", help="the venue's CompID (default VENUE)")
    p.add_argument("--target", default="GW", help="the peer's CompID (default GW; * accepts any)")
    p.add_argument("--begin", default="FIX.4.4", choices=["FIX.4.4", "FIX.4.2"])
    p.add_argument("--fix42", action="store_true", help="same as --begin FIX.4.2")
    p.add_argument("--record", help="append every received message as a JSON line")
    p.add_argument("--record-sent", help="append every sent message as a JSON line")
    p.add_argument("--port-file", help="write the listening port here once listening")
    p.add_argument("--delay-ms", type=int, default=0, help="pause between an order's reports (default 0)")
    p.add_argument("--market-px", type=float, default=100.0, help="fill price of orders without Price")
    p.add_argument("--no-extras", action="store_true",
                   help="omit TrdMatchID 880 on fills and 9001 on acks (not in QuickFIX's FIX44 ExecutionReport)")
    p.add_argument("--max-runtime-s", type=float, default=3600, help="exit after this long (default 3600)")
    p.add_argument("--verbose", action="store_true", help="log every message to stderr")
    a = p.parse_args()
    if a.fix42:
        a.begin = "FIX.4.2"
    venue = Venue(a)

    def on_signal(signum, frame):
        venue.stop = True
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    venue.at(a.max_runtime_s, lambda: setattr(venue, "stop", True))
    venue.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

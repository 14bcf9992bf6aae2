#!/usr/bin/env python3
"""Checks the two example implementations (examples/c-plugin through its C ABI, examples/python-exec through the
exec protocol) against hand-computed outcomes on small hand-built SMMU scenarios, without vipcts: the examples
must be right before they can be used to test vipcts. Also checks that each planted bug changes the outcome it
is meant to change, and that crash/hang fire on the 5th translate after the earlier answers were delivered.

usage: examples_selftest.py PLUGIN.so PYTHON_IMPL.py
"""

import ctypes as C
import json
import os
import signal
import subprocess
import sys
import tempfile

# ---- building scenarios by hand (IHI 0070 G.b §5.2 STE, §5.4 CD; DDI 0487 D8.3 descriptors) ----

STRTAB = 0x80000000
CD_BASE = 0x80010000
MAIR = 0x44FF04000000BBFF  # Attr0 = 0xff, Attr1 = 0xbb, ..., Attr7 = 0x44


def regs(idr0_extra=0, oas=5, cr0=1, gbpa=0, log2size=4, cr2=2):
    idr0 = (1 << 1) | (0b10 << 2) | (0b01 << 24) | idr0_extra  # S1P, TTF=AArch64, STALL_MODEL=01
    return {"IDR0": hex(idr0), "IDR1": hex(8), "IDR3": "0x0", "IDR5": hex((1 << 4) | oas), "CR0": hex(cr0),
            "CR2": hex(cr2), "GBPA": hex(gbpa), "STRTAB_BASE": hex(STRTAB), "STRTAB_BASE_CFG": hex(log2size)}


class Mem(dict):
    def word(self, addr, value):
        self[addr] = value

    def ste(self, sid, config=5, cd=None, valid=True):
        self.word(STRTAB + sid * 64, (1 if valid else 0) | (config << 1) | (cd or 0))

    def cd(self, addr, t0sz=25, t1sz=None, ttb0=0, ttb1=0, ips=5, ha=False, affd=False, r=True, a=True,
           tbi0=False, wxn=False, pan=False, v=True):
        w0 = t0sz | (1 << 41) | (ips << 32) | (int(v) << 31) | (int(r) << 45) | (int(a) << 46) | (int(ha) << 43)
        w0 |= (int(affd) << 35) | (int(tbi0) << 38) | (int(wxn) << 36) | (int(pan) << 40)
        if t1sz is None:
            w0 |= 1 << 30  # EPD1
        else:
            w0 |= (t1sz << 16) | (0b10 << 22)  # TG1 = 4 KB
        self.word(addr, w0)
        self.word(addr + 8, ttb0)
        self.word(addr + 16, ttb1)
        self.word(addr + 24, MAIR)

    def state(self, r):
        return {"regs": r, "mem": [[hex(a), hex(v)] for a, v in sorted(self.items())]}


def page(oa, attr=0, ap=0b01, af=True, sh=3, uxn=False, pxn=False):
    return oa | 0b11 | (attr << 2) | (ap << 6) | (sh << 8) | (int(af) << 10) | (int(pxn) << 53) | (int(uxn) << 54)


def block(oa, **kw):
    return page(oa, **kw) & ~0b10


def table(addr):
    return addr | 0b11


def tr(sid, iova, access="read", priv=False, ssv=False):
    return {"sid": sid, "ssv": ssv, "ssid": 0, "iova": hex(iova), "access": access, "priv": priv}


def ok(oa, mair, sh=3, updates=()):
    return {"status": "translated", "oa": hex(oa), "attrs": {"mair": hex(mair), "sh": sh},
            "updates": [[hex(a), hex(v)] for a, v in updates]}


# The fields each event type defines (IHI 0070 G.b §7.3.3-16): configuration errors name the stream only
# (C_BAD_SUBSTREAMID without SSV, its SubstreamID is always valid); translation faults add the access.
CONFIG_FIELDS = ("type", "sid", "ssv", "ssid")
EVENT_FIELDS = {"C_BAD_STREAMID": CONFIG_FIELDS, "C_BAD_STE": CONFIG_FIELDS, "C_BAD_CD": CONFIG_FIELDS,
                "C_BAD_SUBSTREAMID": ("type", "sid", "ssid")}
FAULT_FIELDS = CONFIG_FIELDS + ("input_addr", "rnw", "ind", "pnu", "s2", "class")


def event_fields(ev):
    """Only the fields the event's type defines (the C ABI struct has all of them; the record does not)."""
    if ev is None:
        return None
    return {k: ev[k] for k in EVENT_FIELDS.get(ev["type"], FAULT_FIELDS) if k in ev}


def fault(kind, t, termination="abort", record=True):
    ev = None
    if record:
        ev = event_fields({"type": kind, "sid": t["sid"], "ssv": t["ssv"], "ssid": t["ssid"], "input_addr": t["iova"],
                           "rnw": t["access"] != "write", "ind": t["access"] == "exec", "pnu": t["priv"], "s2": False,
                           "class": "IN"})
    return {"status": "terminated", "termination": termination, "event": ev, "updates": []}


def scenarios():
    out = []
    # --- Scenario A: T0SZ = 25 (N = 39, start level 1), a 3-level walk; several SIDs with different CDs.
    m = Mem()
    L1, L2, L3 = 0x80020000, 0x80021000, 0x80022000
    m.cd(CD_BASE, t0sz=25, ttb0=L1)
    m.ste(0, cd=CD_BASE)
    m.word(L1 + 1 * 8, table(L2))  # VA[38:30] = 1
    m.word(L2 + 0 * 8, table(L3))  # VA[29:21] = 0
    m.word(L2 + 1 * 8, block(0xA0200000, attr=7, sh=2))  # 2 MB block at VA 0x40200000
    m.word(L3 + 1 * 8, page(0x90001000, attr=1))  # VA 0x40001000
    m.word(L3 + 2 * 8, page(0x90002000, af=False))  # AF = 0
    m.word(L3 + 3 * 8, page(0x90003000, ap=0b11))  # read-only at EL0 and EL1
    m.word(L3 + 4 * 8, page(0x90004000, ap=0b00, uxn=True))  # EL1 only
    m.word(L3 + 5 * 8, page(0x90005000) & ~0b10)  # type 01 at level 3: reserved
    m.word(L3 + 6 * 8, page(0x90006000, ap=0b10))  # EL1 read-only, executable by EL1
    m.ste(1, valid=False)
    m.ste(2, cd=CD_BASE)
    m.ste(3, config=4)  # bypass
    m.ste(4, config=0)  # abort, no event
    m.ste(5, cd=CD_BASE + 64)
    m.cd(CD_BASE + 64, t0sz=40, ttb0=L1)  # T0SZ out of range: C_BAD_CD
    m.ste(6, cd=CD_BASE + 128)
    m.cd(CD_BASE + 128, t0sz=25, ttb0=L1, r=False)  # faults not recorded
    m.ste(7, cd=CD_BASE + 192)
    m.cd(CD_BASE + 192, t0sz=25, ttb0=L1, a=False)  # RAZ/WI
    m.ste(8, cd=CD_BASE + 256)
    m.cd(CD_BASE + 256, t0sz=25, ttb0=L1, tbi0=True)
    m.ste(9, cd=CD_BASE + 320)
    m.cd(CD_BASE + 320, t0sz=25, ttb0=L1, affd=True, wxn=True)
    m.ste(10, cd=CD_BASE + 384)
    m.cd(CD_BASE + 384, t0sz=25, ttb0=L1, pan=True)
    ops = []
    t = tr(0, 0x40001234); ops.append((t, ok(0x90001234, 0xBB)))
    t = tr(0, 0x40001ff8, "write"); ops.append((t, ok(0x90001ff8, 0xBB)))
    t = tr(0, 0x40234567); ops.append((t, ok(0xA0234567, 0x44, sh=2)))
    t = tr(0, 0x40400000); ops.append((t, fault("F_TRANSLATION", t)))  # L2 entry 2 invalid
    t = tr(0, 0x40002000); ops.append((t, fault("F_ACCESS", t)))
    t = tr(0, 0x40003000, "write", priv=True); ops.append((t, fault("F_PERMISSION", t)))
    t = tr(0, 0x40003000, "read", priv=False); ops.append((t, ok(0x90003000, 0xFF)))
    t = tr(0, 0x40004000, "read", priv=False); ops.append((t, fault("F_PERMISSION", t)))
    t = tr(0, 0x40004000, "exec", priv=True); ops.append((t, ok(0x90004000, 0xFF)))
    t = tr(0, 0x40001000, "exec", priv=True); ops.append((t, fault("F_PERMISSION", t)))  # EL0-writable => PXN
    t = tr(0, 0x40001000, "exec", priv=False); ops.append((t, ok(0x90001000, 0xBB)))
    # EL0 execute-only: an instruction fetch needs execute permission, not read (IHI 0070 §3.22, §16.7;
    # DDI 0487 AArch64.S1DirectBasePermissions: UXN alone decides EL0 execute).
    t = tr(0, 0x40006000, "exec", priv=False); ops.append((t, ok(0x90006000, 0xFF)))
    t = tr(0, 0x40005000); ops.append((t, fault("F_TRANSLATION", t)))
    t = tr(0, 1 << 39); ops.append((t, fault("F_TRANSLATION", t)))  # beyond the 39-bit input range
    t = tr(0, 0x5A00000040001234); ops.append((t, fault("F_TRANSLATION", t)))  # no TBI
    t = tr(8, 0x5A00000040001234); ops.append((t, ok(0x90001234, 0xBB)))  # TBI0: top byte ignored
    t = tr(16, 0x1000); ops.append((t, fault("C_BAD_STREAMID", t)))  # SID >= 2^LOG2SIZE
    t = tr(1, 0x1000); ops.append((t, fault("C_BAD_STE", t)))
    t = tr(2, 0x1000, ssv=True); ops.append((t, fault("C_BAD_SUBSTREAMID", t)))
    t = tr(3, 0x123456789A); ops.append((t, ok(0x123456789A, 0, sh=0)))  # bypass
    t = tr(3, 1 << 48); ops.append((t, fault("F_ADDR_SIZE", t)))  # bypass beyond OAS
    t = tr(4, 0x1000); ops.append((t, fault(None, t, record=False)))
    t = tr(5, 0x40001000); ops.append((t, fault("C_BAD_CD", t)))
    t = tr(6, 0x40400000); ops.append((t, fault("F_TRANSLATION", t, record=False)))
    t = tr(7, 0x40400000, "write"); ops.append((t, fault("F_TRANSLATION", t, termination="raz_wi")))
    t = tr(9, 0x40002000); ops.append((t, ok(0x90002000, 0xFF)))  # AFFD: AF treated as 1
    t = tr(9, 0x40001000, "exec", priv=False); ops.append((t, fault("F_PERMISSION", t)))  # WXN
    t = tr(9, 0x40006000, "exec", priv=True); ops.append((t, ok(0x90006000, 0xFF)))  # WXN, not writable
    # PAN (CD.PAN): no privileged data access to EL0-accessible pages; execution and EL1-only pages unaffected.
    t = tr(10, 0x40001000, "read", priv=True); ops.append((t, fault("F_PERMISSION", t)))
    t = tr(10, 0x40003000, "read", priv=True); ops.append((t, fault("F_PERMISSION", t)))
    t = tr(10, 0x40004000, "read", priv=True); ops.append((t, ok(0x90004000, 0xFF)))
    t = tr(10, 0x40001000, "read", priv=False); ops.append((t, ok(0x90001000, 0xBB)))
    out.append(("hand-a", m.state(regs()), ops))

    # --- Scenario B: T0SZ = 34 (N = 30, start level 2) and TTB1 with T1SZ = 25; HA = 1 (HTTU = 1).
    m = Mem()
    L2, L3, L1b, L2b, L3b = 0x80030000, 0x80031000, 0x80040000, 0x80041000, 0x80042000
    m.cd(CD_BASE, t0sz=34, t1sz=25, ttb0=L2, ttb1=L1b, ha=True)
    m.ste(0, cd=CD_BASE)
    m.word(L2 + 0 * 8, table(L3))
    m.word(L3 + 1 * 8, page(0x70001000, af=False))  # VA 0x1000, AF set by HTTU
    m.word(L3 + 2 * 8, page(0x70002000, af=False, ap=0b11))
    m.word(L1b + 511 * 8, table(L2b))  # VA[38:30] = 511
    m.word(L2b + 511 * 8, table(L3b))
    m.word(L3b + 0 * 8, page(0x60000000, attr=3))
    ops = []
    t = tr(0, 0x1abc); ops.append((t, ok(0x70001abc, 0xFF, updates=[(L3 + 8, page(0x70001000))])))
    t = tr(0, 0x1abc); ops.append((t, ok(0x70001abc, 0xFF)))  # AF already set: no update
    t = tr(0, 0x40000000); ops.append((t, fault("F_TRANSLATION", t)))  # beyond the 30-bit range
    t = tr(0, 0xFFFFFFFFFFE00010); ops.append((t, ok(0x60000010, 0x00)))  # TTB1
    t = tr(0, 0xFFFFFF0000000000); ops.append((t, fault("F_TRANSLATION", t)))  # not in the TTB1 range
    out.append(("hand-b", m.state(regs(idr0_extra=0b01 << 6)), ops))

    # --- Scenario C: OAS = 40 bits: address-size checks on leaf and table; TTB beyond IPS is C_BAD_CD.
    m = Mem()
    L1, L2 = 0x80050000, 0x80051000
    m.cd(CD_BASE, t0sz=25, ttb0=L1, ips=5)  # IPS 48, capped to OAS 40
    m.ste(0, cd=CD_BASE)
    m.word(L1 + 0 * 8, table(L2))
    m.word(L1 + 1 * 8, table(1 << 40))  # next-level table beyond 40 bits
    m.word(L2 + 0 * 8, block((1 << 40) - (1 << 21)))  # last 2 MB below 2^40
    m.word(L2 + 1 * 8, block(1 << 40))  # at 2^40
    m.ste(1, cd=CD_BASE + 64)
    m.cd(CD_BASE + 64, t0sz=25, ttb0=1 << 40)
    ops = []
    t = tr(0, 0x1fffff); ops.append((t, ok((1 << 40) - 1, 0xFF)))
    t = tr(0, 0x200000); ops.append((t, fault("F_ADDR_SIZE", t)))
    t = tr(0, 0x40000000); ops.append((t, fault("F_ADDR_SIZE", t)))
    t = tr(1, 0x0); ops.append((t, fault("C_BAD_CD", t)))
    out.append(("hand-c", m.state(regs(oas=2)), ops))

    # --- Scenario D: SMMUEN = 0: GBPA bypass (no event beyond OAS) and GBPA.ABORT.
    t1, t2 = tr(0, 0xABC), tr(0, 1 << 48)
    out.append(("hand-d", Mem().state(regs(cr0=0)), [(t1, ok(0xABC, 0, sh=0)), (t2, fault(None, t2, record=False))]))
    out.append(("hand-e", Mem().state(regs(cr0=0, gbpa=1 << 20)), [(t1, fault(None, t1, record=False))]))
    return out


def normalize(o):
    """The compared fields of docs/formats.md §2.3."""
    if o.get("status") == "translated":
        return {"status": "translated", "oa": o["oa"], "attrs": {"mair": o["attrs"]["mair"], "sh": o["attrs"]["sh"]},
                "updates": sorted(o.get("updates", []))}
    return {"status": o["status"], "termination": o["termination"], "event": event_fields(o.get("event")),
            "updates": sorted(o.get("updates", []))}


# ---- the C plugin through ctypes ----

class MemWord(C.Structure):
    _fields_ = [("addr", C.c_uint64), ("value", C.c_uint64)]


class State(C.Structure):
    _fields_ = [("idr", C.c_uint32 * 6), ("cr0", C.c_uint32), ("cr2", C.c_uint32), ("gbpa", C.c_uint32),
                ("strtab_base", C.c_uint64), ("strtab_base_cfg", C.c_uint32), ("mem", C.POINTER(MemWord)),
                ("mem_count", C.c_size_t)]


class Txn(C.Structure):
    _fields_ = [("sid", C.c_uint32), ("ssid", C.c_uint32), ("ssv", C.c_uint8), ("access", C.c_uint8),
                ("privileged", C.c_uint8), ("iova", C.c_uint64)]


class Event(C.Structure):
    _fields_ = [("type", C.c_uint8), ("ssv", C.c_uint8), ("rnw", C.c_uint8), ("ind", C.c_uint8), ("pnu", C.c_uint8),
                ("s2", C.c_uint8), ("event_class", C.c_uint8), ("sid", C.c_uint32), ("ssid", C.c_uint32),
                ("input_addr", C.c_uint64)]


class Outcome(C.Structure):
    _fields_ = [("status", C.c_uint8), ("termination", C.c_uint8), ("has_event", C.c_uint8),
                ("mair_attr", C.c_uint8), ("sh", C.c_uint8), ("oa", C.c_uint64), ("event", Event),
                ("update_count", C.c_uint32), ("updates", MemWord * 4)]


OPEN = C.CFUNCTYPE(C.c_void_p, C.POINTER(State))
TRANSLATE = C.CFUNCTYPE(C.c_int, C.c_void_p, C.POINTER(Txn), C.POINTER(Outcome))
CLOSE = C.CFUNCTYPE(None, C.c_void_p)


class Ops(C.Structure):
    _fields_ = [("open", OPEN), ("translate", TRANSLATE), ("close", CLOSE)]


SUITE = C.CFUNCTYPE(C.c_void_p, C.c_char_p, C.c_uint32)


class Impl(C.Structure):
    _fields_ = [("abi_version", C.c_uint32), ("name", C.c_char_p), ("version", C.c_char_p),
                ("features", C.POINTER(C.c_char_p)), ("profile", C.c_char_p), ("suite", SUITE)]


EVENT_NAMES = {0x02: "C_BAD_STREAMID", 0x04: "C_BAD_STE", 0x08: "C_BAD_SUBSTREAMID", 0x0A: "C_BAD_CD",
               0x10: "F_TRANSLATION", 0x11: "F_ADDR_SIZE", 0x12: "F_ACCESS", 0x13: "F_PERMISSION"}


def run_plugin(so_path, scens):
    lib = C.CDLL(so_path)
    lib.vipcts_entry.restype = C.POINTER(Impl)
    lib.vipcts_entry.argtypes = [C.c_uint32]
    assert not lib.vipcts_entry(2), "ABI version 2 must be refused"
    impl = lib.vipcts_entry(1).contents
    features = []
    i = 0
    while impl.features[i]:
        features.append(impl.features[i].decode())
        i += 1
    assert impl.abi_version == 1 and "smmu.s1" in features, features
    assert not impl.suite(b"doe", 1) and not impl.suite(b"smmu", 2)
    ops = C.cast(impl.suite(b"smmu", 1), C.POINTER(Ops)).contents
    results = {}
    for name, state, operations in scens:
        st = State()
        r = state["regs"]
        for k, idx in (("IDR0", 0), ("IDR1", 1), ("IDR3", 3), ("IDR5", 5)):
            st.idr[idx] = int(r[k], 16)
        st.cr0, st.cr2, st.gbpa = int(r["CR0"], 16), int(r["CR2"], 16), int(r["GBPA"], 16)
        st.strtab_base, st.strtab_base_cfg = int(r["STRTAB_BASE"], 16), int(r["STRTAB_BASE_CFG"], 16)
        words = (MemWord * max(1, len(state["mem"])))()
        for j, (a, v) in enumerate(state["mem"]):
            words[j].addr, words[j].value = int(a, 16), int(v, 16)
        st.mem, st.mem_count = words, len(state["mem"])
        ctx = ops.open(C.byref(st))
        assert ctx, "open failed"
        del words  # the plugin must have copied the memory
        outs = []
        for t, _ in operations:
            txn = Txn(t["sid"], t["ssid"], int(t["ssv"]), {"read": 0, "write": 1, "exec": 2}[t["access"]],
                      int(t["priv"]), int(t["iova"], 16))
            o = Outcome()
            rc = ops.translate(ctx, C.byref(txn), C.byref(o))
            assert rc == 0, "translate returned %d" % rc
            ups = [[hex(o.updates[k].addr), hex(o.updates[k].value)] for k in range(o.update_count)]
            if o.status == 0:
                outs.append({"status": "translated", "oa": hex(o.oa), "attrs": {"mair": hex(o.mair_attr), "sh": o.sh},
                             "updates": ups})
            else:
                ev = None
                if o.has_event:
                    e = o.event
                    ev = {"type": EVENT_NAMES.get(e.type, hex(e.type)), "sid": e.sid, "ssv": bool(e.ssv),
                          "ssid": e.ssid, "input_addr": hex(e.input_addr), "rnw": bool(e.rnw), "ind": bool(e.ind),
                          "pnu": bool(e.pnu), "s2": bool(e.s2), "class": ["CD", "TT", "IN"][e.event_class]}
                outs.append({"status": "terminated", "termination": ["abort", "raz_wi"][o.termination], "event": ev,
                             "updates": ups})
        ops.close(ctx)
        results[name] = outs
    return results


# ---- the Python implementation through the exec protocol ----

def requests_for(scens):
    reqs = [{"id": 0, "method": "hello", "params": {"protocol": 1, "vipcts": "0.1.0"}}]
    for name, state, operations in scens:
        reqs.append({"id": len(reqs), "method": "open", "params": {"suite": "smmu", "scenario": name, "state": state}})
        for t, _ in operations:
            reqs.append({"id": len(reqs), "method": "translate", "params": t})
        reqs.append({"id": len(reqs), "method": "close", "params": {}})
    reqs.append({"id": len(reqs), "method": "shutdown", "params": {}})
    return reqs


def exec_impl(py_impl, reqs, env_extra=None, timeout=20, args=()):
    env = dict(os.environ)
    env.pop("VIPCTS_EXAMPLE_BUG", None)
    env.update(env_extra or {})
    data = "".join(json.dumps(r) + "\n" for r in reqs)  # all pipelined at once
    p = subprocess.run([sys.executable, py_impl, *args], input=data.encode(), capture_output=True, env=env,
                       timeout=timeout)
    resps = [json.loads(line) for line in p.stdout.decode().splitlines()]
    return p.returncode, resps


def run_python(py_impl, scens, env_extra=None, args=()):
    reqs = requests_for(scens)
    rc, resps = exec_impl(py_impl, reqs, env_extra, args=args)
    assert rc == 0, "exit status %d" % rc
    assert [r["id"] for r in resps] == [r["id"] for r in reqs], "responses out of order or missing"
    hello = resps[0]["result"]
    assert hello["protocol"] == 1 and "smmu.s1" in hello["features"], hello
    results, k = {}, 1
    for name, _, operations in scens:
        assert resps[k]["result"] == {}, resps[k]
        results[name] = [resps[k + 1 + j]["result"] for j in range(len(operations))]
        k += len(operations) + 2
    return results


def compare(label, scens, results):
    bad = 0
    for name, _, operations in scens:
        for j, (t, want) in enumerate(operations):
            got = normalize(results[name][j])
            if got != normalize(want):
                bad += 1
                print("%s %s op %d %s:\n  expected %s\n  observed %s" % (label, name, j, json.dumps(t),
                                                                        json.dumps(normalize(want)), json.dumps(got)))
    return bad


def mismatched_ops(scens, results):
    return [(name, j) for name, _, operations in scens for j, (_, want) in enumerate(operations)
            if normalize(results[name][j]) != normalize(want)]


def main():
    so_path, py_impl = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    scens = scenarios()
    failures = 0
    total = sum(len(o) for _, _, o in scens)
    # 1. No bug: both agree with every hand-computed outcome.
    failures += compare("c-plugin", scens, run_plugin(so_path, scens))
    failures += compare("python-exec", scens, run_python(py_impl, scens))
    print("hand-computed outcomes: %d ops per implementation, %d mismatches" % (total, failures))

    # 2. Each logic bug changes exactly the outcomes it should (both implementations, both switches).
    expected_effect = {"start-level": {("hand-b", 0), ("hand-b", 1)}, "af-ignored": {("hand-a", 4)}}
    for bug, want in expected_effect.items():
        got_py = set(mismatched_ops(scens, run_python(py_impl, scens, {"VIPCTS_EXAMPLE_BUG": bug})))
        got_arg = set(mismatched_ops(scens, run_python(py_impl, scens, args=("--bug", bug))))
        script = ("import sys, json; sys.path.insert(0, %r); import examples_selftest as t; "
                  "s = t.scenarios(); print(json.dumps(t.mismatched_ops(s, t.run_plugin(%r, s))))"
                  % (os.path.dirname(os.path.abspath(__file__)), so_path))
        env = dict(os.environ, VIPCTS_EXAMPLE_BUG=bug)
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=30)
        got_c = set(tuple(x) for x in json.loads(p.stdout.decode() or "null") or [])
        for label, got in (("python env", got_py), ("python --bug", got_arg), ("c-plugin", got_c)):
            if not want <= got or any(name == "hand-a" and bug == "start-level" for name, _ in got):
                failures += 1
                print("bug %s (%s): changed %s, expected at least %s" % (bug, label, sorted(got), sorted(want)))
        print("bug %s: python changes %s, c-plugin changes %s" % (bug, sorted(got_py), sorted(got_c)))

    # 3. crash and hang: the 5th translate dies after the first 4 answers were delivered; once per run.
    with tempfile.TemporaryDirectory() as tmp:
        reqs = requests_for(scens[:1])
        for bug in ("crash", "hang"):
            marker = os.path.join(tmp, "run")
            env = {"VIPCTS_EXAMPLE_BUG": bug, "VIPCTS_EXAMPLE_STATE": marker}
            try:
                rc, resps = exec_impl(py_impl, reqs, env, timeout=3)
                outcome = "exit %d" % rc
            except subprocess.TimeoutExpired as e:
                rc, resps = None, [json.loads(x) for x in (e.stdout or b"").decode().splitlines()]
                outcome = "timeout"
            answered = [r["id"] for r in resps]
            want_rc = -signal.SIGSEGV if bug == "crash" else None
            if rc != want_rc or answered != list(range(6)):
                failures += 1
                print("python %s: %s, answered ids %s (want 0..5 then death)" % (bug, outcome, answered))
            rc2, resps2 = exec_impl(py_impl, reqs, env, timeout=10)  # second life: must not fire again
            if rc2 != 0 or len(resps2) != len(reqs):
                failures += 1
                print("python %s fired twice in one run" % bug)
        script = ("import sys; sys.path.insert(0, %r); import examples_selftest as t; "
                  "s = t.scenarios(); t.run_plugin(%r, s)" % (os.path.dirname(os.path.abspath(__file__)), so_path))
        env = dict(os.environ, VIPCTS_EXAMPLE_BUG="crash", VIPCTS_EXAMPLE_STATE=os.path.join(tmp, "c"))
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=30)
        if p.returncode != -signal.SIGSEGV:
            failures += 1
            print("c-plugin crash: exit %d, want SIGSEGV" % p.returncode)
        p = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=30)
        if p.returncode != 0:
            failures += 1
            print("c-plugin crash fired twice in one run (exit %d)" % p.returncode)
        env["VIPCTS_EXAMPLE_BUG"] = "hang"
        try:
            subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, timeout=3)
            failures += 1
            print("c-plugin hang: finished")
        except subprocess.TimeoutExpired:
            pass

    print("FAIL: %d problems" % failures if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""vipcts example implementation: an SMMUv3 stage-1 translator (4 KB granule) speaking the exec protocol.

Run it as `vipcts run --suite smmu --impl 'exec:python3 examples/python-exec/vipcts_smmu_impl.py' ...`.
The protocol (JSON Lines over stdin/stdout) is docs/implementing.md; the payloads are docs/formats.md §2-3.
Standard library only.

Written from the Arm SMMUv3 specification (Arm IHI 0070 G.b) and the Arm ARM (DDI 0487 M.a.a), independently
of reference/smmu/, as a second opinion. Section numbers below are IHI 0070 G.b unless marked DDI 0487.

Planted bugs, for testing the harness, chosen by VIPCTS_EXAMPLE_BUG=NAME or --bug NAME:
  start-level  the walk starts one level too deep when T0SZ/T1SZ >= 34
  af-ignored   a descriptor with AF == 0 never gives F_ACCESS
  crash        SIGSEGV on the 5th translate of the process
  hang         endless loop on the 5th translate of the process
crash and hang fire once per run (see fire_once).
"""

import argparse
import json
import os
import signal
import sys

PROTOCOL = 1
NAME = "vipcts-example-smmu-py"
VERSION = "0.1.0"
FEATURES = ["smmu.s1", "smmu.ste.bypass", "smmu.gbpa", "smmu.httu.af", "smmu.cd.tbi", "smmu.cd.ttb1",
            "smmu.cd.raz_wi", "smmu.stall"]
BUGS = ("start-level", "af-ignored", "crash", "hang")
REGS = ("IDR0", "IDR1", "IDR3", "IDR5", "CR0", "CR2", "GBPA", "STRTAB_BASE", "STRTAB_BASE_CFG")

C_BAD_STREAMID, C_BAD_STE, C_BAD_SUBSTREAMID, C_BAD_CD = "C_BAD_STREAMID", "C_BAD_STE", "C_BAD_SUBSTREAMID", "C_BAD_CD"
F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION = "F_TRANSLATION", "F_ADDR_SIZE", "F_ACCESS", "F_PERMISSION"


class Unmodelled(Exception):
    """A configuration this example does not cover: answered with an error response."""


def field(x, hi, lo):
    """x[hi:lo], as the specifications write fields."""
    return (x >> lo) & ((1 << (hi - lo + 1)) - 1)


def bit(x, n):
    return (x >> n) & 1 == 1


def ones(hi, lo):
    return ((1 << (hi - lo + 1)) - 1) << lo


def size_bits(encoding):
    """IDR5.OAS / CD.IPS encodings (§6.3.6, §5.4); reserved encodings behave as 52 bits."""
    return (32, 36, 40, 42, 44, 48, 52, 52)[encoding & 7]


def hexs(v):
    return "0x%x" % v


def run_key():
    """The process that runs us, skipping a /bin/sh -c wrapper (dash does not exec the last command), identified
    by pid and start time so that a recycled pid is a different run."""
    pid = os.getppid()
    for _ in range(3):
        try:
            with open("/proc/%d/comm" % pid) as f:
                comm = f.read().strip()
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()  # state ppid ... starttime is the 20th
        except (OSError, IndexError):
            break
        if comm in ("sh", "dash", "bash"):
            pid = int(fields[1])
            continue
        return "%d-%s" % (pid, fields[19])
    return str(pid)


def fire_once(bug):
    """A crash or hang must fire once per run: after it vipcts restarts us, re-opens the scenario and replays its
    earlier operations, so a bug that fired on every 5th translate of every process would take every later
    scenario with it. VIPCTS_EXAMPLE_STATE names the marker; by default it is keyed by the vipcts process."""
    state = os.environ.get("VIPCTS_EXAMPLE_STATE", "")
    if state:
        path = "%s.%s" % (state, bug)
    else:
        path = os.path.join(os.environ.get("TMPDIR") or "/tmp", "vipcts-example-%s.%s" % (run_key(), bug))
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        return True
    except OSError:
        return False


class Txn:
    def __init__(self, params):
        known = {"sid", "ssv", "ssid", "iova", "access", "priv"}
        extra = set(params) - known
        if extra:
            raise ValueError("translate: unknown key %s" % sorted(extra)[0])
        self.sid = int(params["sid"])
        self.ssv = bool(params.get("ssv", False))
        self.ssid = int(params.get("ssid", 0))
        self.iova = int(params["iova"], 16)
        self.access = params.get("access", "read")
        if self.access not in ("read", "write", "exec"):
            raise ValueError("translate: access must be read, write or exec")
        self.priv = bool(params.get("priv", False))


class Fault(Exception):
    def __init__(self, kind, record=True, raz_wi=False, stalled=False):
        super().__init__(kind)
        self.kind, self.record, self.raz_wi, self.stalled = kind, record, raz_wi, stalled


class CD:
    """The CD fields a 4 KB VMSAv8-64 stage 1 uses (§5.4)."""

    def __init__(self, words):
        w0, w1, w2, w3 = words
        self.w0 = w0
        self.tsz = [field(w0, 5, 0), field(w0, 21, 16)]
        self.tg = [field(w0, 7, 6), field(w0, 23, 22)]
        self.epd = [bit(w0, 14), bit(w0, 30)]
        self.v = bit(w0, 31)
        self.ips = field(w0, 34, 32)
        self.affd = bit(w0, 35)
        self.wxn = bit(w0, 36)
        self.pan = bit(w0, 40)
        self.tbi = [bit(w0, 38), bit(w0, 39)]
        self.aa64 = bit(w0, 41)
        self.hd, self.ha = bit(w0, 42), bit(w0, 43)
        self.s, self.r, self.a = bit(w0, 44), bit(w0, 45), bit(w0, 46)
        self.had = [bit(w1, 65 - 64), bit(w2, 129 - 128)]
        self.ttb = [w1 & ones(115 - 64, 68 - 64), w2 & ones(179 - 128, 132 - 128)]  # address bits [51:4]
        self.mair = w3  # {MAIR1, MAIR0}


class Smmu:
    def __init__(self, state, bug):
        if not isinstance(state, dict) or set(state) != {"regs", "mem"}:
            raise ValueError("state: expected exactly the keys regs and mem")
        regs = state["regs"]
        if set(regs) != set(REGS):
            raise ValueError("state.regs: expected exactly the keys %s" % ", ".join(REGS))
        r = {k: int(v, 16) for k, v in regs.items()}
        self.idr0, self.idr1, self.idr3, self.idr5 = r["IDR0"], r["IDR1"], r["IDR3"], r["IDR5"]
        self.cr0, self.cr2, self.gbpa = r["CR0"], r["CR2"], r["GBPA"]
        self.strtab_base, self.strtab_base_cfg = r["STRTAB_BASE"], r["STRTAB_BASE_CFG"]
        self.mem = {}
        for addr, value in state["mem"]:
            self.mem[int(addr, 16) & ~7] = int(value, 16)
        self.bug = bug

    def read(self, addr):
        return self.mem.get(addr & ~7, 0)

    def effective_ips(self, cd):
        """MIN(CD.IPS, IDR5.OAS), and 52-bit only with 64 KB or DS: 48 for 4 KB (§5.4 CD.IPS, §3.4)."""
        return min(size_bits(cd.ips), size_bits(self.idr5 & 7), 48)

    def cd_legal(self, cd):
        """CD ILLEGAL conditions (§5.4, §5.5) for the 4 KB VMSAv8-64 slice; raises Unmodelled outside it."""
        idr0 = self.idr0
        if not cd.v:
            return False
        if not cd.aa64:
            if bit(idr0, 2):
                raise Unmodelled("VMSAv8-32 LPAE stage 1")
            return False
        if not bit(idr0, 3):
            return False
        if not bit(idr0, 12) and field(cd.w0, 63, 56) != 0:  # 8-bit ASIDs only (IDR0.ASID16)
            return False
        ttendian = field(idr0, 22, 21)
        endi = bit(cd.w0, 15) and not (cd.epd[0] and cd.epd[1])
        if (ttendian == 2 and endi) or (ttendian == 3 and not endi):
            return False
        eff = self.effective_ips(cd)
        for x in (0, 1):
            if cd.epd[x]:
                continue  # TxSZ, TGx and TTBx are IGNORED when EPDx == 1
            if not 16 <= cd.tsz[x] <= 39:
                return False
            # TG0: 00 4K, 01 64K, 10 16K, 11 reserved; TG1: 01 16K, 10 4K, 11 64K, 00 reserved.
            tg = cd.tg[x]
            if tg == (3 if x == 0 else 0):
                return False
            if tg == (0 if x == 0 else 2):
                if not bit(self.idr5, 4):
                    return False
            else:
                is64k = tg == (1 if x == 0 else 3)
                if bit(self.idr5, 6 if is64k else 5):
                    raise Unmodelled("16 KB or 64 KB granule")
                return False
            if cd.ttb[x] >> eff:  # outside the effective IPS: ILLEGAL, not F_ADDR_SIZE (§3.4)
                return False
        httu = field(idr0, 7, 6)
        if cd.ha and httu == 0:
            return False
        if cd.hd and httu < 2:
            return False
        stall_model = field(idr0, 25, 24)
        if (stall_model == 1 and cd.s) or (stall_model == 2 and not cd.s):
            return False
        if bit(idr0, 26) and not cd.a:  # TERM_MODEL = 1: no RAZ/WI termination
            return False
        if endi:
            raise Unmodelled("big-endian translation tables")
        return True

    def translate(self, txn):
        oas = size_bits(self.idr5 & 7)
        # SMMUEN == 0: GBPA decides and nothing is recorded (§3.4, §6.3.14 GBPA.ABORT).
        if not bit(self.cr0, 0):
            if bit(self.gbpa, 20) or txn.iova >> oas:
                raise Fault(None, record=False)
            return self.passed(txn.iova)
        # Linear stream table; SID >= 2^MIN(LOG2SIZE, SIDSIZE) is C_BAD_STREAMID, recorded if CR2.RECINVSID
        # (§6.3.25).
        if field(self.strtab_base_cfg, 17, 16) == 1:
            raise Unmodelled("2-level stream table")
        log2size = min(field(self.strtab_base_cfg, 5, 0), field(self.idr1, 5, 0))
        if txn.sid >> log2size:
            raise Fault(C_BAD_STREAMID, record=bit(self.cr2, 1))
        # The table is aligned to its literal LOG2SIZE (§6.3.24 STRTAB_BASE.ADDR).
        align = min(field(self.strtab_base_cfg, 5, 0) + 5, 51)
        ste_addr = (self.strtab_base & ones(51, 6) & ~ones(align, 0)) + txn.sid * 64
        ste0, ste1 = self.read(ste_addr), self.read(ste_addr + 8)
        # STE (§5.2).
        if not bit(ste0, 0):
            raise Fault(C_BAD_STE)
        config = field(ste0, 3, 1)
        if config & 6 == 6 and not bit(self.idr0, 0):
            raise Fault(C_BAD_STE)
        if config & 5 == 5 and not bit(self.idr0, 1):
            raise Fault(C_BAD_STE)
        if config & 6 == 6:
            raise Unmodelled("stage 2")
        if config & 4 == 0:
            raise Fault(None, record=False)  # 0b0xx: abort, no event
        if config == 4:  # bypass both stages
            if txn.ssv:
                raise Fault(C_BAD_SUBSTREAMID)
            if txn.iova >> oas:
                raise Fault(F_ADDR_SIZE)
            return self.passed(txn.iova)
        if field(self.idr0, 25, 24) != 0 and bit(ste1, 91 - 64):  # S1STALLD without stall support
            raise Fault(C_BAD_STE)
        s1cdmax, ssidsize = field(ste0, 63, 59), field(self.idr1, 10, 6)
        if ssidsize != 0 and s1cdmax > ssidsize:
            raise Fault(C_BAD_STE)
        if ssidsize != 0 and s1cdmax != 0:
            raise Unmodelled("multiple context descriptors")
        if txn.ssv:  # substreams disabled: SSV=1 is C_BAD_SUBSTREAMID (§5.2 S1CDMax)
            raise Fault(C_BAD_SUBSTREAMID)
        cd_addr = ste0 & ones(51, 6)
        cd = CD([self.read(cd_addr + 8 * i) for i in range(4)])
        if not self.cd_legal(cd):
            raise Fault(C_BAD_CD)
        try:
            return self.s1_walk(txn, cd)
        except Fault as f:
            # Translation-related faults: CD.S == 1 stalls the transaction and always records the fault
            # (§3.12.2); otherwise CD.R == 0 suppresses the record and CD.A == 0 is RAZ/WI (§5.5).
            if cd.s:
                raise Fault(f.kind, stalled=True)
            raise Fault(f.kind, record=cd.r, raz_wi=not cd.a)

    def passed(self, oa, mair=0, sh=0, updates=()):
        return {"status": "translated", "oa": hexs(oa), "attrs": {"mair": hexs(mair), "sh": sh},
                "updates": [[hexs(a), hexs(v)] for a, v in updates]}

    def s1_walk(self, txn, cd):
        """Stage-1 4 KB walk (DDI 0487 J1.1 AArch64.S1Walk; §3.4)."""
        va = txn.iova
        x = 1 if bit(va, 55) else 0  # VA[55] selects TTB0 or TTB1 (§3.4.1)
        if cd.epd[x]:
            raise Fault(F_TRANSLATION)
        tsz = cd.tsz[x]
        n = 64 - tsz
        # VA[AddrTop:N] must be all zeros (TTB0) or all ones (TTB1), N = 64 - TxSZ the input size; AddrTop = 55
        # with TBI (§3.4.1; DDI 0487 J1.1 AArch64.S1Translate checks VA[top:inputsize]).
        addr_top = 55 if cd.tbi[x] else 63
        if field(va, addr_top, n) != (ones(addr_top - n, 0) if x else 0):
            raise Fault(F_TRANSLATION)
        eff_ips = self.effective_ips(cd)
        level = 3 - (n - 1 - 12) // 9  # DDI 0487 J1.1 AArch64.S1StartLevel
        if self.bug == "start-level" and tsz >= 34:
            level += 1  # planted bug
        start = level
        index_bits = n - (12 + 9 * (3 - start))
        table = cd.ttb[x] & ~ones(index_bits + 2, 0)  # start table aligned to its size
        hierarchical = not (bit(self.idr3, 2) and cd.had[x])  # HADx counts only with IDR3.HAD
        ap_table, uxn_table, pxn_table = 0, False, False
        while True:
            shift = 12 + 9 * (3 - level)
            hi = n - 1 if level == start else shift + 8
            desc_addr = table + field(va, hi, shift) * 8
            desc = self.read(desc_addr)
            if not bit(desc, 0):
                raise Fault(F_TRANSLATION)
            if bit(desc, 1) and level < 3:  # table
                nxt = desc & ones(47, 12)
                if nxt >> eff_ips:
                    raise Fault(F_ADDR_SIZE)
                if hierarchical:
                    ap_table |= field(desc, 62, 61)
                    uxn_table = uxn_table or bit(desc, 60)
                    pxn_table = pxn_table or bit(desc, 59)
                table = nxt
                level += 1
                continue
            # Block only at levels 1-2 (4 KB, no DS); 01 at level 3 is reserved (DDI 0487 D8.3).
            if not bit(desc, 1) and level in (0, 3):
                raise Fault(F_TRANSLATION)
            oa = (desc & ones(47, shift)) | field(va, shift - 1, 0)
            if oa >> eff_ips:
                raise Fault(F_ADDR_SIZE)
            set_af = False
            if not bit(desc, 10):  # Access flag, before permissions (§3.13)
                if cd.ha:
                    set_af = True
                elif not cd.affd and self.bug != "af-ignored":
                    raise Fault(F_ACCESS)
            if not self.permitted(txn, cd, desc, ap_table, uxn_table, pxn_table):
                raise Fault(F_PERMISSION)  # whether AF is set is UNKNOWN: we do not set it
            attr_indx = field(desc, 4, 2)
            updates = []
            if set_af:
                desc |= 1 << 10
                self.mem[desc_addr] = desc
                updates.append((desc_addr, desc))
            return self.passed(oa, field(cd.mair, 8 * attr_indx + 7, 8 * attr_indx), field(desc, 9, 8), updates)

    @staticmethod
    def permitted(txn, cd, desc, ap_table, uxn_table, pxn_table):
        """Direct permissions, EL1&0 (DDI 0487 J1.1 AArch64.S1DirectBasePermissions; §5.4 WXN, PAN). An
        instruction fetch needs execute permission only: a read "requires Read or Execute permission (depending
        on InD)" (§3.22, §16.7), so execute-only pages can be fetched."""
        ap = field(desc, 7, 6)
        pr, pw, ur, uw = True, not bit(ap, 1), bit(ap, 0), ap == 1
        if bit(ap_table, 0):
            ur = uw = False
        if bit(ap_table, 1):
            pw = uw = False
        px = not (bit(desc, 53) or pxn_table or uw)
        ux = not (bit(desc, 54) or uxn_table)
        if cd.wxn:
            px, ux = px and not pw, ux and not uw
        r, w, x = (pr, pw, px) if txn.priv else (ur, uw, ux)
        if txn.priv and cd.pan and ur:  # PAN: no privileged data access to EL0 data
            r = w = False
        if txn.access == "write":
            return w
        if txn.access == "exec":
            return x
        return r


def outcome_of_fault(f, txn):
    """A record carries only the fields its type defines (§7.3): the configuration errors name the stream
    (C_BAD_SUBSTREAMID has no SSV bit, §7.3.9); translation faults add the access, InputAddr, S2 and CLASS."""
    out = {"status": "terminated", "termination": "raz_wi" if f.raz_wi else "abort", "event": None, "updates": []}
    if f.stalled:  # held until CMD_RESUME / CMD_STALL_TERM: no termination yet
        out = {"status": "stalled", "event": None, "updates": []}
    if f.record and f.kind is not None:
        event = {"type": f.kind, "sid": txn.sid, "ssv": txn.ssv, "ssid": txn.ssid if txn.ssv else 0}
        if f.kind == C_BAD_SUBSTREAMID:
            del event["ssv"]
            event["ssid"] = txn.ssid
        elif f.kind not in (C_BAD_STREAMID, C_BAD_STE, C_BAD_CD):
            event.update({"input_addr": hexs(txn.iova), "rnw": txn.access != "write", "ind": txn.access == "exec",
                          "pnu": txn.priv, "s2": False, "class": "IN"})
            if f.stalled:
                event["stall"] = True
        out["event"] = event
    return out


class Server:
    def __init__(self, bug):
        self.bug = bug
        self.smmu = None
        self.translates = 0
        self.pending = []
        self.stop = False

    def flush(self):
        if self.pending:
            data = "".join(self.pending).encode()
            self.pending = []
            while data:
                data = data[os.write(1, data):]

    def handle(self, line):
        try:
            req = json.loads(line)
        except ValueError as e:
            return {"id": None, "error": {"message": "request is not JSON: %s" % e}}
        rid = req.get("id") if isinstance(req, dict) else None
        try:
            method, params = req["method"], req.get("params", {})
            if method == "hello":
                return {"id": rid, "result": {"protocol": PROTOCOL, "name": NAME, "version": VERSION,
                                              "features": FEATURES, "profile": ""}}
            if method == "open":
                if params.get("suite") != "smmu":
                    raise ValueError("suite %r not implemented" % params.get("suite"))
                self.smmu = Smmu(params["state"], self.bug)
                return {"id": rid, "result": {}}
            if method == "translate":
                self.translates += 1
                if self.translates == 5 and self.bug in ("crash", "hang") and fire_once(self.bug):
                    self.flush()  # the answers before this one are owed; only this operation dies
                    if self.bug == "crash":
                        os.kill(os.getpid(), signal.SIGSEGV)
                    while True:
                        pass
                if self.smmu is None:
                    raise ValueError("translate before open")
                txn = Txn(params)
                try:
                    result = self.smmu.translate(txn)
                except Fault as f:
                    result = outcome_of_fault(f, txn)
                return {"id": rid, "result": result}
            if method == "close":
                self.smmu = None
                return {"id": rid, "result": {}}
            if method == "shutdown":
                self.stop = True
                return {"id": rid, "result": {}}
            raise ValueError("unknown method %r" % method)
        except Unmodelled as e:
            return {"id": rid, "error": {"message": "not modelled by this example: %s" % e}}
        except (KeyError, ValueError, TypeError) as e:
            return {"id": rid, "error": {"message": "%s: %s" % (type(e).__name__, e)}}

    def serve(self):
        buf = b""
        while True:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            # Answer every complete request read so far, then write the batch at once (pipelining).
            for line in lines:
                if not line.strip():
                    continue
                resp = self.handle(line)
                self.pending.append(json.dumps(resp, separators=(",", ":")) + "\n")
                if self.stop:
                    self.flush()
                    return 0
            self.flush()
        self.flush()
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bug", choices=BUGS, default=os.environ.get("VIPCTS_EXAMPLE_BUG") or None)
    args = parser.parse_args()
    return Server(args.bug).serve()


if __name__ == "__main__":
    sys.exit(main())

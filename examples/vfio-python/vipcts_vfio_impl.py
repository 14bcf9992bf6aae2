#!/usr/bin/env python3
"""Example vfio implementation for vipcts (exec protocol): the VFIO container/group lifecycle and the type1 IOMMU
(v1 and v2, kernels linux-6.1, linux-6.12 and linux-6.18+), with device DMA probes. It is written from the
clause texts of spec/vfio.yaml, independently of the C++ reference model. It claims no iommufd, compat, dirty
tracking or SVA, so those vectors are reported not applicable.

Protocol: docs/implementing.md (JSON Lines); payloads: docs/vfio-operations.md.

Planted bug: VIPCTS_VFIO_EXAMPLE_BUG=v1-unmap-in-v2 (or --bug) applies type1 v1 unmap semantics to a TYPE1v2
container, the classic mistake the suite must catch (clause VFIO.TYPE1.UNMAP.V2_BISECT)."""
import argparse
import json
import os
import sys

PROTOCOL = 1
NAME = "vipcts-vfio-python-example"
VERSION = "1.0"
BUGS = ["v1-unmap-in-v2"]
FEATURES = ["vfio.type1", "vfio.dma", "vfio.kernel.linux-6.1", "vfio.kernel.linux-6.12", "vfio.kernel.linux-6.18+",
            "vfio.geometry.intel-vtd-aw39", "vfio.geometry.amd-vi", "vfio.geometry.full64", "vfio.geometry.small"]
TOP = 1 << 64
PAGE = 0x1000
READ, WRITE, VADDR = 1, 2, 4
UNMAP_DIRTY, UNMAP_ALL, UNMAP_VADDR = 1, 2, 4


class Errno(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def h(x):
    return int(x, 16)


def hx(v):
    return hex(v)


class Container:
    def __init__(self):
        self.open = True
        self.v2 = None            # None: no IOMMU set; False: TYPE1; True: TYPE1v2
        self.maps = []            # dicts: iova, size, vaddr, backing, prot, invalid
        self.avail = 0


class Vfio:
    def __init__(self, state, bug):
        self.bug = bug
        prof = state["profile"]
        if prof["backend"] not in ("type1v1", "type1v2"):
            raise ValueError("backend %s not implemented" % prof["backend"])
        self.kernel = prof["kernel"]
        self.fixed = self.kernel == "linux-6.18+"
        g = state["geometry"]
        bitmap = h(g["pgsizes"])
        if bitmap & (PAGE - 1):
            bitmap = (bitmap & ~(PAGE - 1)) | PAGE
        self.pgsizes = bitmap
        self.gran = bitmap & -bitmap
        ap = (h(g["aperture"][0]), h(g["aperture"][1]))
        self.ranges = [ap]
        for lo, hi in ((h(a), h(b)) for a, b in g["reserved"]):
            out = []
            for f, l in self.ranges:
                if hi < f or lo > l:
                    out.append((f, l))
                    continue
                if lo > f:
                    out.append((f, lo - 1))
                if hi < l:
                    out.append((hi + 1, l))
            self.ranges = out
        self.limit = g["dma_entry_limit"]
        self.write_implies_read = g.get("write_implies_read", False)
        self.pool_base, self.pool_size = h(state["pool"]["base"]), h(state["pool"]["size"])
        self.containers = []
        self.groups = [{"container": None, "device": False} for _ in range(state["groups"])]

    # -- helpers
    def cont(self, p):
        c = p["container"]
        if not 0 <= c < len(self.containers):
            raise ValueError("container %d never opened" % c)
        return self.containers[c]

    def wrap_errno(self):
        return "EOVERFLOW" if self.fixed else "EINVAL"

    def tail(self, m):
        return m["iova"] + m["size"] == TOP

    def find(self, c, start, size):
        """vfio_find_dma: before 6.18 exclusive ends wrap (a request ending at 2^64 and a mapping ending there
        are never found); from 6.18 inclusive ends."""
        for m in c.maps:
            if self.fixed:
                last = start if size == 0 else start + size - 1
                if m["iova"] <= last and start <= m["iova"] + m["size"] - 1:
                    return m
            else:
                if self.tail(m):
                    continue
                if (start + size) % TOP <= m["iova"] or start >= m["iova"] + m["size"]:
                    continue
                return m
        return None

    # -- container
    def check_extension(self, c, ext):
        if ext in (1, 3, 9):
            return 1
        if ext == 6:
            return 0 if self.fixed else 1
        if ext == 10:
            return 1 if c.v2 is not None else 0
        if ext == 4 and c.v2 is not None:
            raise ValueError("DMA_CC_IOMMU with an IOMMU is not implemented")
        return 0

    def set_iommu(self, idx, t):
        c = self.containers[idx]
        if not any(g["container"] == idx for g in self.groups) or c.v2 is not None:
            raise Errno("EINVAL")
        claimed = t in (1, 3, 9) or (t == 6 and not self.fixed)
        if not claimed:
            raise Errno("ENODEV")
        if t == 6:
            raise ValueError("nesting not implemented")
        if t not in (1, 3):
            raise Errno("EINVAL")
        c.v2, c.maps, c.avail = t == 3, [], self.limit

    def map_dma(self, c, p):
        flags, iova, size = p["flags"], h(p["iova"]), h(p["size"])
        vaddr = (self.pool_base + h(p["vaddr"])) % TOP
        prot = flags & (READ | WRITE)
        if p.get("argsz", 32) < 32 or flags & ~7 or (prot and flags & VADDR) or (not prot and not flags & VADDR):
            raise Errno("EINVAL")
        if size == 0 or (iova | size | vaddr) % self.gran:
            raise Errno("EINVAL")
        if iova + size > TOP or vaddr + size > TOP:
            raise Errno(self.wrap_errno())
        hit = self.find(c, iova, size)
        if flags & VADDR:
            if hit is None:
                raise Errno("ENOENT")
            if not hit["invalid"] or hit["iova"] != iova or hit["size"] != size:
                raise Errno("EINVAL")
            hit["vaddr"], hit["invalid"] = vaddr, False
            return {"ret": 0}
        if hit is not None:
            raise Errno("EEXIST")
        if c.avail == 0:
            raise Errno("ENOSPC")
        if not any(f <= iova and iova + size - 1 <= l for f, l in self.ranges):
            raise Errno("EINVAL")
        if not self.fixed and c.maps and (iova + size == TOP or any(self.tail(m) for m in c.maps)):
            # Before 6.18 the overlap check is blind here; only a real overlap has an unspecified outcome.
            if any(m["iova"] < iova + size and iova < m["iova"] + m["size"] for m in c.maps):
                raise ValueError("overlap with a mapping at the end of the address space is not implemented")
        if vaddr < self.pool_base or vaddr + size > self.pool_base + self.pool_size:
            raise Errno("EFAULT")
        c.avail -= 1
        c.maps.append({"iova": iova, "size": size, "vaddr": vaddr, "backing": vaddr, "prot": prot, "invalid": False})
        c.maps.sort(key=lambda m: m["iova"])
        return {"ret": 0}

    def unmap_dma(self, c, p):
        flags, iova, size = p["flags"], h(p["iova"]), h(p["size"])
        if not self.fixed and len(c.maps) > 1 and any(self.tail(m) for m in c.maps):
            raise ValueError("end-of-address-space mapping next to others is not implemented")
        if p.get("argsz", 24) < 24 or flags & ~7 or (flags & UNMAP_DIRTY and flags & (UNMAP_ALL | UNMAP_VADDR)):
            raise Errno("EINVAL")
        if flags & UNMAP_DIRTY:
            raise ValueError("dirty bitmaps not implemented")
        if iova % self.gran:
            raise Errno("EINVAL")
        if flags & UNMAP_ALL:
            if iova or size:
                raise Errno("EINVAL")
            size = TOP - 1
        else:
            if size == 0 or size % self.gran:
                raise Errno("EINVAL")
            if iova + size > TOP:
                raise Errno(self.wrap_errno())
        v2 = c.v2 and self.bug != "v1-unmap-in-v2"
        end = iova + size  # exclusive, exact integer
        if v2 and not flags & UNMAP_ALL:
            lo = self.find(c, iova, 1)
            if lo is not None and lo["iova"] != iova:
                raise Errno("EINVAL")
            hi = self.find(c, iova + size - 1, 1 if self.fixed else 0)
            if hi is not None and (hi["iova"] + hi["size"]) % TOP != end % TOP:
                raise Errno("EINVAL")
        # The scan starts at the lowest mapping ending above iova (a wrapped one never, before 6.18).
        start = None
        for i, m in enumerate(c.maps):
            if self.fixed or not self.tail(m):
                if iova < m["iova"] + m["size"]:
                    start = i
                    break
        limit = end if self.fixed else end % TOP
        if start is not None and c.maps[start]["iova"] >= limit:
            start = None
        total, i, undo = 0, start, []
        while i is not None and i < len(c.maps):
            m = c.maps[i]
            if m["iova"] >= limit:
                break
            if not v2 and iova > m["iova"]:
                break
            if flags & UNMAP_VADDR:
                if m["invalid"]:
                    for u in undo:
                        u["invalid"] = False
                    raise Errno("EINVAL")
                m["invalid"] = True
                undo.append(m)
                total += m["size"]
                i += 1
                continue
            total += m["size"]
            del c.maps[i]
            c.avail += 1
        return {"ret": 0, "size": hx(total)}

    def get_info(self, c, p):
        argsz = p.get("argsz", 4096)
        if argsz < 16:
            raise Errno("EINVAL")
        # The capability chain always exists, so CAPS is set even when argsz is too short to receive it.
        out = {"ret": 0, "flags": 3, "iova_pgsizes": hx(self.pgsizes)}
        caps = (16 + 16 * len(self.ranges) if self.ranges else 0) + 32 + 16
        if argsz >= 24 + caps:
            if self.ranges:
                out["iova_ranges"] = [[hx(f), hx(l)] for f, l in self.ranges]
            out["dma_avail"] = c.avail
            out["migration"] = {"pgsize_bitmap": hx(self.gran), "max_dirty_bitmap_size": hx(0x10000000)}
        return out

    # -- dispatch
    def apply(self, method, p):
        if method == "container.open":
            self.containers.append(Container())
            return {"ret": 0, "container": len(self.containers) - 1}
        if method == "container.close":
            self.cont(p).open = False
            return {"ret": 0}
        if method == "container.api_version":
            self.cont(p)
            return {"ret": 0}
        if method == "container.check_extension":
            return {"ret": self.check_extension(self.cont(p), p["ext"])}
        if method == "container.set_iommu":
            self.cont(p)
            self.set_iommu(p["container"], p["type"])
            return {"ret": 0}
        if method in ("container.map_dma", "container.unmap_dma", "container.get_info", "container.dirty_pages"):
            c = self.cont(p)
            if c.v2 is None:
                raise Errno("EINVAL")
            if method == "container.map_dma":
                return self.map_dma(c, p)
            if method == "container.unmap_dma":
                return self.unmap_dma(c, p)
            if method == "container.get_info":
                return self.get_info(c, p)
            raise ValueError("dirty tracking not implemented")
        if method.startswith("group."):
            g = self.groups[p["group"]]
            if method == "group.status":
                return {"ret": 0, "flags": 3 if g["container"] is not None else 1}
            if method == "group.set_container":
                ci = p["container"]
                if not 0 <= ci < len(self.containers) or not self.containers[ci].open:
                    raise Errno("EBADF")
                if g["container"] is not None:
                    raise Errno("EINVAL")
                g["container"] = ci
                return {"ret": 0}
            if method == "group.unset_container":
                if g["container"] is None:
                    raise Errno("EINVAL")
                if g["device"]:
                    raise Errno("EBUSY")
                ci, g["container"] = g["container"], None
                if not any(x["container"] == ci for x in self.groups):
                    c = self.containers[ci]
                    c.v2, c.maps = None, []
                return {"ret": 0}
            if method == "group.get_device":
                if g["container"] is None or self.containers[g["container"]].v2 is None:
                    raise Errno("EINVAL")
                g["device"] = True
                return {"ret": 0}
        if method in ("dma.write", "dma.read"):
            g = self.groups[p["group"]]
            iova = h(p["iova"])
            out = {"ret": 0, "dma": "blocked"}
            if g["container"] is None or self.containers[g["container"]].v2 is None:
                return out
            need = WRITE if method == "dma.write" else READ
            for m in self.containers[g["container"]].maps:
                if m["iova"] <= iova < m["iova"] + m["size"]:
                    if m["prot"] & need or (need == READ and self.write_implies_read and m["prot"] & WRITE):
                        out = {"ret": 0, "dma": "landed", "pool_offset": hx(m["backing"] + iova - m["iova"] - self.pool_base)}
                    break
            return out
        raise ValueError("method %s not implemented" % method)


class Server:
    def __init__(self, bug):
        self.bug, self.vfio, self.stop, self.pending = bug, None, False, []

    def handle(self, line):
        try:
            req = json.loads(line)
        except ValueError as e:
            return {"id": None, "error": {"message": "request is not JSON: %s" % e}}
        rid = req.get("id")
        method, params = req.get("method"), req.get("params", {})
        try:
            if method == "hello":
                return {"id": rid, "result": {"protocol": PROTOCOL, "name": NAME, "version": VERSION,
                                              "features": FEATURES, "profile": ""}}
            if method == "open":
                if params.get("suite") != "vfio":
                    raise ValueError("suite %r not implemented" % params.get("suite"))
                self.vfio = Vfio(params["state"], self.bug)
                return {"id": rid, "result": {}}
            if method == "close":
                self.vfio = None
                return {"id": rid, "result": {}}
            if method == "shutdown":
                self.stop = True
                return {"id": rid, "result": {}}
            if self.vfio is None:
                raise ValueError("operation before open")
            try:
                result = self.vfio.apply(method, params)
            except Errno as e:
                result = {"ret": -1, "errno": e.name}
            return {"id": rid, "result": result}
        except (KeyError, ValueError, TypeError, IndexError) as e:
            return {"id": rid, "error": {"message": "%s: %s" % (type(e).__name__, e)}}

    def serve(self):
        buf = b""
        while True:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:  # answer every complete request read so far, then write the batch (pipelining)
                if line.strip():
                    self.pending.append(json.dumps(self.handle(line), separators=(",", ":")) + "\n")
                if self.stop:
                    break
            data = "".join(self.pending).encode()
            self.pending = []
            while data:
                data = data[os.write(1, data):]
            if self.stop:
                return 0
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bug", choices=BUGS, default=os.environ.get("VIPCTS_VFIO_EXAMPLE_BUG") or None)
    return Server(ap.parse_args().bug).serve()


if __name__ == "__main__":
    sys.exit(main())

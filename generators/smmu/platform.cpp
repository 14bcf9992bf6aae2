#include "platform.hpp"

#include <algorithm>
#include <set>

#include "builder.hpp"
#include "harness/core/errors.hpp"
#include "reference/smmu/stream_table.hpp"
#include "reference/smmu/translate.hpp"

namespace vipcts::smmu::gen {
namespace {

using P = QemuVirtPlatform;

bool in_window(uint64_t pa) {
  return pa >= P::kOutLo && pa < P::kOutHi;
}

// splitmix64: a deterministic choice from the scenario id and the leaf's address.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t hash_id(const std::string& id) {
  uint64_t h = 1469598103934665603ull;
  for (char c : id) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

// The leaf descriptor a stage-1 translation of `t` went through, found with the generator's own table builder
// from the STE the reference's Stream table lookup finds (linear or 2-level, §3.3.1), the STE's S1ContextPtr
// and the CD's TTBx/TxSZ (IHI 0070 G.b §5.2, §5.4).
std::optional<uint64_t> leaf_address(SparseMemory& m, const SmmuRegisters& r, const Transaction& t) {
  if (!cr0_smmuen(r)) return std::nullopt;
  Outcome scratch;
  const SteLocation ste = locate_ste(m, r, t.stream_id, scratch, nullptr);
  if (ste.result != SteLookup::Found) return std::nullopt;
  const uint64_t ste0 = m.read64(ste.addr);
  if (bits(ste0, 3, 1) != 0b101) return std::nullopt;
  const uint64_t cd = ste0 & mask(55, 6);
  const uint64_t cd0 = m.read64(cd);
  const bool ttb1 = bit(t.iova, 55);
  const unsigned txsz = static_cast<unsigned>(ttb1 ? bits(cd0, 21, 16) : bits(cd0, 5, 0));
  const uint64_t root = m.read64(cd + (ttb1 ? 16 : 8)) & mask(51, 4);
  if (txsz < 16 || txsz > 39) return std::nullopt;
  Builder b(m, 0);
  const auto path = b.path(root, txsz, t.iova);
  if (path.empty()) return std::nullopt;
  return path.back();
}

// Whether the adapter can send a request for `sid` from one of its NVMe functions (P::kDeviceSids): with a
// 2-level Stream table it gives the device's StreamID D the L1STD of `sid`, and D's StreamID[SPLIT-1:0] is D
// itself, so some D must be inside that L1STD's Span exactly when `sid` is (IHI 0070 G.b §5.1.1).
bool device_can_stand_in(const SparseMemory& m, const SmmuRegisters& r, uint32_t sid) {
  if (strtab_fmt(r) != 1 || sid_out_of_range(r, sid)) return true;
  const L1Std l1{m.read64(l1std_address(r, sid))};
  const unsigned split = strtab_split(r);
  const bool reaches = l1std_reaches_ste(l1, split, sid);
  return std::any_of(P::kDeviceSids.begin(), P::kDeviceSids.end(),
                     [&](uint32_t d) { return l1std_reaches_ste(l1, split, d) == reaches; });
}

}  // namespace

void check_platform(const std::string& name) {
  if (name != "qemu-virt") throw InputError("--platform: unknown platform '" + name + "'; known: qemu-virt");
}

bool apply_platform(const std::string& name, ScenarioSpec& s) {
  check_platform(name);
  // QEMU 7.2 does not advertise stage 2 (IDR0.S2P = 0): stage-2 and nested scenarios are left out.
  if (idr0_s2p(s.regs)) return false;
  // Nor does it stall (IDR0.STALL_MODEL = 0b01): a scenario aimed at the Stall model (SMMU.EVENT.STALL: a
  // transaction stalls, or the clause's C_BAD_CD control) would only repeat SMMU.CD.STALL's C_BAD_CD there,
  // so it is left out too.
  if (std::find(s.clauses.begin(), s.clauses.end(), "SMMU.EVENT.STALL") != s.clauses.end()) return false;
  s.regs.idr0 = P::kIdr0;
  s.regs.idr1 = P::kIdr1;
  s.regs.idr3 = P::kIdr3;
  s.regs.idr5 = P::kIdr5;
  std::erase_if(s.transactions,
                [&](const Transaction& t) { return !device_can_stand_in(s.memory, s.regs, t.stream_id); });
  if (s.transactions.empty()) return false;
  for (Transaction& t : s.transactions) {
    t.privileged = false;  // PCIe without a PASID TLP prefix: Data, Unprivileged (IHI 0070 G.b §13.7)
    if (t.access == AccessKind::Execute) t.access = AccessKind::Read;
    t.ssv = false;
    t.substream_id = 0;
  }
  // Everything the SMMU reads must exist on the machine: the table window or RAM (0x4000_0000, 2 GiB).
  for (const auto& w : s.memory.nonzero_words())
    if (!(w.addr >= P::kStructLo && w.addr < P::kStructHi) && !(w.addr >= P::kRamLo && w.addr < P::kRamHi))
      return false;
  const uint64_t seed = hash_id(s.id);
  const uint64_t wsize = P::kOutHi - P::kOutLo;
  SparseMemory memory = s.memory;
  std::set<uint64_t> moved;
  for (Transaction& t : s.transactions) {
    Outcome o = translate(memory, s.regs, t);
    if (o.status == Status::Unmodelled) return false;
    if (o.status == Status::Translated && !in_window(o.output_address)) {
      if (o.level >= 0) {
        const unsigned shift = 12 + 9 * (3 - static_cast<unsigned>(o.level));
        const uint64_t size = uint64_t{1} << shift;
        const auto leaf = leaf_address(memory, s.regs, t);
        if (leaf && !moved.count(*leaf)) {
          // Give the leaf an output address in the window (the window's start for blocks larger than it).
          const uint64_t slots = size >= wsize ? 1 : wsize / size;
          const uint64_t oa =
              size >= wsize ? (P::kOutLo & ~(size - 1)) : P::kOutLo + (mix(seed ^ *leaf) % slots) * size;
          const uint64_t d = memory.read64(*leaf);
          const uint64_t nd = (d & ~mask(47, shift)) | oa;
          memory.write64(*leaf, nd);
          s.memory.write64(*leaf, nd);
          moved.insert(*leaf);
          o = translate(memory, s.regs, t);
        }
        if (o.status == Status::Translated && !in_window(o.output_address) && size > wsize) {
          // A block larger than the window: keep the access in the block, at the same offset within the
          // window.
          const uint64_t block = o.output_address & ~(size - 1);
          if (block <= P::kOutLo && block + size >= P::kOutHi) {
            t.iova += (P::kOutLo + (o.output_address & (wsize - 1))) - o.output_address;
            o = translate(memory, s.regs, t);
          }
        }
      } else {
        // Bypass (STE Config 100, or SMMUEN = 0): the input address is the output address.
        t.iova = P::kOutLo + (t.iova & (wsize - 1));
        o = translate(memory, s.regs, t);
      }
      if (o.status == Status::Unmodelled) return false;
    }
    apply_updates(memory, o);
  }
  finish_scenario(s);
  return true;
}

}  // namespace vipcts::smmu::gen

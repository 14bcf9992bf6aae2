// The configuration a stream's stage-1 translations share, and a cache of it: what the STE and CD fix once
// (legality, which TTB regime applies, its geometry and enables), kept so that later transactions of the same
// StreamID and SubstreamID go straight to the walk — the combined STE and CD cache of Arm IHI 0070 G.b §16.2,
// looked up by StreamID and SubstreamID.
//
// Unlike hardware's, this cache never changes an answer: an entry is used only while the memory it was read
// from and the registers are exactly those it was built with (SparseMemory::generation, SmmuRegisters ==),
// which stands in for the CMD_CFGI_* invalidations software would have to issue. Transactions that are
// traced (witnesses) or nested (the CD fetch depends on the access through stage 2) are never cached.
#pragma once

#include <array>
#include <cstdint>

#include "../common/sparse_memory.hpp"
#include "clause.hpp"
#include "context_descriptor.hpp"
#include "granule.hpp"
#include "registers.hpp"
#include "stage2.hpp"
#include "transaction.hpp"
#include "walk_cache.hpp"

namespace vipcts::smmu {

// One translation table base of a legal CD (TTB0 or TTB1, §5.4): what VA[55] selects. When epd is set the
// other members are not meaningful (TGx and TxSZ are IGNORED then).
struct TtbRegime {
  bool epd = false;         // EPDx: walks through this TTB fault (SMMU.S1.EPD)
  bool tbi = false;         // TBIx: VA[63:56] ignored by the range check
  unsigned txsz = 0;        // TxSZ, in range
  uint64_t range_mask = 0;  // VA[AddrTop : 64 - TxSZ], which must be all 0 (TTB0) or all 1 (TTB1)
  Granule granule = Granule::K4;
  bool ds = false;           // CD.DS in effect for this granule
  unsigned eff_ips = 48;     // eff_IPS (SMMU.CD.IPS_EFFECTIVE)
  int start_level = 0;       // SMMU.S1.WALK_START_LEVEL
  bool had = false;          // HADx effective: table descriptor attribute bits IGNORED
  uint8_t pbha_enables = 0;  // stage-1 PBHA bits enabled by IDR3.PBHA, CD.HADx and CD.HWUx (SMMU.PBHA.S1_*)
  unsigned cd_sh = 0;        // CD.SHx, the shareability of leaves when DS is in effect
};

struct StageOneConfig {
  ContextDescriptor cd;
  std::array<TtbRegime, 2> ttb;
  bool stage2 = false;  // nested: stage-1 table reads and the output are translated by stage 2 (s2)
  S2Params s2;
};

class ConfigCache {
 public:
  static constexpr size_t kEntries = 16;

  struct Entry {
    bool valid = false;
    uint32_t stream_id = 0;
    bool ssv = false;
    uint32_t substream_id = 0;  // 0 when !ssv
    const SparseMemory* memory = nullptr;
    uint64_t generation = 0;
    SmmuRegisters regs;
    StageOneConfig config;
    ClauseSet clauses;  // the clauses the configuration decided, replayed into each outcome
  };

  // The entry for this transaction's stream, if it is still exact.
  const Entry* find(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn) const {
    const Entry& e = entries_[slot(txn)];
    if (!e.valid || e.stream_id != txn.stream_id || e.ssv != txn.ssv ||
        e.substream_id != (txn.ssv ? txn.substream_id : 0) || e.memory != &memory ||
        e.generation != memory.generation() || !(e.regs == regs))
      return nullptr;
    return &e;
  }
  void store(const SparseMemory& memory, const SmmuRegisters& regs, const Transaction& txn,
             const StageOneConfig& config, const ClauseSet& clauses) {
    entries_[slot(txn)] =
        Entry{true, txn.stream_id, txn.ssv, txn.ssv ? txn.substream_id : 0, &memory, memory.generation(),
              regs, config,        clauses};
  }
  void clear() {
    entries_ = {};
    walks.clear();
  }

  // The walk cache paired with it, used by the walks of the configurations it serves.
  WalkCache walks;

 private:
  static size_t slot(const Transaction& txn) {
    const uint32_t ssid = txn.ssv ? txn.substream_id : 0;
    return (txn.stream_id ^ (ssid * 0x9e3779b9u)) % kEntries;
  }
  std::array<Entry, kEntries> entries_{};
};

}  // namespace vipcts::smmu

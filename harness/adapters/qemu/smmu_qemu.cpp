// QEMU 7.2's SMMUv3 under the `smmu` suite.
//
// Machine: qemu-system-aarch64 -machine virt,iommu=smmuv3,accel=tcg -cpu max -m 2G -bios IDLE with an 8-byte
// idle-loop image (wfi; b .-4) written by the adapter: Debian's QEMU has no qtest accelerator, and an idle
// CPU keeps timers running without touching the PCI tree (shared notes, qemu-qtest §11). Devices:
//   00:01.0-3 and 00:02.0-3: eight nvme functions, each with a 1 MiB legacy CMB: the DMA engines. Their
//   StreamIDs (bus << 8 | devfn) are 8-11 and 16-19.
//   00:03.0, 00:04.0 ivshmem-plain with 256 MiB RAM BARs placed at 0x1000_0000 and 0x2000_0000, where the
//   generator puts stream tables, CDs and translation tables.
//
// Scenario (open): the state's memory words are written (zero elsewhere in their pages; pages of the previous
// scenario are cleared), the registers programmed (STRTAB_BASE/CFG, CR2, GBPA - absent in 7.2 -,
// CR0 with the queues on), then CFGI_ALL + TLBI_NH_ALL + CMD_SYNC so nothing cached survives (IHI 0070 G.b
// §4.3, §4.4). The scenario's ID registers must equal QEMU's: a scenario written for another profile gets an
// error naming the register (generate with `--platform qemu-virt`).
//
// Only the words that differ from what the adapter last wrote are sent (a shadow of the pages it changed);
// after a DMA write that went somewhere the adapter cannot tell, the next scenario's pages are sent whole.
//
// StreamIDs: a request for StreamID S is sent as DMA from one of the controllers, D, after STE[D] is loaded
// with the scenario's STE[S] and STRTAB_BASE_CFG.LOG2SIZE is set so that D is on the same side of the table
// bound as S (LOG2SIZE 5 or more when every S is inside the scenario's table, 3 when every S is outside, 4
// when both: D 8-11 inside, 16-19 outside; SMMU.STRTAB.SID_RANGE is then checked on D). Events are reported
// with SID S when QEMU says D. With a 2-level Stream table (FMT = 0b01, SPLIT as written) the L1STD that D
// selects gets S's L1STD and D's level-2 slot S's STE, from a D inside the Span exactly when S is (see
// level2()); QEMU keeps walking 2-level tables once it has seen FMT = 2-level, so a linear scenario after a
// 2-level one gets a machine reset (QMP system_reset, then the firmware again). A chunk never runs on the
// controller whose own CMB holds one of its IOVAs (QEMU serves those from the CMB, not through the SMMU).
// Up to eight chunks (ops of one StreamID and side of 2^48, distinct
// windows) run at once, one per controller, so one round of DMA covers several StreamIDs; chunks whose STEs
// differ but whose CDs share an ASID are never run together (QEMU 7.2 tags IOTLB entries with the ASID only),
// and a chunk that finds another chunk's marker in its slots (their DMA met at one address) is run again
// alone.
//
// Transaction (apply): NVMe admin Set/Get Features "Timestamp" (FID 0x0e) move 8 bytes between the
// controller and host memory (NVMe 1.4 §5.21.1.14); the submission queue and the controller-side buffers live
// in the CMB, which the controller reads directly, so the only DMA the SMMU sees is the one under test, the 8
// bytes at IOVA & ~7. QEMU keeps the value set and returns bits [47:0] of it plus the milliseconds elapsed
// since, which the adapter tolerates (< 256 per step: tags and markers keep their low byte for it). Before a
// chunk's first DMA read the feature is set to 0 from the CMB, so a read that moves nothing is seen as such;
// before the other probe reads it holds what the previous Get Features showed (QEMU 7.2 itself writes zero
// for a failed read), and a probe that shows the same tagged word again makes the chunk run again with
// zeroing (carried_tag).
//   read:  Set Features with PRP1 = IOVA (a DMA read), then Get Features into the CMB: the tag of where the
//          read landed: OA = tagged address + (IOVA & 7).
//   write: a probe read as above (locates the word), Set Features from the CMB with a marker, Get Features
//          with PRP1 = IOVA (a DMA write of the marker); after the group a qtest read of the probed word:
//          the marker there confirms that the write landed where reads land. The tag is then put back.
// Completion queues cannot live in QEMU 7.2's CMB (completions are posted with plain DMA), so the admin CQ is
// at an address no translation reaches (bit 55 set, bits 54:48 clear: outside TTB0 and TTB1 for every TxSZ,
// beyond every OAS); posting fails and the controller sets CSTS.CFS, but QEMU 7.2 goes on taking commands
// (nvme_process_sq does not look at CSTS); each command keeps one of the queue's 256 request slots, so the
// controller is reset when the next batch would not fit. Completion of a batch is seen in the CMB: its slots
// start as all-ones, which no Get Features writes (Timestamp bits [63:52] are reserved, zero), and its last
// command is a Get Features into the CMB.
// Events: QEMU records one event per 4-byte piece of a failed DMA; an op's events are those whose InputAddr
// lies in its 8-byte window with its direction; the record at IOVA & ~3 is reported, with the IOVA's low
// bits restored. Configuration errors carry no address; they are attributed by elimination (finish_chunk).
// Three qtest round trips per group of chunks at most: submit; results with the event records read ahead; the
// probed words of the writes and the rest of the records when there were more than read ahead. Cleanup (tags
// put back) rides on the next one.
//
// Not expressible with NVMe DMA (PCIe without PASID TLP prefix = Data, Unprivileged, IHI 0070 G.b §13.7):
// instruction fetches, privileged accesses, SubstreamIDs - answered with an
// error (the platform generator converts them). Not observable: memory attributes (MAIR byte, SH) and the
// abort-vs-RAZ/WI distinction; QEMU advertises IDR0.TERM_MODEL = 1 (terminate = abort), which is reported.
#include "smmu_qemu.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "harness/core/errors.hpp"
#include "harness/core/json_text.hpp"
#include "harness/suites/smmu/codec.hpp"
#include "harness/suites/smmu/codec_text.hpp"
#include "pci.hpp"
#include "qtest.hpp"
#include "reference/smmu/stream_table.hpp"

namespace vipcts::qemu {
namespace {

using smmu::AccessKind;
using smmu::EventClass;
using smmu::EventRecord;
using smmu::EventType;
using smmu::Outcome;
using smmu::Status;
using smmu::Transaction;
using L = VirtLayout;

// SMMU register offsets (IHI 0070 G.b §6.2).
constexpr uint64_t kIdr0 = 0x00, kIdr1 = 0x04, kIdr3 = 0x0c, kIdr5 = 0x14, kAidr = 0x1c, kCr0 = 0x20,
                   kCr0Ack = 0x24, kCr1 = 0x28, kCr2 = 0x2c, kGbpa = 0x44, kGerror = 0x60, kGerrorN = 0x64,
                   kStrtabBase = 0x80, kStrtabBaseCfg = 0x88, kCmdqBase = 0x90, kCmdqProd = 0x98,
                   kCmdqCons = 0x9c, kEvtqBase = 0xa0, kEvtqProd = 0x100a8, kEvtqCons = 0x100ac;
constexpr uint32_t kCr0SmmuEn = 1, kCr0EvtqEn = 1u << 2, kCr0CmdqEn = 1u << 3;
constexpr unsigned kCmdqLog2 = 8, kEvtqLog2 = 15;
// Commands (IHI 0070 G.b §4.1): CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range = 31.
constexpr uint64_t kCmdCfgiStreamRange = 0x04, kCmdTlbiNhAll = 0x10, kCmdSync = 0x46;

// NVMe controller registers (NVM Express 1.4 §3.1) and admin opcodes (§5).
constexpr uint64_t kNvmeCc = 0x14, kNvmeCsts = 0x1c, kNvmeIntms = 0x0c, kNvmeAqa = 0x24, kNvmeAsq = 0x28,
                   kNvmeAcq = 0x30, kNvmeSq0Tdbl = 0x1000;
constexpr uint8_t kOpSetFeatures = 0x09, kOpGetFeatures = 0x0a;
constexpr uint32_t kFidTimestamp = 0x0e;
constexpr unsigned kQueueEntries = 256;
constexpr uint64_t kAcqUnreachable = 0x0080'0000'0000'0000;
constexpr size_t kXfer = 8;  // Timestamp data structure (NVMe 1.4, Set Features FID 0Eh)
constexpr uint64_t kLow48 = (uint64_t{1} << 48) - 1;
constexpr uint64_t kElapsedSlack = 256;  // ms Timestamp may add over a tag's or marker's round trip
// The admin submission queue starts at the CMB's offset 0; a chunk's slots follow its entries (queue_chunk).
// The blank word sits at kCmbBlank, above anything a chunk uses (entries end below 255 * 64 bytes, then at
// most 50 * 16 + 8 bytes of slots), written once per QEMU; the controller only ever writes to the slots.
constexpr uint64_t kCmbSq = 0, kCmbBlank = 0x8000;
constexpr uint64_t kCmbSize = uint64_t{1} << 20;  // cmb_size_mb=1
// What a probe's feature is cleared to: neither a tag nor a marker.
constexpr uint64_t kBlank = 0;
// What the slots hold until the controller writes them: Get Features (Timestamp) writes bits [63:52] as zero
// (reserved, NVMe 1.4 Figure 266), so a slot that still reads as this has not been written. (QEMU 7.2 even
// writes zero for a probe whose DMA read failed: nvme_h2c's failure leaves the value read as zero.)
constexpr uint64_t kUnwritten = ~uint64_t{0};
constexpr size_t kSlot = 16;              // per op: the probe's result, the marker (a write's source)
constexpr unsigned kMaxOpsPerBatch = 50;  // up to 5 commands each + 1, below kQueueEntries - 1
constexpr uint32_t kEventsAhead = 512;    // records read with the results, before their number is known
constexpr size_t kShare = kXfer / 4;      // records QEMU writes for a failed DMA: one per 4-byte piece
// NVMe functions: 00:01.0-3 (StreamIDs 8-11) and 00:02.0-3 (16-19). With LOG2SIZE 4 the first four are
// inside the stream table and the others outside, so one round of DMA can carry in-range and out-of-range
// StreamIDs.
constexpr unsigned kControllers = 8, kHalf = kControllers / 2;

constexpr uint8_t kIdleImage[8] = {0x7f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17};  // wfi; b .-4

struct Sqe {
  uint8_t bytes[64] = {};
  Sqe(uint8_t opcode, uint16_t cid, uint64_t prp1, uint32_t cdw10) {
    bytes[0] = opcode;
    std::memcpy(bytes + 2, &cid, 2);
    std::memcpy(bytes + 24, &prp1, 8);
    std::memcpy(bytes + 40, &cdw10, 4);
  }
};

void put64(std::vector<uint8_t>& v, size_t off, uint64_t x) {
  std::memcpy(v.data() + off, &x, 8);
}
uint64_t get64(const std::vector<uint8_t>& v, size_t off) {
  uint64_t x;
  std::memcpy(&x, v.data() + off, 8);
  return x;
}

std::string hex(uint64_t v) {
  return smmu::codec::to_hex(v);
}

struct RawEvent {
  uint64_t dw[4];
  uint8_t type() const { return static_cast<uint8_t>(dw[0]); }
  uint32_t sid() const { return static_cast<uint32_t>(dw[0] >> 32); }
  bool rnw() const { return (dw[1] >> 35) & 1; }
  uint64_t addr() const { return dw[2]; }
  // Whether the record type carries an InputAddr (IHI 0070 G.b §7.3): F_UUT, F_WALK_EABT, the
  // translation-related faults and F_TLB_CONFLICT.
  bool has_addr() const {
    const uint8_t t = type();
    return t == 0x01 || t == 0x0b || (t >= 0x10 && t <= 0x13) || t == 0x20;
  }
};

struct Op {
  size_t index;  // into the apply() batch
  Transaction txn;
  uint64_t window;  // IOVA & ~7: the 8 bytes the DMA moves
};

// Ops of one StreamID and one side of 2^48 with distinct windows: what one NVMe controller runs at a time.
struct Chunk {
  std::vector<Op> ops;
  // Set the feature to zero before every probe read, not only the first (queue_chunk): after an ambiguous
  // run.
  bool zero_every_probe = false;
};

// One of the NVMe functions: its StreamID (D), BAR0 and CMB.
struct Nvme {
  uint32_t sid = 0;
  uint64_t regs = 0, cmb = 0;
  // Entries submitted since the last controller reset: the admin SQ's tail. Each holds one of the queue's
  // request slots until the next reset (its completion is never posted, see the file comment).
  uint32_t sq_tail = 0;
};

class QemuSmmu final : public Implementation {
 public:
  QemuSmmu(std::string spec, const ImplementationOptions& options, std::string stderr_log)
      : options_(options), stderr_log_(std::move(stderr_log)) {
    info_.id = std::move(spec);
    info_.name = "qemu-system-aarch64 virt smmuv3";
    start();
    info_.version = version_;
    // Features from QEMU's ID registers (IHI 0070 G.b §6.3.1-§6.3.6): stage 1 from IDR0.S1P; bypass STEs
    // are architectural; TTB1 and TBI are part of every stage-1 implementation. Not claimed: HTTU (IDR0.HTTU
    // = 0), RAZ/WI termination (IDR0.TERM_MODEL = 1: terminated transactions abort). GBPA is architectural
    // in SMMUv3.1 (AIDR = 1) and claimed, although 7.2 does not implement the register: that is a finding.
    if (idr_[0] & 2) info_.features.push_back("smmu.s1");
    info_.features.push_back("smmu.ste.bypass");
    info_.features.push_back("smmu.gbpa");
    if (((idr_[0] >> 6) & 3) != 0) info_.features.push_back("smmu.httu.af");
    info_.features.push_back("smmu.cd.tbi");
    info_.features.push_back("smmu.cd.ttb1");
    if (((idr_[0] >> 26) & 1) == 0) info_.features.push_back("smmu.cd.raz_wi");
    if (((idr_[0] >> 27) & 3) == 1) info_.features.push_back("smmu.strtab.2level");  // IDR0.ST_LEVEL
  }
  ~QemuSmmu() override {
    if (std::getenv("VIPCTS_QTEST_STATS"))
      std::fprintf(stderr,
                   "qemu:virt-smmuv3: %zu groups of %zu chunks, %zu NVMe commands, %zu completion waits, %zu "
                   "chunks run again alone, %zu again with zeroing, %zu ops one by one\n",
                   stat_groups_, stat_chunks_, stat_nvme_commands_, stat_waits_, stat_met_, stat_carried_,
                   stat_one_by_one_);
    stop();
  }

  const ImplementationInfo& info() const override { return info_; }

  Observation open(const Suite&, const ScenarioHeader& header) override {
    try {
      load_state(header);
      return {};
    } catch (const ScenarioUnsupported& e) {
      state_ok_ = false;
      return {ObservationKind::Error, nullptr, e.what()};
    } catch (const InputError& e) {
      state_ok_ = false;
      return {ObservationKind::Error, nullptr, e.what()};
    } catch (const QemuDied& e) {
      const Observation o{e.timed_out ? ObservationKind::Timeout : ObservationKind::Crash, nullptr, e.what()};
      restart();
      return o;
    } catch (const QtestError& e) {
      restart();
      return {ObservationKind::Error, nullptr, e.what()};
    }
  }

  // The runner's path: requests read with the suite's text decoder, outcomes answered as text.
  std::vector<Observation> apply_text(std::span<const std::string_view> requests) override {
    return run_requests(requests.size(),
                        [&](size_t i) { return smmu::codec::request_from_text(requests[i]); });
  }

  std::vector<Observation> apply(std::span<const Json> requests) override {
    std::vector<Observation> out =
        run_requests(requests.size(), [&](size_t i) { return smmu::codec::decode_request(requests[i]); });
    for (Observation& o : out)
      if (o.kind == ObservationKind::Outcome) {
        o.outcome = Json::parse(o.text);
        o.text.clear();
      }
    return out;
  }

  void close() override {}

 private:
  // One observation per request; `decode(i)` gives request i's transaction or throws InputError.
  template <typename Decode>
  std::vector<Observation> run_requests(size_t count, const Decode& decode) {
    std::vector<Observation> out(count);
    std::vector<Op> ops;
    for (size_t i = 0; i < count; ++i) {
      Transaction t;
      try {
        t = decode(i);
      } catch (const InputError& e) {
        out[i] = {ObservationKind::Error, nullptr, e.what()};
        continue;
      }
      if (!state_ok_) {
        out[i] = {ObservationKind::Error, nullptr, "the scenario could not be loaded"};
        continue;
      }
      if (const char* why = inexpressible(t)) {
        out[i] = {ObservationKind::Error, nullptr, why};
        continue;
      }
      const Op op{i, t, t.iova & ~uint64_t{kXfer - 1}};
      const Chunk alone{{op}};
      if (!assign({&alone})) {
        out[i] = {ObservationKind::Error, nullptr, unplaceable(op)};
        continue;
      }
      ops.push_back(op);
    }
    // Batches: one StreamID, distinct 512-byte windows (so events can be attributed by address), and IOVAs on
    // one side of 2^48 (QEMU 7.2 drops DMA above its 48-bit IOMMU region without an event, D1 in triage.md;
    // mixed with configuration errors, which carry no address, that would leave the batch ambiguous). Ops are
    // grouped by that key, each group in request order: nothing one transaction does is visible to another
    // here (no HTTU: IDR0.HTTU = 0, so descriptors never change; TLB contents only ever hold what the
    // unchanged tables say), so the grouping cannot change an outcome. With HTTU, request order is kept.
    auto key = [](const Op& op) { return std::make_pair(op.txn.stream_id, (op.txn.iova >> 48) != 0); };
    if (((idr_[0] >> 6) & 3) == 0) {
      std::map<std::pair<uint32_t, bool>, size_t> first;  // key -> its first request
      for (const Op& op : ops) first.emplace(key(op), op.index);
      std::stable_sort(ops.begin(), ops.end(),
                       [&](const Op& a, const Op& b) { return first[key(a)] < first[key(b)]; });
    }
    std::vector<Chunk> chunks;
    size_t at = 0;
    while (at < ops.size()) {
      Chunk c;
      std::set<uint64_t> windows;
      while (at < ops.size() && c.ops.size() < kMaxOpsPerBatch &&
             (c.ops.empty() || key(ops[at]) == key(c.ops[0])) && windows.insert(ops[at].window).second)
        c.ops.push_back(ops[at++]);
      chunks.push_back(std::move(c));
    }
    run_chunks(std::move(chunks), out);
    return out;
  }

  class ScenarioUnsupported : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
  };

  static const char* inexpressible(const Transaction& t) {
    if (t.access == AccessKind::Execute)
      return "an instruction fetch cannot be expressed with NVMe DMA (generate with --platform qemu-virt)";
    if (t.privileged)  // PCIe DMA without a PASID TLP prefix is Unprivileged (IHI 0070 G.b §13.7)
      return "a privileged access cannot be expressed with NVMe DMA (generate with --platform qemu-virt)";
    if (t.ssv) return "a SubstreamID cannot be expressed with NVMe DMA (no PASID in QEMU 7.2's nvme)";
    return nullptr;
  }

  // ---- Process ----

  void start() {
    const std::string dir = work_dir();
    const std::string bios = dir + "/idle.bin";
    {
      std::ofstream f(bios, std::ios::binary);
      f.write(reinterpret_cast<const char*>(kIdleImage), sizeof kIdleImage);
    }
    // Guest RAM is a private mapping of a sparse file that already holds the output window's tags: QEMU
    // starts with them in place (copy-on-write, so the file never changes) instead of receiving 64 MiB over
    // qtest. The file depends only on the layout, so it is written once per user (cache_dir) and shared.
    const std::string ram = ram_image();
    QemuOptions o;
    o.binary = "qemu-system-aarch64";
    o.args = {"-machine", "virt,iommu=smmuv3,accel=tcg,memory-backend=vipcts-ram",
              "-cpu",     "max",
              "-m",       "2G",
              "-object",  "memory-backend-file,id=vipcts-ram,size=2G,share=off,mem-path=" + ram,
              "-bios",    bios,
              "-object",  "memory-backend-ram,id=vipcts-w0,size=256M,share=on",
              "-object",  "memory-backend-ram,id=vipcts-w1,size=256M,share=on",
              "-device",  "ivshmem-plain,memdev=vipcts-w0,addr=0x3",
              "-device",  "ivshmem-plain,memdev=vipcts-w1,addr=0x4"};
    // The DMA engines: kControllers NVMe functions at 00:01.0-3 and 00:02.0-3 (StreamIDs 8-11 and 16-19).
    for (unsigned k = 0; k < kControllers; ++k) {
      const unsigned dev = 1 + k / kHalf, fn = k % kHalf;
      o.args.push_back("-device");
      o.args.push_back("nvme,serial=vipcts" + std::to_string(k) + ",addr=" + std::to_string(dev) + "." +
                       std::to_string(fn) + (fn == 0 ? ",multifunction=on" : "") +
                       ",cmb_size_mb=" + std::to_string(kCmbSize >> 20) + ",legacy-cmb=on");
    }
    o.timeout_ms = options_.timeout_ms;
    o.stderr_log = stderr_log_;
    o.qmp = true;  // system_reset (reset_machine)
    try {
      q_ = std::make_unique<Qtest>(o);
      firmware();
    } catch (const QemuDied& e) {
      q_.reset();
      throw InputError(info_.id + ": cannot start QEMU: " + e.what());
    } catch (const QtestError& e) {
      q_.reset();
      throw InputError(info_.id +
                       ": QEMU does not look like the virt machine this adapter expects: " + e.what());
    }
  }

  // The RAM image for this layout: in the user's cache directory when there is one (written once, renamed
  // into place so concurrent runs never see a partial file), else in this instance's work directory.
  std::string ram_image() {
    const std::string name = "qemu-virt-ram-" + hex(kTagMagic) + "-" + hex(L::kOutLo) + "-" + hex(L::kOutHi) +
                             "-" + hex(L::kRamSize) + ".img";
    std::string dir;
    if (const char* c = std::getenv("XDG_CACHE_HOME"); c && *c)
      dir = std::string(c) + "/vipcts";
    else if (const char* h = std::getenv("HOME"); h && *h)
      dir = std::string(h) + "/.cache/vipcts";
    std::error_code ec;
    if (dir.empty() || (std::filesystem::create_directories(dir, ec), ec)) dir = work_dir();
    const std::string path = dir + "/" + name;
    if (std::filesystem::exists(path, ec)) return path;
    const std::string tmp = path + ".tmp" + std::to_string(getpid());
    write_ram_image(tmp);
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
      std::filesystem::remove(tmp, ec);
      throw InputError("cannot write the QEMU RAM image " + path + ": " + ec.message());
    }
    return path;
  }

  static void write_ram_image(const std::string& path) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    std::vector<uint8_t> chunk(1 << 20);
    f.seekp(static_cast<std::streamoff>(L::kOutLo - L::kRamBase));
    for (uint64_t base = L::kOutLo; base < L::kOutHi; base += chunk.size()) {
      for (size_t off = 0; off < chunk.size(); off += 8) put64(chunk, off, tag_of(base + off));
      f.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
    }
    f.close();
    if (!f) throw InputError("cannot write the QEMU RAM image " + path);
    std::filesystem::resize_file(path, L::kRamSize);  // sparse beyond the window
  }

  std::string work_dir() {
    if (work_dir_.empty()) {
      char tmpl[] = "/tmp/vipcts-qemu-XXXXXX";
      if (!mkdtemp(tmpl)) throw InputError(info_.id + ": mkdtemp failed");
      work_dir_ = tmpl;
    }
    return work_dir_;
  }

  void stop() {
    q_.reset();
    if (!work_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(work_dir_, ec);
      work_dir_.clear();
    }
  }

  void restart() {
    q_.reset();
    state_ok_ = false;
    shadow_.clear();  // a fresh QEMU holds background() everywhere
    shadow_exact_ = true;
    start();
  }

  // QMP system_reset, then the firmware again. Every device is reset (QEMU 7.2's smmu_reset calls
  // smmuv3_init_regs, which clears the 2-level flag of D18) but guest RAM and the ivshmem regions keep their
  // contents, so the shadow stays what QEMU holds; enumeration assigns the same PCI resources. About 1/50 of
  // a fresh QEMU's cost.
  void reset_machine() {
    q_->qmp("system_reset");
    q_->qmp_event("RESET");  // the reset runs after the answer, in the main loop
    firmware();
  }

  // The adapter as firmware: PCI resources, the output window's tags, the SMMU queues, the NVMe admin queue.
  void firmware() {
    Qtest& q = *q_;
    Ecam ecam(q, L::kEcam);
    auto fns = ecam.enumerate(0);
    ecam.assign(fns, L::kPciWindow);
    std::vector<uint64_t> ram_bars;
    nvmes_.clear();
    for (const auto& f : fns) {
      if (f.vendor == 0x1b36 && f.device == 0x0010) {  // QEMU NVM Express
        Nvme n;
        n.sid = f.bdf.rid();
        for (const auto& b : f.bars) {
          if (b.index == 0) n.regs = b.addr;
          if (b.index == 2) n.cmb = b.addr;
        }
        if (n.regs == 0 || n.cmb == 0) throw QtestError("PCI layout: an NVMe function without BAR0 or CMB");
        nvmes_.push_back(n);
      }
      if (f.vendor == 0x1af4 && f.device == 0x1110)  // ivshmem
        for (const auto& b : f.bars)
          if (b.index == 2) ram_bars.push_back(b.addr);
    }
    std::sort(ram_bars.begin(), ram_bars.end());
    std::sort(nvmes_.begin(), nvmes_.end(), [](const Nvme& a, const Nvme& b) { return a.sid < b.sid; });
    // The StreamIDs the platform generator counts on (QemuVirtPlatform::kDeviceSids).
    bool sids_ok = nvmes_.size() == kControllers;
    for (size_t k = 0; sids_ok && k < kControllers; ++k)
      sids_ok = nvmes_[k].sid == smmu::gen::QemuVirtPlatform::kDeviceSids[k];
    if (!sids_ok || ram_bars != std::vector<uint64_t>{L::kStructLo, L::kStructLo + 0x1000'0000})
      throw QtestError("PCI layout: the NVMe functions or the two ivshmem RAM BARs not where expected");

    for (unsigned i : {0u, 1u, 3u, 5u}) idr_[i] = q.readl(L::kSmmuBase + 4 * i);
    aidr_ = q.readl(L::kSmmuBase + kAidr);
    version_ = "7.2 (IDR0 " + hex(idr_[0]) + ", IDR1 " + hex(idr_[1]) + ", IDR3 " + hex(idr_[3]) + ", IDR5 " +
               hex(idr_[5]) + ", AIDR " + hex(aidr_) + ")";

    // SMMU: queues on, translation off until a scenario is loaded.
    q.queue_write(4, L::kSmmuBase + kCr0, 0);
    q.queue_write(8, L::kSmmuBase + kCmdqBase, L::kCmdq | kCmdqLog2);
    q.queue_write(4, L::kSmmuBase + kCmdqProd, 0);
    q.queue_write(4, L::kSmmuBase + kCmdqCons, 0);
    q.queue_write(8, L::kSmmuBase + kEvtqBase, L::kEvtq | kEvtqLog2);
    q.queue_write(4, L::kSmmuBase + kEvtqProd, 0);
    q.queue_write(4, L::kSmmuBase + kEvtqCons, 0);
    q.queue_write(4, L::kSmmuBase + kCr1, 0);
    write_cr0(kCr0EvtqEn | kCr0CmdqEn);
    strtab_cfg_.reset();
    qemu_two_level_ = false;
    q.flush();
    cmdq_prod_ = 0;
    evtq_cons_ = 0;
    for (Nvme& n : nvmes_) {
      queue_nvme_reset(n);
      q.queue_write(8, n.cmb + kCmbBlank, kBlank);
    }
    q.flush();
    for (const Nvme& n : nvmes_)
      if ((q.readl(n.regs + kNvmeCsts) & 1) == 0) throw QtestError("NVMe did not become ready");
  }

  // Controller reset and admin queue setup (NVMe 1.4 §7.6.1), queued. QEMU's reset and enable are
  // synchronous.
  // `full` = false after the first setup: AQA, ASQ and ACQ keep their values across CC.EN 1 -> 0 (NVMe 1.4
  // §7.3.2: a Controller Level Reset leaves the Admin Queue registers alone), so CC off, INTMS, CC on.
  void queue_nvme_reset(Nvme& n, bool full = true) {
    Qtest& q = *q_;
    n.sq_tail = 0;
    q.queue_write(4, n.regs + kNvmeCc, 0);
    if (!full) {
      q.queue_write(4, n.regs + kNvmeIntms, 1);
      q.queue_write(4, n.regs + kNvmeCc, 1 | 6u << 16 | 4u << 20);
      return;
    }
    q.queue_write(4, n.regs + kNvmeIntms, 1);  // INTx masked: completions are not awaited by interrupt
    q.queue_write(4, n.regs + kNvmeAqa, (kQueueEntries - 1) | (kQueueEntries - 1) << 16);
    q.queue_write(8, n.regs + kNvmeAsq, n.cmb + kCmbSq);
    q.queue_write(8, n.regs + kNvmeAcq, kAcqUnreachable);
    // EN, IOSQES = 6 (64 B), IOCQES = 4 (16 B), MPS = 0 (4 KiB pages).
    q.queue_write(4, n.regs + kNvmeCc, 1 | 6u << 16 | 4u << 20);
  }

  // Writes the commands into the queue (one b64write per contiguous run) and publishes them with one PROD
  // write.
  void smmu_commands(std::initializer_list<std::pair<uint64_t, uint64_t>> cmds) {
    Qtest& q = *q_;
    const unsigned entries = 1u << kCmdqLog2;
    std::vector<uint8_t> run;
    unsigned run_start = cmdq_prod_ & (entries - 1);
    for (const auto& [w0, w1] : cmds) {
      const unsigned idx = cmdq_prod_ & (entries - 1);
      if (idx == 0 && !run.empty()) {  // the queue wrapped: the run so far ends at the last entry
        q.queue_b64write(L::kCmdq + 16ull * run_start, run);
        run.clear();
        run_start = 0;
      }
      run.resize(run.size() + 16);
      put64(run, run.size() - 16, w0);
      put64(run, run.size() - 8, w1);
      cmdq_prod_ = (cmdq_prod_ + 1) & ((2u * entries) - 1);  // index + wrap bit
    }
    if (!run.empty()) q.queue_b64write(L::kCmdq + 16ull * run_start, run);
    q.queue_write(4, L::kSmmuBase + kCmdqProd, cmdq_prod_);
  }

  void write_cr0(uint32_t v) {
    q_->queue_write(4, L::kSmmuBase + kCr0, v);
    cr0_ = v;
  }

  void invalidate_all() {
    // CFGI_ALL (CMD_CFGI_STE_RANGE, Range 31), TLBI_NH_ALL, CMD_SYNC (IHI 0070 G.b §4.3.3, §4.4.2, §4.7.3).
    smmu_commands({{kCmdCfgiStreamRange, 31}, {kCmdTlbiNhAll, 0}, {kCmdSync, 0}});
  }

  // ---- Scenario ----

  void load_state(const ScenarioHeader& header) {
    if (!q_ || !q_->alive()) restart();
    last_header_ = header;
    const smmu::codec::StateWords s = smmu::codec::state_words_from_text(header.state.text());
    const std::pair<const char*, std::pair<uint32_t, uint32_t>> idrs[] = {{"IDR0", {s.regs.idr0, idr_[0]}},
                                                                          {"IDR1", {s.regs.idr1, idr_[1]}},
                                                                          {"IDR3", {s.regs.idr3, idr_[3]}},
                                                                          {"IDR5", {s.regs.idr5, idr_[5]}}};
    for (const auto& [name, v] : idrs)
      if (v.first != v.second)
        throw ScenarioUnsupported(std::string("state.regs.") + name + ": the scenario assumes " +
                                  hex(v.first) + ", QEMU has " + hex(v.second) +
                                  " (generate with --platform qemu-virt)");
    // FMT = 0b01 is 2-level, the other values linear (IHI 0070 G.b §6.3.25). QEMU 7.2 goes on walking 2-level
    // tables after FMT = 0 is written once it has seen FMT = 2-level (smmu_writel sets SMMU_FEATURE_2LVL_STE
    // and never clears it; D18 in triage.md): a linear scenario after a 2-level one gets a machine reset, so
    // that each scenario meets an SMMU programmed only by its own state.
    two_level_ = smmu::strtab_fmt(s.regs) == 1;
    if (!two_level_ && qemu_two_level_) reset_machine();
    Qtest& q = *q_;
    std::map<uint64_t, std::vector<uint8_t>> pages;
    for (const auto& w : s.mem) {
      const bool in_struct = w.addr >= L::kStructLo && w.addr + 8 <= L::kStructHi;
      const bool in_ram = w.addr >= L::kRamBase && w.addr + 8 <= L::kRamBase + L::kRamSize &&
                          !(w.addr >= L::kCmdq && w.addr < L::kEvtq + (32u << kEvtqLog2));
      if (!in_struct && !in_ram)
        throw ScenarioUnsupported("state.mem: word at " + hex(w.addr) +
                                  " is outside QEMU virt's RAM and the adapter's table window (generate with "
                                  "--platform qemu-virt)");
      auto& p = pages[w.addr & ~uint64_t{0xfff}];
      if (p.empty()) p = background(w.addr & ~uint64_t{0xfff});
      put64(p, w.addr & 0xff8, w.value);
    }
    regs_ = s.regs;
    // A linear table's STEs, by StreamID, for loading STE[D] per request (2-level: ste_words looks them up).
    stes_.clear();
    relocated_.clear();
    strtab_ = smmu::strtab_base_addr(s.regs);
    if (!two_level_)
      for (const auto& w : s.mem)
        if (w.addr >= strtab_ && (w.addr - strtab_) / 64 < (uint64_t{1} << 20))
          stes_[static_cast<uint32_t>((w.addr - strtab_) / 64)][((w.addr - strtab_) % 64) / 8] = w.value;

    // Translation off while the tables change (STRTAB_BASE/CFG may only be written with SMMUEN = 0, §6.3.23).
    write_cr0(kCr0EvtqEn | kCr0CmdqEn);
    // Pages the previous scenario changed go back to background(); only the words that differ are sent.
    for (auto it = shadow_.begin(); it != shadow_.end();) {
      if (!pages.count(it->first)) {
        store_page(it->first, background(it->first));
        it = shadow_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [page, data] : pages) store_page(page, data);
    shadow_exact_ = true;
    q.queue_write(8, L::kSmmuBase + kStrtabBase, s.regs.strtab_base);
    q.queue_write(4, L::kSmmuBase + kStrtabBaseCfg, s.regs.strtab_base_cfg);
    strtab_cfg_ = s.regs.strtab_base_cfg;
    qemu_two_level_ = qemu_two_level_ || two_level_;
    q.queue_write(4, L::kSmmuBase + kCr2, s.regs.cr2);
    q.queue_write(4, L::kSmmuBase + kGbpa,
                  s.regs.gbpa);  // no such register in 7.2: written as firmware would
    words_.clear();
    for (const auto& w : s.mem) words_[w.addr] = w.value;
    state_ok_ = true;
  }

  // Makes `page` hold `want`: the runs of 8-byte words that differ from what the shadow says it holds (joined
  // across gaps of up to 64 bytes). When a stray DMA write may have changed the page, it is first zeroed
  // (memset) and the shadow taken as zero; a page of the tagged output window is then sent whole.
  void store_page(uint64_t page, const std::vector<uint8_t>& want) {
    auto it = shadow_.find(page);
    if (it == shadow_.end()) it = shadow_.emplace(page, background(page)).first;
    std::vector<uint8_t>& cur = it->second;
    if (!shadow_exact_) {
      if (page >= L::kOutLo && page < L::kOutHi) {  // tags: the whole page
        q_->queue_b64write(page, want);
        cur = want;
        return;
      }
      // Zero the page with one short command, then send the words that are not zero as below.
      q_->queue_memset(page, cur.size(), 0);
      std::fill(cur.begin(), cur.end(), 0);
    }
    for (size_t i = 0; i < want.size();) {
      if (get64(cur, i) == get64(want, i)) {
        i += 8;
        continue;
      }
      size_t end = i + 8;
      for (size_t j = end; j < want.size() && j < end + 64; j += 8)
        if (get64(cur, j) != get64(want, j)) end = j + 8;
      q_->queue_b64write(page + i, std::span<const uint8_t>(want.data() + i, end - i));
      i = end;
    }
    cur = want;
  }

  // store_page() for a range within one page.
  void store(uint64_t addr, const std::vector<uint8_t>& bytes) {
    const uint64_t page = addr & ~uint64_t{0xfff};
    auto it = shadow_.find(page);
    std::vector<uint8_t> want = it == shadow_.end() ? background(page) : it->second;
    std::memcpy(want.data() + (addr - page), bytes.data(), bytes.size());
    store_page(page, want);
  }

  // What a page holds outside the scenario's words: tags in the output window, zero elsewhere.
  static std::vector<uint8_t> background(uint64_t page) {
    std::vector<uint8_t> p(4096);
    if (page >= L::kOutLo && page < L::kOutHi)
      for (size_t off = 0; off < p.size(); off += 8) put64(p, off, tag_of(page + off));
    return p;
  }

  // ---- Transactions ----

  // Whether chunk c's StreamID is inside the scenario's stream table (SMMU.STRTAB.SID_RANGE).
  bool in_range(const Chunk& c) const {
    const unsigned eff = std::min(smmu::strtab_log2size(regs_), smmu::idr1_sidsize(regs_));
    return eff >= 32 || c.ops[0].txn.stream_id < (uint64_t{1} << eff);
  }

  // The ASID whose TLB entries chunk c's DMA can create: its STE is valid with stage 1 enabled (Config[0],
  // IHI 0070 G.b §5.2), read from the CD it points to; nullopt when no stage-1 walk can happen.
  std::optional<uint16_t> asid_of(const Chunk& c) const {
    if (!in_range(c)) return std::nullopt;
    const auto ste = ste_words(c.ops[0].txn.stream_id);
    if ((ste[0] & 1) == 0 || ((ste[0] >> 1) & 1) == 0) return std::nullopt;
    const auto cd = words_.find(ste[0] & 0x000f'ffff'ffff'ffc0ull);
    return static_cast<uint16_t>((cd == words_.end() ? 0 : cd->second) >> 48);
  }

  std::array<uint64_t, 8> ste_words(uint32_t sid) const {
    if (two_level_) {
      const Level2 l = level2(sid);
      std::array<uint64_t, 8> ste{};
      if (l.reaches)
        for (unsigned i = 0; i < 8; ++i) ste[i] = word(l.ste + 8 * i);
      return ste;
    }
    const auto it = stes_.find(sid);
    return it == stes_.end() ? std::array<uint64_t, 8>{} : it->second;
  }

  uint64_t word(uint64_t addr) const {
    const auto it = words_.find(addr);
    return it == words_.end() ? 0 : it->second;
  }

  // ---- 2-level Stream tables (IHI 0070 G.b §3.3.1, §5.1, §6.3.24-25) ----
  //
  // The device's StreamID D stands in for the request's S. QEMU is given the scenario's STRTAB_BASE_CFG with
  // only LOG2SIZE changed (FMT and SPLIT as written, reserved values included), and the L1STD that D selects
  // under those registers is loaded with the scenario's L1STD of S, raw (Span and L2Ptr, its low bits
  // included). D's StreamID[SPLIT-1:0] is D itself (D < 2^6 <= 2^SPLIT), so whether D is inside the Span is
  // fixed by D: a request is only sent from a controller whose D is inside the Span exactly when S is (and
  // D's STE, at L2Ptr's array + 64 * D, is then loaded with the scenario's STE of S). The table QEMU walks
  // for D then means, by the reference's own reading, what the scenario's means for S: the same STE, or the
  // same invalid StreamID. Requests for which no controller qualifies are answered with an error (no_mirror).
  // Every D is below 2^SPLIT, so the chunks of a group share one L1STD: they run together only when their
  // L1STDs are equal.

  struct Level2 {
    uint64_t l1std = 0;    // the L1STD S selects (raw)
    bool reaches = false;  // it leads to an STE for S (§5.1.1)
    uint64_t ste = 0;      // that STE's address
  };
  Level2 level2(uint32_t sid) const {
    const smmu::L1Std l1{word(smmu::l1std_address(regs_, sid))};
    const unsigned split = smmu::strtab_split(regs_);
    Level2 l{l1.raw, smmu::l1std_reaches_ste(l1, split, sid), 0};
    if (l.reaches) l.ste = smmu::l2_ste_address(l1, split, sid);
    return l;
  }

  // Whether controller D can stand in for chunk c (in range, 2-level) with the registers `r` QEMU is given: D
  // is inside S's L1STD's Span iff S is, and D's STE does not overlap the L1STD D selects.
  bool mirrors(const Chunk& c, const smmu::SmmuRegisters& r, uint32_t d) const {
    const Level2 s = level2(c.ops[0].txn.stream_id);
    const smmu::L1Std l1{s.l1std};
    const unsigned split = smmu::strtab_split(r);
    if (smmu::l1std_reaches_ste(l1, split, d) != s.reaches) return false;
    if (!s.reaches) return true;
    const uint64_t ste = smmu::l2_ste_address(l1, split, d), at = smmu::l1std_address(r, d);
    return at + 8 <= ste || at >= ste + 64;
  }

  // Whether one of chunk c's windows lies in controller n's own CMB: QEMU's nvme_map_addr serves such an
  // address from the CMB itself, so the DMA never reaches the SMMU. Found in seed 5's smmu-st2-5-82 (IOVAs
  // 0x30436xxx, in the CMB of the controller at StreamID 16): reads returned the CMB's zeros (no tag, no
  // event) and a write expected to fault went into the CMB; before this check they failed or were waived
  // under the wrong entry. Another controller carries such a chunk.
  static bool in_own_cmb(const Chunk& c, const Nvme& n) {
    return std::any_of(c.ops.begin(), c.ops.end(), [&](const Op& op) {
      return op.window + kXfer > n.cmb && op.window < n.cmb + kCmbSize;
    });
  }

  // Why no controller can carry op (run alone): its 2-level mirror, or the CMB of the only controller that
  // could.
  std::string unplaceable(const Op& op) const {
    const Chunk alone{{op}};
    for (const Nvme& n : nvmes_)
      if (in_own_cmb(alone, n))
        return "IOVA " + hex(op.txn.iova) + " is inside the CMB of the NVMe controller (StreamID " +
               std::to_string(n.sid) +
               ") that alone can stand in for its StreamID: the controller would serve it from its own "
               "memory, never through the SMMU; not expressible with this machine";
    return no_mirror(op.txn.stream_id);
  }

  std::string no_mirror(uint32_t sid) const {
    const Level2 l = level2(sid);
    return "2-level Stream table: StreamID " + hex(sid) + " is " + (l.reaches ? "inside" : "beyond") +
           " the Span of its L1STD (" + hex(l.l1std) + ", Span " + std::to_string(l.l1std & 0x1f) +
           ") and none of the adapter's NVMe StreamIDs (8-11, 16-19) is: not expressible with this machine";
  }

  // Whether chunk c can run alongside `group` on other controllers without changing any outcome: another
  // window for the same StreamID unless only reads use it (so a chunk of one key never sees another's
  // marker), room on the controllers for its side of the table bound, and no TLB sharing between different
  // stage-1 contexts (QEMU 7.2 tags IOTLB entries with the ASID only, so two STEs with one ASID and different
  // tables would see each other's entries; run one at a time with TLBI between them, as before, they never
  // do).
  bool fits(const Chunk& c, const std::vector<Chunk>& group) const {
    std::vector<const Chunk*> with{&c};
    for (const Chunk& g : group) with.push_back(&g);
    if (group.empty()) return assign(with).has_value();
    if (((idr_[0] >> 6) & 3) != 0) return false;  // HTTU: request order is kept, one chunk at a time
    if (group.size() >= kControllers) return false;
    const auto asid = asid_of(c);
    const auto ste = ste_words(c.ops[0].txn.stream_id);
    for (const Chunk& g : group) {
      if (g.ops[0].txn.stream_id == c.ops[0].txn.stream_id)
        for (const Op& a : g.ops)
          for (const Op& b : c.ops)
            if (a.window == b.window &&
                (a.txn.access == AccessKind::Write || b.txn.access == AccessKind::Write))
              return false;
      if (asid && asid_of(g) == asid && ste_words(g.ops[0].txn.stream_id) != ste) return false;
    }
    return assign(with).has_value();
  }

  // STRTAB_BASE_CFG for a group with `in` chunks inside the table and `out` outside: the scenario's with
  // LOG2SIZE 4 when both (StreamIDs 8-11 inside, 16-19 outside), 3 when all are outside, else the scenario's
  // LOG2SIZE or 5 if that is less (all of 8-19 inside).
  uint32_t group_cfg(size_t in, size_t out) const {
    const unsigned log2size = in != 0 && out != 0 ? 4
                              : in == 0           ? 3
                                                  : std::max(smmu::strtab_log2size(regs_), 5u);
    return (regs_.strtab_base_cfg & ~uint32_t{0x3f}) | log2size;
  }

  // The controllers (indices into nvmes_) that run a group's chunks, lowest free first: on the chunk's side
  // of the table bound, and for a 2-level table one that mirrors the chunk's StreamID, the chunks that select
  // one L1STD agreeing on it. nullopt when the group does not fit.
  std::optional<std::vector<size_t>> assign(const std::vector<const Chunk*>& group) const {
    size_t in = 0;
    for (const Chunk* c : group) in += in_range(*c) ? 1 : 0;
    const bool mixed = in != 0 && in != group.size();
    smmu::SmmuRegisters r = regs_;
    r.strtab_base_cfg = group_cfg(in, group.size() - in);
    std::vector<bool> taken(kControllers, false);
    std::map<uint64_t, uint64_t> l1stds;  // L1STD address -> value, as the group's chunks need them
    std::vector<size_t> picks;
    for (const Chunk* c : group) {
      const bool inside = in_range(*c);
      const size_t lo = mixed && !inside ? kHalf : 0, hi = mixed && inside ? kHalf : kControllers;
      // 2-level: among the controllers that mirror S, the one whose StreamID[SPLIT-1:0] is nearest to S's in
      // bit length, so that a Span check off by a power of two treats D as it would treat S where it can.
      const uint32_t sid = c->ops[0].txn.stream_id;
      const unsigned want = std::bit_width(sid & ((uint32_t{1} << smmu::strtab_split(r)) - 1));
      auto distance = [&](size_t k) {
        const int have = std::bit_width(nvmes_[k].sid);
        return inside && two_level_ ? std::abs(have - static_cast<int>(want)) : 0;
      };
      std::optional<size_t> pick;
      for (size_t k = lo; k < hi; ++k) {
        if (taken[k] || (pick && distance(k) >= distance(*pick)) || in_own_cmb(*c, nvmes_[k])) continue;
        if (inside && two_level_) {
          const uint32_t d = nvmes_[k].sid;
          const auto at = l1stds.find(smmu::l1std_address(r, d));
          if (!mirrors(*c, r, d) || (at != l1stds.end() && at->second != level2(sid).l1std)) continue;
        }
        pick = k;
      }
      if (!pick) return std::nullopt;
      taken[*pick] = true;
      picks.push_back(*pick);
      if (inside && two_level_)
        l1stds.emplace(smmu::l1std_address(r, nvmes_[*pick].sid), level2(c->ops[0].txn.stream_id).l1std);
    }
    return picks;
  }

  // Runs chunks, several at a time on different controllers (first fit, in order).
  void run_chunks(std::vector<Chunk> chunks, std::vector<Observation>& out) {
    while (!chunks.empty()) {
      std::vector<Chunk> group, rest;
      for (Chunk& c : chunks) (fits(c, group) ? group : rest).push_back(std::move(c));
      if (group.empty()) {  // not even alone (run_requests answers such ops before): never loop
        for (const Op& op : rest.front().ops)
          out[op.index] = {ObservationKind::Error, nullptr, unplaceable(op)};
        rest.erase(rest.begin());
        chunks = std::move(rest);
        continue;
      }
      run_isolated(group, out);
      chunks = std::move(rest);
    }
  }

  // Runs a group of chunks; if QEMU dies or hangs, runs its chunks one by one (a chunk's ops one by one) to
  // find the culprit, which gets the crash/timeout observation; QEMU is restarted and the scenario reloaded
  // each time.
  void run_isolated(const std::vector<Chunk>& group, std::vector<Observation>& out) {
    std::optional<Observation> died;
    try {
      run_group(group, out);
      return;
    } catch (const QemuDied& e) {
      died = Observation{e.timed_out ? ObservationKind::Timeout : ObservationKind::Crash, nullptr, e.what()};
    } catch (const QtestError& e) {
      for (const Chunk& c : group)
        for (const Op& op : c.ops) out[op.index] = {ObservationKind::Error, nullptr, e.what()};
      recover();
      return;
    }
    recover();
    size_t n = 0;
    for (const Chunk& c : group) n += c.ops.size();
    if (n == 1) {
      out[group[0].ops[0].index] = *died;
      return;
    }
    if (group.size() > 1) {
      for (const Chunk& c : group) run_isolated({c}, out);
    } else {
      for (const Op& op : group[0].ops) run_isolated({Chunk{{op}}}, out);
    }
    bool reproduced = false;
    for (const Chunk& c : group)
      for (const Op& op : c.ops) reproduced = reproduced || out[op.index].kind != ObservationKind::Outcome;
    if (!reproduced) {
      // Never hide a crash or hang: the group's first op carries it when nothing smaller reproduces it.
      died->message += " (during a batch of " + std::to_string(n) +
                       " operations; not reproduced when they were run one by one)";
      out[group[0].ops[0].index] = *died;
    }
  }

  void recover() {
    restart();
    reload();
  }

  void reload() {
    if (last_header_) load_state(*last_header_);
  }

  // Per chunk of a group: its controller, where its op markers start, where its slots are in the CMB.
  struct Run {
    Nvme* nvme;
    size_t first;  // index of its first op in the group
    uint64_t slots_off = 0;
    uint64_t done_off = 0;  // the word the chunk's last Get Features writes (not kUnwritten once it ran)
    size_t dmas = 0;
    size_t r_slots = 0;
    size_t slots_len() const { return done_off + 8 - slots_off; }
  };

  // STE[D] := the scenario's STE[S] for each chunk's controller D, and LOG2SIZE so that D is inside the table
  // iff S is (see the file comment); then everything cached is invalidated.
  std::vector<Run> load_streams(const std::vector<Chunk>& group) {
    Qtest& q = *q_;
    std::vector<const Chunk*> ptrs;
    size_t in = 0;
    for (const Chunk& c : group) {
      ptrs.push_back(&c);
      in += in_range(c) ? 1 : 0;
    }
    const auto picks = assign(ptrs);
    if (!picks) throw std::logic_error("load_streams: a group that does not fit");
    std::vector<Run> runs;
    size_t first = 0;
    for (size_t k = 0; k < group.size(); ++k) {
      runs.push_back({&nvmes_[(*picks)[k]], first, 0, 0});
      first += group[k].ops.size();
    }
    // STRTAB_BASE_CFG is written (with SMMUEN = 0, §6.3.23) only when LOG2SIZE changes. Otherwise the STEs
    // change with translation on, as a driver's would: no DMA is in flight, and CFGI_ALL + CMD_SYNC follow.
    const uint32_t cfg = group_cfg(in, group.size() - in);
    if (strtab_cfg_ != cfg) {
      write_cr0(kCr0EvtqEn | kCr0CmdqEn);
      q.queue_write(4, L::kSmmuBase + kStrtabBaseCfg, cfg);
      strtab_cfg_ = cfg;
      qemu_two_level_ = qemu_two_level_ || two_level_;
    }
    if (two_level_) {
      load_level2(group, runs, cfg);
    } else {
      // The controllers' STE slots, as the scenario has them unless a chunk's StreamID needs the slot.
      const uint64_t slot = strtab_ + 64ull * nvmes_[0].sid;
      std::vector<uint8_t> stes(64 * (nvmes_.back().sid - nvmes_[0].sid + 1));
      for (size_t off = 0; off < stes.size(); off += 8) put64(stes, off, word(slot + off));
      for (size_t k = 0; k < group.size(); ++k)
        if (in_range(group[k])) {
          const auto ste = ste_words(group[k].ops[0].txn.stream_id);
          for (unsigned i = 0; i < 8; ++i)
            put64(stes, 64 * (runs[k].nvme->sid - nvmes_[0].sid) + 8 * i, ste[i]);
        }
      store(slot, stes);  // cleared with the scenario
    }
    invalidate_all();
    const uint32_t on = kCr0EvtqEn | kCr0CmdqEn | (regs_.cr0 & kCr0SmmuEn);
    if (cr0_ != on) write_cr0(on);
    return runs;
  }

  // 2-level: what the previous group relocated goes back to the scenario's words; then for each chunk inside
  // the table, the L1STD its controller D selects (under `cfg`) gets the scenario's L1STD of S and, when that
  // reaches an STE for S, D's STE in the level-2 array gets S's (see level2()).
  void load_level2(const std::vector<Chunk>& group, const std::vector<Run>& runs, uint32_t cfg) {
    auto put = [&](uint64_t addr, const std::vector<uint64_t>& ws) {
      std::vector<uint8_t> bytes(8 * ws.size());
      for (size_t i = 0; i < ws.size(); ++i) put64(bytes, 8 * i, ws[i]);
      store(addr, bytes);
    };
    for (const auto& [addr, n] : relocated_) {
      std::vector<uint64_t> ws(n);
      for (size_t i = 0; i < n; ++i) ws[i] = word(addr + 8 * i);
      put(addr, ws);
    }
    relocated_.clear();
    smmu::SmmuRegisters r = regs_;
    r.strtab_base_cfg = cfg;
    const unsigned split = smmu::strtab_split(r);
    for (size_t k = 0; k < group.size(); ++k) {
      if (!in_range(group[k])) continue;
      const uint32_t d = runs[k].nvme->sid;
      const Level2 s = level2(group[k].ops[0].txn.stream_id);
      const uint64_t at = smmu::l1std_address(r, d);
      put(at, {s.l1std});
      relocated_.emplace_back(at, 1);
      if (!s.reaches) continue;
      const uint64_t ste = smmu::l2_ste_address(smmu::L1Std{s.l1std}, split, d);
      std::vector<uint64_t> ws(8);
      for (unsigned i = 0; i < 8; ++i) ws[i] = word(s.ste + 8 * i);
      put(ste, ws);
      relocated_.emplace_back(ste, 8);
    }
  }

  // Queues chunk c's commands on its controller. Per op a probe read: Set Features (Timestamp) reads the
  // window's word through the SMMU, Get Features copies it into the op's slot (the chunk's first op clears
  // the feature to kBlank first). A write then writes its marker: Set Features from the slot's second word,
  // Get Features to the window. Whether the marker landed on the word the probe read is checked afterwards
  // with a qtest read of that word (run_group): QEMU spends about 11 us of CPU per NVMe command, and a DMA
  // read-back took three. When the last op is a write, one more Get Features writes a word after the slots,
  // so that the chunk's last command always writes the CMB.
  void queue_chunk(const Chunk& c, Run& r) {
    Qtest& q = *q_;
    Nvme& n = *r.nvme;
    const bool last_write = c.ops.back().txn.access == AccessKind::Write;
    size_t entries = last_write ? 1 : 0;
    for (size_t i = 0; i < c.ops.size(); ++i)
      entries += (c.ops[i].txn.access == AccessKind::Write ? 4 : 2) + (zero_first_probe(c, i) ? 1 : 0);
    // The controller is reset only when the chunk would not fit in the queue's remaining request slots (not
    // after every chunk): the queue then holds the chunks since the reset one after the other, never
    // wrapping.
    if (n.sq_tail + entries > kQueueEntries - 1) queue_nvme_reset(n, false);
    // CMB layout, written with one b64write: the chunk's submission queue entries from the queue's tail, then
    // the per-op slots (kUnwritten until the controller writes them), so that one b64read takes the results.
    // The next chunk's entries overwrite the slots once they are read.
    const uint64_t base = kCmbSq + 64ull * n.sq_tail;
    r.slots_off = base + 64 * entries;
    r.done_off = r.slots_off + kSlot * (c.ops.size() - (last_write ? 0 : 1));
    std::vector<uint8_t> cmb(r.done_off + 8 - base);
    for (uint64_t off = r.slots_off; off <= r.done_off; off += 8) put64(cmb, off - base, kUnwritten);
    size_t at = 0;  // next submission queue entry of the chunk
    auto submit = [&](uint8_t opcode, uint64_t prp1) {
      const Sqe e(opcode, static_cast<uint16_t>(at), prp1, kFidTimestamp);
      std::memcpy(cmb.data() + 64 * at++, e.bytes, 64);
    };
    for (size_t i = 0; i < c.ops.size(); ++i) {
      const Op& op = c.ops[i];
      const uint64_t slot = n.cmb + r.slots_off + kSlot * i;  // probe result, marker
      // A probe read after the first needs no clearing: a read that moves nothing leaves the value the
      // previous Get Features copied (a probe's, which run_group recognises: carried_tag), or a marker.
      if (zero_first_probe(c, i)) submit(kOpSetFeatures, n.cmb + kCmbBlank);
      submit(kOpSetFeatures, op.window);  // DMA read at the window
      submit(kOpGetFeatures, slot);
      ++r.dmas;
      if (op.txn.access == AccessKind::Write) {
        put64(cmb, r.slots_off - base + kSlot * i + 8, marker_word(r.first + i));
        submit(kOpSetFeatures, slot + 8);
        submit(kOpGetFeatures, op.window);  // DMA write at the window
        ++r.dmas;
      }
    }
    if (last_write) submit(kOpGetFeatures, n.cmb + r.done_off);
    if (at != entries) throw std::logic_error("queue_chunk: submission queue entries miscounted");
    q.queue_b64write(n.cmb + base, cmb);
    n.sq_tail += static_cast<uint32_t>(entries);
    q.queue_write(4, n.regs + kNvmeSq0Tdbl, n.sq_tail);
    stat_nvme_commands_ += entries;
  }

  void run_group(const std::vector<Chunk>& group, std::vector<Observation>& out) {
    Qtest& q = *q_;
    ++batch_seq_;
    ++stat_groups_;
    stat_chunks_ += group.size();
    std::vector<Run> runs = load_streams(group);
    size_t dmas = 0;
    for (size_t k = 0; k < group.size(); ++k) {
      queue_chunk(group[k], runs[k]);
      dmas += runs[k].dmas;
    }
    // Round trip 1: the scenario (if new), the streams, the submissions, and what the previous group left
    // queued (tags put back, event consumer index, controller resets). QEMU runs the controllers' submission
    // bottom halves before it reads the next command, so the batches are done when the next round trip is
    // served.
    q.flush();

    // Round trip 2: per chunk its slots (what its probes read, and the word its last command wrote); the
    // event queue producer, and the event records the group can produce (read before knowing how many there
    // are).
    for (size_t k = 0; k < group.size(); ++k)
      runs[k].r_slots = q.queue_b64read(runs[k].nvme->cmb + runs[k].slots_off, runs[k].slots_len());
    const size_t r_prod = q.queue_read(4, L::kSmmuBase + kEvtqProd);
    const uint32_t n = 1u << kEvtqLog2, idx = evtq_cons_ & (n - 1);
    const uint32_t guess = static_cast<uint32_t>(std::min<size_t>({kShare * dmas, kEventsAhead, n - idx}));
    const size_t r_ahead = q.queue_b64read(L::kEvtq + 32ull * idx, 32ull * guess);
    auto replies = q.flush();
    bool ahead_valid = true;
    std::vector<std::vector<uint8_t>> slots(group.size());
    for (size_t k = 0; k < group.size(); ++k) {
      const Run& r = runs[k];
      const size_t len = r.slots_len();
      slots[k] = Qtest::bytes(replies[r.r_slots], len);
      if (get64(slots[k], len - 8) == kUnwritten) {
        wait_done(*r.nvme, r.done_off);
        slots[k] = q.b64read(r.nvme->cmb + r.slots_off, len);
        ahead_valid = false;
      }
    }
    if (!ahead_valid) replies[r_prod] = q.command("readl " + hex(L::kSmmuBase + kEvtqProd));
    const uint32_t prod = static_cast<uint32_t>(Qtest::value(replies[r_prod]));
    const uint32_t recorded = (prod - evtq_cons_) & (2 * n - 1);
    // Round trip 3, when needed: for each write whose probe found its word, that word (the marker is there
    // iff the write landed where reads land); the event records if more came than were read ahead.
    std::vector<std::vector<std::optional<size_t>>> r_back(group.size());
    bool third = false;
    for (size_t k = 0; k < group.size(); ++k) {
      r_back[k].resize(group[k].ops.size());
      for (size_t i = 0; i < group[k].ops.size(); ++i)
        if (group[k].ops[i].txn.access == AccessKind::Write)
          if (auto pa = probed_word(slots[k], i)) r_back[k][i] = q.queue_read(8, *pa), third = true;
    }
    std::vector<RawEvent> events;
    std::vector<std::pair<size_t, uint32_t>> ev_reads;
    if (ahead_valid && recorded <= guess) {
      events = decode_events(Qtest::bytes(replies[r_ahead], 32ull * guess), recorded);
      evtq_cons_ = prod & (2 * n - 1);
      q.queue_write(4, L::kSmmuBase + kEvtqCons, evtq_cons_);
    } else {
      ev_reads = queue_event_reads(prod);
      third = true;
    }
    std::vector<std::vector<uint64_t>> back;  // per op, the probed word of a write (0 when not read)
    for (const Chunk& c : group) back.emplace_back(c.ops.size(), 0);
    if (third) {
      const auto r3 = q.flush();
      if (!ev_reads.empty()) events = collect_events(ev_reads, r3);
      for (size_t k = 0; k < group.size(); ++k)
        for (size_t i = 0; i < group[k].ops.size(); ++i)
          if (r_back[k][i]) back[k][i] = Qtest::value(r3[*r_back[k][i]]);
    }
    // Left queued for the next round trip: the tags put back where writes landed.
    for (size_t k = 0; k < group.size(); ++k)
      for (size_t i = 0; i < group[k].ops.size(); ++i)
        if (r_back[k][i]) {
          const uint64_t pa = *probed_word(slots[k], i);
          q.queue_write(8, pa, tag_of(pa));
          if (auto page = shadow_.find(pa & ~uint64_t{0xfff}); page != shadow_.end())
            put64(page->second, pa & 0xff8, tag_of(pa));
        }

    // An event from a StreamID none of the controllers has cannot be given to a chunk: with one chunk it is
    // that chunk's (as when a single controller ran everything), with several each chunk runs again alone.
    const bool orphans = std::any_of(events.begin(), events.end(), [&](const RawEvent& e) {
      return std::none_of(runs.begin(), runs.end(), [&](const Run& r) { return r.nvme->sid == e.sid(); });
    });
    std::vector<Chunk> alone, one_by_one;  // run again: alone, or one op at a time
    for (size_t k = 0; k < group.size(); ++k) {
      // Another chunk's marker where this chunk's probes read or its writes were looked for: two chunks' DMA
      // met at one address, which running them one after the other (tags put back in between) never shows.
      // Run this one again alone. A write looked for under another write's marker of this chunk (two of its
      // windows translate to one word): run its ops one at a time.
      const size_t lo = runs[k].first, hi = lo + group[k].ops.size();
      // A probe that read a marker of this chunk read a word an earlier write of the chunk wrote (or, for the
      // op just after that write, moved nothing and left its marker in the feature; QEMU 7.2 sets the feature
      // to zero when the read fails, other versions may not): either way only one op at a time tells.
      bool met = false, alias = false;
      for (size_t i = 0; i < group[k].ops.size(); ++i) {
        if (auto g = marker_owner(get64(slots[k], kSlot * i))) (*g < lo || *g >= hi ? met : alias) = true;
        if (auto g = marker_owner(back[k][i])) (*g < lo || *g >= hi ? met : alias) |= *g != lo + i;
      }
      if (alias && !met) {
        for (const Op& op : group[k].ops) one_by_one.push_back(Chunk{{op}}), ++stat_one_by_one_;
        continue;
      }
      if ((met || orphans) && group.size() > 1) {
        ++stat_met_;
        alone.push_back(group[k]);
        continue;
      }
      if (carried_tag(group[k], slots[k])) {
        ++stat_carried_;
        Chunk again = group[k];
        again.zero_every_probe = true;
        alone.push_back(std::move(again));
        continue;
      }
      std::vector<RawEvent> mine;
      for (const RawEvent& e : events)
        if (e.sid() == runs[k].nvme->sid || group.size() == 1) mine.push_back(e);
      if (!finish_chunk(group[k], runs[k], slots[k], back[k], mine, out))
        for (const Op& op : group[k].ops) one_by_one.push_back(Chunk{{op}}), ++stat_one_by_one_;
    }
    for (const Chunk& c : alone) run_isolated({c}, out);
    if (!one_by_one.empty()) run_chunks(std::move(one_by_one), out);
  }

  // Decides chunk c's ops from its slots and its controller's events; false when configuration errors cannot
  // be attributed (the chunk is then run again one op at a time).
  // `back[i]`: what write i's probed word held after the group (0 when its probe found no word).
  bool finish_chunk(const Chunk& c, const Run& r, const std::vector<uint8_t>& slots,
                    const std::vector<uint64_t>& back, const std::vector<RawEvent>& events,
                    std::vector<Observation>& out) {
    const std::vector<Op>& batch = c.ops;
    std::vector<bool> marked(batch.size(), false);
    for (size_t i = 0; i < batch.size(); ++i)
      if (batch[i].txn.access == AccessKind::Write) {
        const uint64_t v = back[i] & kLow48, m = marker_word(r.first + i);
        marked[i] = v >= m && v - m < kElapsedSlack;
      }

    // Configuration errors carry no address, so they are attributed by elimination: a DMA is explained when
    // its data landed (tags read, marker found) or an event with an address names its window and direction.
    // QEMU records one event per 4-byte piece of a failed DMA; when the configuration events are all of one
    // type and number exactly one share per unexplained DMA, those DMAs are the ones that met them. Anything
    // else is ambiguous and the chunk is run again one op at a time.
    std::vector<const RawEvent*> cfg;
    for (const RawEvent& e : events)
      if (!e.has_addr()) cfg.push_back(&e);
    std::vector<unsigned> unexplained(batch.size(), 0);
    size_t unexplained_dmas = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      const bool write = batch[i].txn.access == AccessKind::Write;
      unexplained[i] = (probed_word(slots, i) || window_event(events, batch[i], true)) ? 0 : 1;
      if (write && !marked[i] && !window_event(events, batch[i], false)) ++unexplained[i];
      unexplained_dmas += unexplained[i];
    }
    const bool one_type =
        std::all_of(cfg.begin(), cfg.end(), [&](const RawEvent* e) { return e->type() == cfg[0]->type(); });
    if (!cfg.empty() && batch.size() > 1 && (!one_type || cfg.size() != kShare * unexplained_dmas))
      return false;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Op& op = batch[i];
      const bool write = op.txn.access == AccessKind::Write;
      size_t count = 0;
      const RawEvent* hit = window_event(events, op, !write, &count);
      if (!hit && !cfg.empty() && (unexplained[i] > 0 || batch.size() == 1)) {
        hit = cfg[0];
        count = batch.size() == 1 ? cfg.size() : kShare * unexplained[i];
      }
      // A write that neither faulted nor was found where reads land went somewhere the adapter cannot tell:
      // the next scenario's pages are then sent whole, as they were before the shadow. A DMA at or above 2^48
      // never reaches memory in QEMU 7.2 (D1 in triage.md: its IOMMU region is 2^48 bytes, the rest
      // unassigned).
      if (write && !hit && !(probed_word(slots, i) && marked[i]) && (op.txn.iova >> 48) == 0)
        shadow_exact_ = false;
      Observation& o = out[op.index];
      o = {ObservationKind::Outcome, nullptr, {}};
      if (hit) {
        o.text = terminated(op.txn, *hit, r.nvme->sid);
        o.text.pop_back();
        o.text += ",\"_events\":";
        o.text += std::to_string(count);
        o.text += '}';
      } else {
        o.text = locate(op, i, slots, write, marked[i]);
      }
    }
    return true;
  }

  // The event with an address in op's 512-byte window and the given direction (RnW), preferring the one at
  // the op's IOVA; `count` gets how many there are.
  static const RawEvent* window_event(const std::vector<RawEvent>& events, const Op& op, bool rnw,
                                      size_t* count = nullptr) {
    const RawEvent* hit = nullptr;
    size_t n = 0;
    for (const RawEvent& e : events) {
      if (!e.has_addr() || e.rnw() != rnw || e.addr() < op.window || e.addr() >= op.window + kXfer) continue;
      ++n;
      if (!hit || e.addr() == (op.txn.iova & ~uint64_t{3})) hit = &e;
    }
    if (count) *count = n;
    return hit;
  }

  static bool zero_first_probe(const Chunk& c, size_t i) { return i == 0 || c.zero_every_probe; }

  // Whether a probe read without clearing before it (every op's but the first) may have moved nothing and
  // shown the tag the previous read left in the feature: its slot names the same word as the op before's
  // probe (after a write the feature holds its marker, never a tag). Windows are distinct within a chunk, so
  // this needs two IOVAs translating to one word; the chunk then runs again with clearing.
  bool carried_tag(const Chunk& c, const std::vector<uint8_t>& slots) const {
    if (c.zero_every_probe) return false;
    for (size_t i = 1; i < c.ops.size(); ++i) {
      if (c.ops[i - 1].txn.access == AccessKind::Write) continue;
      const auto now = tagged_word(get64(slots, kSlot * i));
      if (now && now == tagged_word(get64(slots, kSlot * (i - 1)))) return true;
    }
    return false;
  }

  // The physical address op i's DMA read found the tag of; nullopt if it returned no tag (nothing moved, or
  // the word is not in the tagged window).
  std::optional<uint64_t> probed_word(const std::vector<uint8_t>& slots, size_t i) const {
    return tagged_word(get64(slots, kSlot * i));
  }
  // The word whose tag a Timestamp value read through Get Features is (bits [47:0] plus < 256 ms elapsed).
  static std::optional<uint64_t> tagged_word(uint64_t value) {
    const uint64_t v = value & kLow48;
    constexpr unsigned kIndexBits = 29;  // addresses below 2^32
    if ((v >> (kTagShift + kIndexBits)) != ((kTagMagic & kLow48) >> (kTagShift + kIndexBits)))
      return std::nullopt;
    const uint64_t pa = ((v >> kTagShift) & ((uint64_t{1} << kIndexBits) - 1)) << 3;
    if (pa < L::kOutLo || pa >= L::kOutHi) return std::nullopt;
    return pa;
  }

  // Bits [47:0] of the marker of the super-batch's op g: bit 47 set (never a tag), the batch number in bits
  // [43:28], g in [27:8], and the low byte clear (room for the elapsed milliseconds, as in tags), so a marker
  // read anywhere names the op that wrote it.
  uint64_t marker_word(size_t g) const {
    return 0x8000'0000'0000ull | (uint64_t{batch_seq_ & 0xffff} << 28) | ((uint64_t{g} & 0xfffff) << 8);
  }
  // The op (index within the super-batch) whose marker `v` is, if it is one of this super-batch's markers.
  std::optional<size_t> marker_owner(uint64_t v) const {
    v &= kLow48;
    if ((v >> 44) != 0x8 || ((v >> 28) & 0xffff) != (batch_seq_ & 0xffff)) return std::nullopt;
    return static_cast<size_t>((v >> 8) & 0xfffff);
  }

  // Waits until the controller has written the word at CMB `offset` (a chunk's last Get Features), which
  // holds kUnwritten until then.
  void wait_done(const Nvme& n, uint64_t offset) {
    Qtest& q = *q_;
    ++stat_waits_;
    for (unsigned spins = 0;; ++spins) {
      if (q.readq(n.cmb + offset) != kUnwritten) return;
      if (spins > 1000) {
        // The qtest channel answers but the controller never got to the end of the batch.
        if (!q.alive()) throw QemuDied("QEMU " + q.exit_description(), false);
        if (spins > 20000)
          throw QemuDied(
              "the NVMe controller did not finish a batch (CSTS " + hex(q.readl(n.regs + kNvmeCsts)) + ")",
              true);
        usleep(50);
      }
    }
  }

  // Queues the reads of the records between our consumer index and `prod` (in up to two pieces when the queue
  // wraps) and the consumer index update; returns the reply indices and record counts.
  std::vector<std::pair<size_t, uint32_t>> queue_event_reads(uint32_t prod) {
    Qtest& q = *q_;
    const uint32_t n = 1u << kEvtqLog2, mask = (2u * n) - 1;
    uint32_t count = (prod - evtq_cons_) & mask;
    std::vector<std::pair<size_t, uint32_t>> reads;
    uint32_t idx = evtq_cons_ & (n - 1);
    while (count > 0) {
      const uint32_t run = std::min(count, n - idx);
      reads.emplace_back(q.queue_b64read(L::kEvtq + 32ull * idx, 32ull * run), run);
      count -= run;
      idx = (idx + run) & (n - 1);
    }
    evtq_cons_ = prod & mask;
    q.queue_write(4, L::kSmmuBase + kEvtqCons, evtq_cons_);
    return reads;
  }

  static std::vector<RawEvent> decode_events(const std::vector<uint8_t>& bytes, uint32_t count) {
    std::vector<RawEvent> ev(count);
    for (uint32_t i = 0; i < count; ++i) std::memcpy(ev[i].dw, bytes.data() + 32ull * i, 32);
    return ev;
  }

  static std::vector<RawEvent> collect_events(const std::vector<std::pair<size_t, uint32_t>>& reads,
                                              const std::vector<std::string>& replies) {
    std::vector<RawEvent> ev;
    for (const auto& [reply, run] : reads) {
      const auto part = decode_events(Qtest::bytes(replies[reply], 32ull * run), run);
      ev.insert(ev.end(), part.begin(), part.end());
    }
    return ev;
  }

  // The outcomes below are compact JSON text, byte for byte what the DOM's dump() of the same object writes
  // (the runner reads them with the suite's text decoder; apply() parses them for DOM callers).
  std::string terminated(const Transaction& t, const RawEvent& e, uint32_t device_sid) {
    uint32_t sid = e.sid() == device_sid ? t.stream_id : e.sid();
    uint64_t addr = e.addr();
    if (e.has_addr() && addr == (t.iova & ~uint64_t{3})) addr = t.iova;
    EventType type{};
    const std::string_view name = smmu::event_type_name(static_cast<EventType>(e.type()));
    const bool known = smmu::parse_event_type(name, type) && static_cast<uint8_t>(type) == e.type();
    const unsigned cls = static_cast<unsigned>((e.dw[1] >> 40) & 3);
    if (!known || cls > 2) {
      // A record type (or CLASS) the model does not produce: shown raw so the diff names it.
      Json ev = {{"type", hex(e.type())},
                 {"sid", sid},
                 {"ssv", ((e.dw[0] >> 11) & 1) != 0},
                 {"ssid", (e.dw[0] >> 12) & 0xfffff},
                 {"input_addr", hex(addr)},
                 {"_raw", hex(e.dw[1])}};
      return Json{
          {"status", "terminated"}, {"termination", "abort"}, {"event", ev}, {"updates", Json::array()}}
          .dump();
    }
    Outcome o;
    o.status = Status::Terminated;
    EventRecord r;
    r.type = type;
    r.stream_id = sid;
    r.ssv = ((e.dw[0] >> 11) & 1) != 0;
    r.substream_id = static_cast<uint32_t>((e.dw[0] >> 12) & 0xfffff);
    r.input_addr = addr;
    r.pnu = ((e.dw[1] >> 33) & 1) != 0;
    r.ind = ((e.dw[1] >> 34) & 1) != 0;
    r.rnw = e.rnw();
    r.s2 = ((e.dw[1] >> 39) & 1) != 0;
    r.event_class = static_cast<EventClass>(cls);
    o.event = r;
    // Termination is not observable through the device; IDR0.TERM_MODEL = 1 commits QEMU to abort.
    return with_member(smmu::codec::outcome_text(o), R"("_termination":"from IDR0.TERM_MODEL")");
  }

  // `object` (compact JSON text of an object) with `member` appended as its last member.
  static std::string with_member(std::string object, std::string_view member) {
    object.pop_back();  // '}'
    if (object.size() > 1) object += ',';
    object += member;
    object += '}';
    return object;
  }

  // No event: where did the access land? The tag read by the op's DMA read names the address; for a write,
  // the marker read back through the same IOVA (`marked`) confirms it.
  std::string locate(const Op& op, size_t i, const std::vector<uint8_t>& slots, bool write, bool marked) {
    auto no_event = [&](std::string_view why) {
      Outcome o;
      o.status = Status::Terminated;
      std::string note = R"("_note":)";
      append_json_string(note, why);
      return with_member(smmu::codec::outcome_text(o), note);
    };
    const auto pa = probed_word(slots, i);
    if (!pa)
      return no_event(
          "no event recorded and the DMA read returned no output-window tag (terminated silently, or "
          "the access left the tagged RAM window)");
    if (write && !marked)
      return no_event("no event recorded and the write did not land where a read of the same IOVA did");
    Outcome o;
    o.status = Status::Translated;
    o.output_address = *pa + (op.txn.iova - op.window);
    // Memory attributes never reach the device: not observable through DMA. `attrs` (a flat object, after
    // "oa") is left out.
    std::string j = smmu::codec::outcome_text(o);
    const size_t attrs = j.find(R"(,"attrs":{)");
    if (attrs != std::string::npos) j.erase(attrs, j.find('}', attrs) + 1 - attrs);
    return with_member(std::move(j), R"("_attrs":"not observable through DMA")");
  }

  ImplementationInfo info_;
  ImplementationOptions options_;
  std::string stderr_log_, work_dir_, version_;
  std::unique_ptr<Qtest> q_;
  // Printed at exit when VIPCTS_QTEST_STATS is set.
  size_t stat_nvme_commands_ = 0, stat_groups_ = 0, stat_chunks_ = 0, stat_waits_ = 0, stat_met_ = 0,
         stat_one_by_one_ = 0, stat_carried_ = 0;
  std::vector<Nvme> nvmes_;                       // by StreamID
  std::unordered_map<uint64_t, uint64_t> words_;  // the scenario's memory words
  uint32_t idr_[6] = {};
  uint32_t aidr_ = 0;
  uint32_t cmdq_prod_ = 0, evtq_cons_ = 0;
  // SMMU_CR0 and STRTAB_BASE_CFG as last written (nullopt: not since QEMU started).
  uint32_t cr0_ = 0;
  std::optional<uint32_t> strtab_cfg_;
  uint64_t batch_seq_ = 0;
  bool state_ok_ = false;
  smmu::SmmuRegisters regs_;
  uint64_t strtab_ = 0;
  std::map<uint32_t, std::array<uint64_t, 8>> stes_;
  // 2-level: the scenario's FMT; whether this QEMU has been given FMT = 2-level since it started; the words
  // (address, count) the last group relocated (load_level2).
  bool two_level_ = false, qemu_two_level_ = false;
  std::vector<std::pair<uint64_t, size_t>> relocated_;
  // Guest memory the adapter changed, by page (pages not in it hold background()); exact unless a DMA write
  // may have landed where the adapter cannot tell.
  std::map<uint64_t, std::vector<uint8_t>> shadow_;
  bool shadow_exact_ = true;
  std::optional<ScenarioHeader> last_header_;
};

}  // namespace

std::unique_ptr<Implementation> make_qemu_smmu_implementation(const std::string& spec,
                                                              const std::string& profile,
                                                              const ImplementationOptions& options,
                                                              const std::string& stderr_log) {
  if (profile != "virt-smmuv3")
    throw InputError("--impl " + spec + ": unknown QEMU profile '" + profile + "'; known: virt-smmuv3");
  return std::make_unique<QemuSmmu>(spec, options, stderr_log);
}

}  // namespace vipcts::qemu

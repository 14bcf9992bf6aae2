// "Firmware" for a QEMU machine driven over qtest: PCI configuration through ECAM, depth-first bus numbering,
// BAR sizing and placement, bridge memory windows, and Command MEM|BME. Nothing else configures the machine:
// with -nodefaults and an idle CPU, the harness is the only firmware (shared notes, qemu-qtest §2).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "qtest.hpp"

namespace vipcts::qemu {

struct Bdf {
  uint8_t bus = 0, dev = 0, fn = 0;
  // The PCIe Requester ID, which QEMU's SMMUv3 uses as the StreamID (IHI 0070 G.b §3.3 leaves the mapping to
  // the system; QEMU's virt uses bus << 8 | devfn).
  uint16_t rid() const { return static_cast<uint16_t>(bus << 8 | dev << 3 | fn); }
  bool operator==(const Bdf&) const = default;
};

struct Bar {
  unsigned index = 0;  // 0..5
  bool io = false, is64 = false, prefetch = false;
  uint64_t size = 0;  // 0 = not implemented
  uint64_t addr = 0;  // assigned address
};

struct PciFunction {
  Bdf bdf;
  uint16_t vendor = 0, device = 0;
  uint32_t class_code = 0;  // base class, subclass, prog-if
  uint8_t header_type = 0;  // 0 endpoint, 1 bridge
  std::vector<Bar> bars;
};

class Ecam {
 public:
  Ecam(Qtest& q, uint64_t base) : q_(q), base_(base) {}
  uint64_t address(Bdf b, unsigned offset) const {
    return base_ + (uint64_t{b.bus} << 20) + (uint64_t{b.dev} << 15) + (uint64_t{b.fn} << 12) + offset;
  }
  uint32_t read32(Bdf b, unsigned off) { return q_.readl(address(b, off)); }
  uint16_t read16(Bdf b, unsigned off) { return static_cast<uint16_t>(q_.read(2, address(b, off))); }
  uint8_t read8(Bdf b, unsigned off) { return static_cast<uint8_t>(q_.read(1, address(b, off))); }
  // Writes are queued: they go out, in order, with the next read or flush (no round trip each).
  void write32(Bdf b, unsigned off, uint32_t v) { q_.queue_write(4, address(b, off), v); }
  void write16(Bdf b, unsigned off, uint16_t v) { q_.queue_write(2, address(b, off), v); }
  void write8(Bdf b, unsigned off, uint8_t v) { q_.queue_write(1, address(b, off), v); }

  // Finds every function below `bus`, numbering bridges depth-first from bus + 1 (primary, secondary and
  // subordinate bus numbers are programmed as firmware would), and sizes every BAR. Returns them in discovery
  // order.
  std::vector<PciFunction> enumerate(uint8_t bus = 0);

  // Places the memory BARs of `fns` upwards from `window_base` (naturally aligned), opens the bridges' memory
  // windows over what lies below them, and sets Command MEM|BME (IO too when `io`). Returns the end address.
  uint64_t assign(std::vector<PciFunction>& fns, uint64_t window_base);

  // Writes one BAR (both halves for a 64-bit BAR).
  void set_bar(Bdf b, const Bar& bar, uint64_t addr);
  void enable(Bdf b, bool memory = true, bool bus_master = true);

 private:
  std::vector<Bar> size_bars(Bdf b, unsigned count);
  uint8_t scan(uint8_t bus, uint8_t& next_bus, std::vector<PciFunction>& out);

  Qtest& q_;
  uint64_t base_;
};

}  // namespace vipcts::qemu

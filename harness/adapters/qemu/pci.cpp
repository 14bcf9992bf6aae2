#include "pci.hpp"

#include <algorithm>

namespace vipcts::qemu {

// Configuration header offsets (PCI Local Bus 3.0 §6.1, PCI-to-PCI Bridge 1.2 §3.2).
namespace {
constexpr unsigned kVendor = 0x00, kCommand = 0x04, kClass = 0x08, kHeaderType = 0x0e, kBar0 = 0x10;
constexpr unsigned kBusNumbers = 0x18, kMemBase = 0x20;
constexpr uint16_t kCmdIo = 1, kCmdMem = 2, kCmdMaster = 4;
}  // namespace

std::vector<Bar> Ecam::size_bars(Bdf b, unsigned count) {
  // Two round trips for all the BAR registers (each sized on its own: all ones, read back, restore; decoding
  // is off during enumeration), rather than four per register.
  std::vector<size_t> at(count);
  for (unsigned i = 0; i < count; ++i) at[i] = q_.queue_read(4, address(b, kBar0 + 4 * i));
  std::vector<std::string> replies = q_.flush();
  std::vector<uint32_t> origs(count), masks(count);
  for (unsigned i = 0; i < count; ++i) origs[i] = static_cast<uint32_t>(Qtest::value(replies[at[i]]));
  for (unsigned i = 0; i < count; ++i) {
    q_.queue_write(4, address(b, kBar0 + 4 * i), 0xffffffff);
    at[i] = q_.queue_read(4, address(b, kBar0 + 4 * i));
    q_.queue_write(4, address(b, kBar0 + 4 * i), origs[i]);
  }
  replies = q_.flush();
  for (unsigned i = 0; i < count; ++i) masks[i] = static_cast<uint32_t>(Qtest::value(replies[at[i]]));
  std::vector<Bar> bars;
  for (unsigned i = 0; i < count; ++i) {
    const uint32_t orig = origs[i], lo = masks[i];
    Bar bar;
    bar.index = i;
    bar.io = (orig & 1) != 0;
    if (bar.io) {
      const uint32_t m = lo & ~uint32_t{3};
      bar.size = m ? (~m + 1) & 0xffff : 0;
    } else {
      bar.is64 = ((orig >> 1) & 3) == 2;
      bar.prefetch = (orig & 8) != 0;
      uint64_t mask = lo & ~uint64_t{0xf};
      if (bar.is64 && i + 1 < count) {
        mask |= uint64_t{masks[i + 1]} << 32;
      } else if (mask) {
        mask |= 0xffffffff00000000ull;
      }
      bar.size = mask ? ~mask + 1 : 0;
    }
    if (bar.size) bars.push_back(bar);
    if (bar.is64) ++i;
  }
  return bars;
}

uint8_t Ecam::scan(uint8_t bus, uint8_t& next_bus, std::vector<PciFunction>& out) {
  uint8_t subordinate = bus;
  // Every function's vendor and device ID in one round trip (absent ones read as all ones).
  std::vector<size_t> at(32 * 8);
  for (unsigned d = 0; d < 32; ++d)
    for (unsigned f = 0; f < 8; ++f)
      at[8 * d + f] =
          q_.queue_read(4, address(Bdf{bus, static_cast<uint8_t>(d), static_cast<uint8_t>(f)}, kVendor));
  const std::vector<std::string> ids = q_.flush();
  for (uint8_t dev = 0; dev < 32; ++dev) {
    for (uint8_t fn = 0; fn < 8; ++fn) {
      const Bdf b{bus, dev, fn};
      const uint32_t id = static_cast<uint32_t>(Qtest::value(ids[at[8 * dev + fn]]));
      if ((id & 0xffff) == 0xffff || id == 0) {
        if (fn == 0) break;
        continue;
      }
      PciFunction f;
      f.bdf = b;
      f.vendor = static_cast<uint16_t>(id);
      f.device = static_cast<uint16_t>(id >> 16);
      f.class_code = read32(b, kClass) >> 8;
      const uint8_t ht = read8(b, kHeaderType);
      f.header_type = ht & 0x7f;
      f.bars = size_bars(b, f.header_type == 1 ? 2 : 6);
      const size_t at = out.size();
      out.push_back(f);
      if (f.header_type == 1) {
        // Open the bridge to everything for the scan, then close it at the last bus found below it.
        const uint8_t secondary = next_bus++;
        write32(b, kBusNumbers, uint32_t{bus} | uint32_t{secondary} << 8 | 0xffu << 16);
        const uint8_t sub = scan(secondary, next_bus, out);
        write32(b, kBusNumbers, uint32_t{bus} | uint32_t{secondary} << 8 | uint32_t{sub} << 16);
        subordinate = std::max(subordinate, sub);
        (void)at;
      }
      if (fn == 0 && (ht & 0x80) == 0) break;  // single-function device
    }
  }
  return std::max(subordinate, static_cast<uint8_t>(next_bus - 1));
}

std::vector<PciFunction> Ecam::enumerate(uint8_t bus) {
  std::vector<PciFunction> out;
  uint8_t next = static_cast<uint8_t>(bus + 1);
  scan(bus, next, out);
  q_.flush();
  return out;
}

void Ecam::set_bar(Bdf b, const Bar& bar, uint64_t addr) {
  const unsigned off = kBar0 + 4 * bar.index;
  const uint32_t low_flags = read32(b, off) & (bar.io ? 0x3u : 0xfu);
  write32(b, off, static_cast<uint32_t>(addr) | low_flags);
  if (bar.is64) write32(b, off + 4, static_cast<uint32_t>(addr >> 32));
}

void Ecam::enable(Bdf b, bool memory, bool bus_master) {
  uint16_t cmd = read16(b, kCommand);
  if (memory) cmd |= kCmdMem;
  if (bus_master) cmd |= kCmdMaster;
  write16(b, kCommand, cmd);
}

uint64_t Ecam::assign(std::vector<PciFunction>& fns, uint64_t base) {
  // Endpoints' BARs first, biggest first, so natural alignment wastes little; then each bridge's window is
  // the span of the BARs on its secondary..subordinate buses (1 MB granular, PCI-to-PCI Bridge 1.2 §3.2.5.8).
  struct Ref {
    PciFunction* f;
    Bar* bar;
  };
  std::vector<Ref> refs;
  for (auto& f : fns)
    for (auto& bar : f.bars)
      if (!bar.io) refs.push_back({&f, &bar});
  std::stable_sort(refs.begin(), refs.end(),
                   [](const Ref& a, const Ref& b) { return a.bar->size > b.bar->size; });
  uint64_t next = base;
  for (auto& r : refs) {
    next = (next + r.bar->size - 1) & ~(r.bar->size - 1);
    r.bar->addr = next;
    set_bar(r.f->bdf, *r.bar, next);
    next += r.bar->size;
  }
  for (auto& f : fns) {
    if (f.header_type == 1) {
      const uint32_t buses = read32(f.bdf, kBusNumbers);
      const uint8_t sec = static_cast<uint8_t>(buses >> 8), sub = static_cast<uint8_t>(buses >> 16);
      uint64_t lo = ~uint64_t{0}, hi = 0;
      for (auto& g : fns)
        if (g.bdf.bus >= sec && g.bdf.bus <= sub)
          for (auto& bar : g.bars)
            if (!bar.io) lo = std::min(lo, bar.addr), hi = std::max(hi, bar.addr + bar.size);
      if (hi > lo && hi <= (uint64_t{1} << 32)) {
        lo &= ~uint64_t{0xfffff};
        hi = (hi + 0xfffff) & ~uint64_t{0xfffff};
        write32(f.bdf, kMemBase,
                static_cast<uint32_t>(lo >> 16) | static_cast<uint32_t>((hi - 1) >> 16 & 0xfff0) << 16);
      }
    }
    enable(f.bdf);
  }
  q_.flush();
  return next;
}

}  // namespace vipcts::qemu

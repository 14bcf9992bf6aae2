// Platforms: `vipcts gen smmu --platform NAME` makes scenarios a particular real implementation can run as
// they are. "qemu-virt" is QEMU 7.2's aarch64 virt machine with iommu=smmuv3 driven by harness/adapters/qemu:
//   - the ID registers are QEMU's (IDR0/1/3/5 as it reports them), so the expectations are for that profile;
//   - every transaction is an unprivileged data access without SubstreamID: what PCIe DMA without a PASID TLP
//     prefix is to the SMMU (IHI 0070 G.b §13.7);
//   - a transaction that translates lands in the RAM output window [kOutLo, kOutHi), whose words the adapter
//     tags with their own address: the leaf it goes through is given an output address in the window, and an
//     offset into a block larger than the window is folded into the window's part of the block;
//   - with a 2-level Stream table, a transaction is kept only if one of the adapter's NVMe StreamIDs
//     (kDeviceSids) is inside the Span of the transaction's L1STD exactly when the transaction's StreamID is:
//     the adapter sends it from that device, with the device's L1STD and STE loaded with the transaction's;
//   - scenarios the reference model does not cover with these ID registers (16 KB / 64 KB granules, which
//     QEMU advertises), and scenarios with tables outside the machine's memory, are left out.
// Stream tables, CDs and translation tables stay where the generator puts them (0x1000_0000-0x2fff_ffff): the
// adapter backs that range with RAM.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "generate.hpp"

namespace vipcts::smmu::gen {

struct QemuVirtPlatform {
  // What qemu-system-aarch64 7.2 -machine virt,iommu=smmuv3 reports (hw/arm/smmuv3.c smmuv3_init_regs).
  static constexpr uint32_t kIdr0 = 0x0d40'101a;  // S1P, TTF AArch64, COHACC, ASID16, TTENDIAN LE,
                                                  // STALL_MODEL 01, TERM_MODEL 1, ST_LEVEL 2-level
  static constexpr uint32_t kIdr1 = 0x0273'0010;  // SIDSIZE 16, EVENTQS 19, CMDQS 19
  static constexpr uint32_t kIdr3 = 0x0000'1404;  // HAD, RIL, BBML 1
  static constexpr uint32_t kIdr5 = 0x0000'0074;  // OAS 44 bits, GRAN4K, GRAN16K, GRAN64K
  static constexpr uint64_t kStructLo = 0x1000'0000, kStructHi = 0x3000'0000;
  static constexpr uint64_t kRamLo = 0x4000'0000, kRamHi = 0xc000'0000;  // -m 2G
  static constexpr uint64_t kOutLo = 0x8000'0000, kOutHi = 0x8400'0000;
  // StreamIDs of the adapter's NVMe functions, 00:01.0-3 and 00:02.0-3 (bus << 8 | devfn).
  static constexpr std::array<uint32_t, 8> kDeviceSids = {8, 9, 10, 11, 16, 17, 18, 19};
};

// Throws InputError for an unknown name. Known: "qemu-virt".
void check_platform(const std::string& name);

// Adapts a finished scenario to the platform (then finishes it again). Returns false when the scenario cannot
// be kept (the reference does not cover it on this platform).
bool apply_platform(const std::string& name, ScenarioSpec& s);

}  // namespace vipcts::smmu::gen

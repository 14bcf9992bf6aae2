// `--impl qemu:virt-smmuv3`: QEMU's SMMUv3 model (aarch64 `virt`, iommu=smmuv3) as an implementation of the
// `smmu` suite, driven over qtest with the harness acting as firmware. See smmu_qemu.cpp for how a scenario
// is loaded and how a `translate` request becomes device DMA and back an outcome.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "generators/smmu/platform.hpp"
#include "harness/core/implementation.hpp"

namespace vipcts::qemu {

// The fixed machine layout the adapter programs; `vipcts gen smmu --platform qemu-virt` targets its table and
// output windows (generators/smmu/platform.hpp, shared constants).
struct VirtLayout {
  static constexpr uint64_t kSmmuBase = 0x0905'0000;   // virt's SMMUv3 (hw/arm/virt.c memmap VIRT_SMMU)
  static constexpr uint64_t kEcam = 0x40'1000'0000;    // high ECAM (virt, highmem, 7.2)
  static constexpr uint64_t kPciWindow = 0x1000'0000;  // 32-bit PCI MMIO window start
  // Two 256 MiB RAM-backed BARs (ivshmem-plain) at the addresses the generator uses for stream tables, CDs
  // and translation tables: the SMMU's table walks read them like RAM.
  static constexpr uint64_t kStructLo = smmu::gen::QemuVirtPlatform::kStructLo;
  static constexpr uint64_t kStructHi = smmu::gen::QemuVirtPlatform::kStructHi;
  static constexpr uint64_t kRamBase = 0x4000'0000;  // virt RAM; -m 2G
  static constexpr uint64_t kRamSize = 0x8000'0000;
  // Output window: every 8-byte word holds a tag naming its own address, so a DMA read reveals where it
  // landed.
  static constexpr uint64_t kOutLo = smmu::gen::QemuVirtPlatform::kOutLo;
  static constexpr uint64_t kOutHi = smmu::gen::QemuVirtPlatform::kOutHi;
  static constexpr uint64_t kCmdq = 0x7000'0000;  // SMMU command queue (RAM)
  static constexpr uint64_t kEvtq = 0x7100'0000;  // SMMU event queue (RAM)
};

// Tag stored in each word of the output window: the word's index (address / 8, the address below 2^32) in
// bits [36:8], a magic in bits [63:40] and zero elsewhere. The adapter's DMA moves 8 bytes through NVMe's
// Timestamp feature, which returns only bits [47:0] plus the milliseconds elapsed in between, so bits [47:40]
// carry a magic of their own (bit 47 clear: markers set it) and bits [7:0] leave 255 ms of slack for a loaded
// host. Bit 0 is 0, so a tag read as an STE, L1 descriptor or translation table descriptor is invalid, like
// the zero the scenario state says is there (docs/formats.md §2.1); bit 31 (CD.V) is 0 for every word of the
// window.
constexpr uint64_t kTagMagic = uint64_t{0x5a5a5a} << 40;
constexpr unsigned kTagShift = 8;  // word index << 8: the low byte absorbs the elapsed milliseconds
constexpr uint64_t tag_of(uint64_t pa) {
  return kTagMagic | ((pa >> 3) << kTagShift);
}

// PROFILE is "virt-smmuv3". Throws InputError when QEMU cannot be started or the profile is unknown.
std::unique_ptr<Implementation> make_qemu_smmu_implementation(const std::string& spec,
                                                              const std::string& profile,
                                                              const ImplementationOptions& options,
                                                              const std::string& stderr_log);

}  // namespace vipcts::qemu

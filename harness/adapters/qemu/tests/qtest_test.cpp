// The qtest client against a real qemu-system-aarch64 (label `qemu`; skipped when it is not installed).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "harness/adapters/qemu/pci.hpp"
#include "harness/adapters/qemu/qtest.hpp"
#include "harness/adapters/qemu/smmu_qemu.hpp"

using namespace vipcts::qemu;

namespace {

bool have_qemu() {
  return std::system("command -v qemu-system-aarch64 >/dev/null 2>&1") == 0;
}

QemuOptions virt(bool qmp = false) {
  QemuOptions o;
  o.binary = "qemu-system-aarch64";
  // -S: no firmware runs; the qtest channel works without a CPU.
  o.args = {"-machine", "virt,iommu=smmuv3,accel=tcg", "-cpu", "max", "-m", "256M", "-S",
            "-device",  "nvme,serial=t,addr=0x1"};
  o.qmp = qmp;
  o.timeout_ms = 3000;
  return o;
}

#define REQUIRE_QEMU() \
  if (!have_qemu()) GTEST_SKIP() << "qemu-system-aarch64 is not installed (scripts/setup.sh installs it)"

TEST(Base64, RoundTripsEveryLength) {
  for (size_t n = 0; n < 70; ++n) {
    std::vector<uint8_t> d(n);
    for (size_t i = 0; i < n; ++i) d[i] = static_cast<uint8_t>(i * 37 + n);
    EXPECT_EQ(base64_decode(base64_encode(d)), d) << n;
  }
  EXPECT_EQ(base64_encode(std::vector<uint8_t>{'M', 'a'}), "TWE=");
  EXPECT_EQ(base64_decode("TWFu"), (std::vector<uint8_t>{'M', 'a', 'n'}));
  EXPECT_THROW(base64_decode("TW#uTWFu"), QtestError);
  EXPECT_THROW(base64_decode("TWFuT#=="), QtestError);
}

TEST(Qtest, StartsReadsAndWritesRam) {
  REQUIRE_QEMU();
  Qtest q(virt());
  q.writeq(VirtLayout::kRamBase + 0x1000, 0x1122334455667788ull);
  EXPECT_EQ(q.readq(VirtLayout::kRamBase + 0x1000), 0x1122334455667788ull);
  EXPECT_EQ(q.readl(VirtLayout::kRamBase + 0x1004), 0x11223344u);
  // SMMU_AIDR: QEMU 7.2 implements SMMUv3.1.
  EXPECT_LE(q.readl(VirtLayout::kSmmuBase + 0x1c), 2u);
}

TEST(Qtest, Base64BulkRoundTripAndPipelining) {
  REQUIRE_QEMU();
  Qtest q(virt());
  std::vector<uint8_t> d(300000);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 13 + (i >> 9));
  q.b64write(VirtLayout::kRamBase + 0x10000, d);
  EXPECT_EQ(q.b64read(VirtLayout::kRamBase + 0x10000, d.size()), d);
  for (uint64_t i = 0; i < 5000; ++i) q.queue_write(8, VirtLayout::kRamBase + 8 * i, i * 3);
  q.flush();
  EXPECT_EQ(q.readq(VirtLayout::kRamBase + 8 * 4999), 4999u * 3);
}

TEST(Qtest, MemsetFillsARange) {
  REQUIRE_QEMU();
  Qtest q(virt());
  q.b64write(VirtLayout::kRamBase + 0x3000, std::vector<uint8_t>(0x1010, 0x77));
  q.queue_memset(VirtLayout::kRamBase + 0x3008, 0x1000, 0);
  q.flush();
  const auto d = q.b64read(VirtLayout::kRamBase + 0x3000, 0x1010);
  for (size_t i = 0; i < d.size(); ++i) ASSERT_EQ(d[i], i < 8 || i >= 0x1008 ? 0x77 : 0) << i;
}

TEST(Qtest, FailReplyIsAnError) {
  REQUIRE_QEMU();
  Qtest q(virt());
  q.writeq(VirtLayout::kRamBase + 0x2000, 42);
  EXPECT_THROW(q.command("no_such_command 1"), QtestError);
  EXPECT_EQ(q.readq(VirtLayout::kRamBase + 0x2000), 42u);  // still usable afterwards
}

TEST(Qtest, CrashIsDetectedWithItsSignal) {
  REQUIRE_QEMU();
  Qtest q(virt());
  kill(q.pid(), SIGSEGV);
  try {
    q.readl(VirtLayout::kRamBase);
    FAIL() << "no exception";
  } catch (const QemuDied& e) {
    EXPECT_FALSE(e.timed_out);
    EXPECT_NE(std::string(e.what()).find("SIGSEGV"), std::string::npos) << e.what();
  }
}

TEST(Qtest, HangIsATimeout) {
  REQUIRE_QEMU();
  QemuOptions o = virt();
  o.timeout_ms = 300;
  Qtest q(o);
  kill(q.pid(), SIGSTOP);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    q.readl(VirtLayout::kRamBase);
    FAIL() << "no exception";
  } catch (const QemuDied& e) {
    EXPECT_TRUE(e.timed_out) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_FALSE(q.alive());  // killed and reaped
}

TEST(Qtest, QmpAnswers) {
  REQUIRE_QEMU();
  Qtest q(virt(true));
  EXPECT_NE(q.qmp("query-version").find("\"major\":7"), std::string::npos);
}

TEST(Ecam, EnumeratesAndPlacesBars) {
  REQUIRE_QEMU();
  Qtest q(virt());
  Ecam ecam(q, VirtLayout::kEcam);
  auto fns = ecam.enumerate(0);
  const PciFunction* nvme = nullptr;
  for (const auto& f : fns)
    if (f.vendor == 0x1b36 && f.device == 0x0010) nvme = &f;
  ASSERT_NE(nvme, nullptr);
  EXPECT_EQ(nvme->bdf.rid(), 0x0008);
  ecam.assign(fns, VirtLayout::kPciWindow);
  for (const auto& f : fns)
    if (f.vendor == 0x1b36 && f.device == 0x0010) {
      const uint64_t bar0 = f.bars.at(0).addr;
      EXPECT_EQ(bar0 % f.bars.at(0).size, 0u);
      // NVMe VS register: 1.4 in QEMU 7.2.
      EXPECT_EQ(q.readl(bar0 + 8), 0x10400u);
      EXPECT_EQ(ecam.read16(f.bdf, 4) & 6, 6);
    }
}

}  // namespace

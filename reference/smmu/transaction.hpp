// One client transaction presented to the SMMU.
#pragma once

#include <cstdint>

namespace vipcts::smmu {

enum class AccessKind : uint8_t { Read, Write, Execute };

struct Transaction {
  uint32_t stream_id = 0;
  bool ssv = false;  // SubstreamID valid
  uint32_t substream_id = 0;
  uint64_t iova = 0;  // the input address exactly as presented, top byte included
  AccessKind access = AccessKind::Read;
  bool privileged = false;
};

}  // namespace vipcts::smmu

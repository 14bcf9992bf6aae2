// SHA-256 (FIPS 180-4), our own implementation: provenance records the hash of every input file (spec,
// vectors, expectations) so a results file says exactly what it was produced from.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vipcts {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Lower-case hex digest. The object must not be updated afterwards.
  std::string hex_digest();

 private:
  void blocks(const uint8_t* p, size_t n);  // n whole blocks: SHA-NI where the CPU has it
  void block(const uint8_t* p);             // one block, portable
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view data);
// Hash of a file's bytes; throws InputError ("FILE: cannot read") if it cannot be opened.
std::string sha256_file(const std::string& path);

}  // namespace vipcts

#include "errors.hpp"

namespace vipcts {

std::string located(const std::string& file, size_t line, const std::string& message) {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace vipcts

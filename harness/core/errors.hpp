// Errors that end a command with exit code 2: bad input or bad usage. The message is one line and names the
// file, line and field at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace vipcts {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "FILE:LINE: message" (line 0 = no line).
std::string located(const std::string& file, size_t line, const std::string& message);

enum ExitCode : int { kExitOk = 0, kExitFailures = 1, kExitUsage = 2 };

}  // namespace vipcts

// write_report(): validate the format, read the results, render, write atomically.
#include "report.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "harness/core/errors.hpp"
#include "writers.hpp"

namespace vipcts {
namespace {

using Renderer = std::string (*)(const reports::ResultsModel&);

struct Format {
  const char* name;
  Renderer render;
};

constexpr Format kFormats[] = {{"json", reports::render_json},
                               {"junit", reports::render_junit},
                               {"ktap", reports::render_ktap},
                               {"md", reports::render_md},
                               {"html", reports::render_html}};

[[noreturn]] void write_failed(const std::string& path, const std::string& what) {
  throw InputError(path + ":0: cannot write report: " + what + ": " + std::strerror(errno));
}

// Write to PATH.tmp.<pid>, then rename(): readers see the old report or the whole new one, never a part.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) write_failed(path, "open " + tmp);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      write_failed(path, "write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    write_failed(path, "flush " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    write_failed(path, "rename " + tmp);
  }
}

}  // namespace

const char* report_formats() {
  return "json, junit, ktap, md, html";
}

int write_report(const ReportOptions& options) {
  Renderer render = nullptr;
  for (const Format& f : kFormats) {
    if (options.format == f.name) render = f.render;
  }
  // Checked before the results are read, so a typo costs nothing.
  if (render == nullptr) {
    throw InputError("--format: unsupported report format \"" + options.format +
                     "\" (accepted: " + report_formats() + ")");
  }
  reports::LoadOptions load;
  load.max_details = options.max_details;
  const reports::ResultsModel model = reports::load_results(options.results_path, load);
  const std::string text = render(model);
  if (options.output_path.empty()) {
    std::cout << text << std::flush;
    if (!std::cout) throw InputError("-:0: cannot write report to standard output");
  } else {
    write_atomically(options.output_path, text);
  }
  return model.exit_code();
}

}  // namespace vipcts

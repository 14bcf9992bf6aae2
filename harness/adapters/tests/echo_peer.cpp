// A fast exec-protocol peer for throughput measurements: answers hello, and every other request with a canned
// SMMU-like outcome, finding the id with a scan rather than a JSON parse. Answers go out one write per read.
#include <unistd.h>

#include <cstring>
#include <string>

int main() {
  static const char kOutcome[] =
      R"(,"result":{"status":"translated","oa":"0x80201234","attrs":{"mair":"0xff","sh":3},"updates":[]}})";
  static const char kHello[] =
      R"(,"result":{"protocol":1,"name":"echo-peer","version":"1","features":["fake.a","fake.b"],"profile":""}})";
  std::string in, out;
  char buf[1 << 16];
  size_t pos = 0;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n <= 0) return 0;
    in.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = in.find('\n', pos)) != std::string::npos) {
      in[nl] = '\0';  // bounds the scans below to this line
      const char* line = in.data() + pos;
      const char* id = std::strstr(line, "\"id\":");
      size_t id_len = 0;
      if (id) {
        id += 5;
        while (id[id_len] >= '0' && id[id_len] <= '9') ++id_len;
      }
      out += "{\"id\":";
      out.append(id, id_len);
      bool hello = std::strstr(line, "\"method\":\"hello\"") != nullptr;
      bool shutdown = std::strstr(line, "\"method\":\"shutdown\"") != nullptr;
      out += hello ? kHello : (std::strstr(line, "\"method\":\"echo\"") ? kOutcome : R"(,"result":{}})");
      out += '\n';
      pos = nl + 1;
      if (shutdown) {
        ssize_t w = write(1, out.data(), out.size());
        (void)w;
        return 0;
      }
    }
    in.erase(0, pos);
    pos = 0;
    size_t done = 0;
    while (done < out.size()) {
      ssize_t w = write(1, out.data() + done, out.size() - done);
      if (w <= 0) return 1;
      done += static_cast<size_t>(w);
    }
    out.clear();
  }
}

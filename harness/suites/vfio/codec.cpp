#include "codec.hpp"

#include <algorithm>
#include <set>

#include "harness/core/errors.hpp"

namespace vipcts::vfio::codec {

using smmu::codec::fail;
using smmu::codec::parse_bool;
using smmu::codec::parse_hex_u64;
using smmu::codec::parse_uint;
using smmu::codec::to_hex;

namespace {

const Json& member(const Json& obj, std::string_view key, const Path& path) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) fail(Path(path, key), "missing");
  return *it;
}

void only_keys(const Json& obj, std::initializer_list<std::string_view> keys, const Path& path) {
  if (!obj.is_object()) fail(path, "expected an object");
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
      fail(Path(path, it.key()), "unknown key");
}

int64_t parse_int(const Json& j, const Path& path, int64_t lo, int64_t hi) {
  if (!j.is_number_integer()) fail(path, "expected an integer");
  int64_t v = 0;
  if (j.is_number_unsigned()) {
    const uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(hi)) fail(path, "value out of range");
    v = static_cast<int64_t>(u);
  } else {
    v = j.get<int64_t>();
  }
  if (v < lo || v > hi) fail(path, "value " + std::to_string(v) + " out of range");
  return v;
}

Range parse_range(const Json& j, const Path& path) {
  if (!j.is_array() || j.size() != 2) fail(path, "expected [first, last] hex strings");
  Range r{parse_hex_u64(j[0], Path(path, size_t{0})), parse_hex_u64(j[1], Path(path, size_t{1}))};
  return r;
}

std::vector<Range> parse_ranges(const Json& j, const Path& path) {
  if (!j.is_array()) fail(path, "expected a list of [first, last]");
  std::vector<Range> out;
  for (size_t i = 0; i < j.size(); ++i) out.push_back(parse_range(j[i], Path(path, i)));
  return out;
}

Json ranges_json(const std::vector<Range>& rs) {
  Json a = Json::array();
  for (const Range& r : rs) a.push_back(Json::array({to_hex(r.first), to_hex(r.last)}));
  return a;
}

// Params of one method, visited for encoding and decoding alike so the two cannot disagree.
class Encoder {
 public:
  Json params = Json::object();
  void handle(std::string_view k, int& v) { params[std::string(k)] = v; }
  void hex(std::string_view k, uint64_t& v) { params[std::string(k)] = to_hex(v); }
  void num(std::string_view k, uint32_t& v) { params[std::string(k)] = v; }
  void opt_num(std::string_view k, std::optional<uint32_t>& v) {
    if (v) params[std::string(k)] = *v;
  }
  void opt_hex(std::string_view k, std::optional<uint64_t>& v) {
    if (v) params[std::string(k)] = to_hex(*v);
  }
  void opt_object(std::string_view k, int& v) {
    if (v != -2) params[std::string(k)] = v;
  }
  void sint(std::string_view k, int64_t& v) { params[std::string(k)] = v; }
  void flag(std::string_view k, bool& v) { params[std::string(k)] = v; }
  void ranges(std::string_view k, std::vector<Range>& v) { params[std::string(k)] = ranges_json(v); }
};

class Decoder {
 public:
  Decoder(const Json& p, const Path& path) : p_(p), path_(path) {}
  void handle(std::string_view k, int& v) {
    v = static_cast<int>(parse_int(get(k), Path(path_, k), -1, 1 << 20));
  }
  void hex(std::string_view k, uint64_t& v) { v = parse_hex_u64(get(k), Path(path_, k)); }
  void num(std::string_view k, uint32_t& v) {
    v = static_cast<uint32_t>(parse_uint(get(k), Path(path_, k), 32));
  }
  void opt_num(std::string_view k, std::optional<uint32_t>& v) {
    if (auto it = opt(k)) v = static_cast<uint32_t>(parse_uint(*it, Path(path_, k), 32));
  }
  void opt_hex(std::string_view k, std::optional<uint64_t>& v) {
    if (auto it = opt(k)) v = parse_hex_u64(*it, Path(path_, k));
  }
  void opt_object(std::string_view k, int& v) {
    if (auto it = opt(k)) v = static_cast<int>(parse_int(*it, Path(path_, k), -1, 1 << 20));
  }
  void sint(std::string_view k, int64_t& v) { v = parse_int(get(k), Path(path_, k), -1, 0xfffff); }
  void flag(std::string_view k, bool& v) { v = parse_bool(get(k), Path(path_, k)); }
  void ranges(std::string_view k, std::vector<Range>& v) { v = parse_ranges(get(k), Path(path_, k)); }
  void finish() {
    for (auto it = p_.begin(); it != p_.end(); ++it)
      if (!seen_.count(it.key())) fail(Path(path_, it.key()), "unknown parameter");
  }

 private:
  const Json& get(std::string_view k) {
    seen_.insert(std::string(k));
    return member(p_, k, path_);
  }
  const Json* opt(std::string_view k) {
    seen_.insert(std::string(k));
    auto it = p_.find(std::string(k));
    return it == p_.end() ? nullptr : &*it;
  }
  const Json& p_;
  const Path& path_;
  std::set<std::string> seen_;
};

template <typename V>
void visit_params(Request& r, V& v) {
  switch (r.method) {
    case Method::ContainerOpen:
    case Method::IoasAlloc:
    case Method::IopfAllocQueue:
      break;
    case Method::ContainerClose:
    case Method::ContainerApiVersion:
      v.handle("container", r.container);
      break;
    case Method::ContainerCheckExtension:
      v.handle("container", r.container);
      v.num("ext", r.ext);
      break;
    case Method::ContainerSetIommu:
      v.handle("container", r.container);
      v.num("type", r.type);
      break;
    case Method::ContainerMapDma:
      v.handle("container", r.container);
      v.hex("iova", r.iova);
      v.hex("size", r.size);
      v.hex("vaddr", r.vaddr);
      v.num("flags", r.flags);
      v.opt_num("argsz", r.argsz);
      break;
    case Method::ContainerUnmapDma:
      v.handle("container", r.container);
      v.hex("iova", r.iova);
      v.hex("size", r.size);
      v.num("flags", r.flags);
      v.opt_num("argsz", r.argsz);
      v.opt_hex("bitmap_pgsize", r.bitmap_pgsize);
      break;
    case Method::ContainerGetInfo:
      v.handle("container", r.container);
      v.opt_num("argsz", r.argsz);
      break;
    case Method::ContainerDirtyPages:
      v.handle("container", r.container);
      v.num("flags", r.flags);
      v.hex("iova", r.iova);
      v.hex("size", r.size);
      v.opt_hex("bitmap_pgsize", r.bitmap_pgsize);
      v.opt_num("argsz", r.argsz);
      break;
    case Method::GroupStatus:
    case Method::GroupUnsetContainer:
    case Method::GroupGetDevice:
    case Method::DeviceBind:
      v.handle("group", r.group);
      break;
    case Method::GroupSetContainer:
      v.handle("group", r.group);
      v.handle("container", r.container);
      break;
    case Method::IoasMap:
      v.handle("ioas", r.ioas);
      v.num("flags", r.flags);
      v.hex("vaddr", r.vaddr);
      v.hex("length", r.length);
      v.hex("iova", r.iova);
      v.opt_num("size", r.argsz);
      break;
    case Method::IoasUnmap:
      v.handle("ioas", r.ioas);
      v.hex("iova", r.iova);
      v.hex("length", r.length);
      v.opt_num("size", r.argsz);
      break;
    case Method::IoasCopy:
      v.handle("dst_ioas", r.dst_ioas);
      v.handle("src_ioas", r.src_ioas);
      v.num("flags", r.flags);
      v.hex("length", r.length);
      v.hex("dst_iova", r.dst_iova);
      v.hex("src_iova", r.src_iova);
      break;
    case Method::IoasAllowIovas:
      v.handle("ioas", r.ioas);
      v.ranges("ranges", r.ranges);
      break;
    case Method::IoasIovaRanges:
      v.handle("ioas", r.ioas);
      v.num("capacity", r.capacity);
      break;
    case Method::IommufdOption:
      v.num("option", r.option);
      v.num("op", r.op);
      v.opt_object("object", r.object);
      v.hex("val64", r.val64);
      break;
    case Method::IommufdDestroy:
      v.handle("id", r.id);
      break;
    case Method::DeviceAttach:
      v.handle("dev", r.dev);
      v.handle("pt", r.pt);
      break;
    case Method::DeviceDetach:
      v.handle("dev", r.dev);
      break;
    case Method::HwptAlloc:
      v.handle("dev", r.dev);
      v.handle("pt", r.pt);
      v.num("flags", r.flags);
      break;
    case Method::DmaWrite:
    case Method::DmaRead:
      v.handle("group", r.group);
      v.hex("iova", r.iova);
      {
        uint32_t len = static_cast<uint32_t>(r.len);
        v.num("len", len);
        r.len = len;
      }
      break;
    case Method::IopfAttach:
      v.handle("dev", r.dev);
      v.handle("fault", r.fault);
      v.sint("pasid", r.pasid);
      break;
    case Method::IopfRequest:
      v.handle("dev", r.dev);
      v.sint("pasid", r.pasid);
      v.num("grpid", r.grpid);
      v.hex("addr", r.addr);
      v.num("perm", r.perm);
      v.flag("last", r.last);
      break;
    case Method::IopfStopMarker:
      v.handle("dev", r.dev);
      v.sint("pasid", r.pasid);
      v.num("grpid", r.grpid);
      break;
    case Method::IopfRead:
      v.handle("fault", r.fault);
      v.num("max", r.max);
      break;
    case Method::IopfRespond:
      v.handle("fault", r.fault);
      v.num("cookie", r.cookie);
      v.num("code", r.code);
      v.num("bytes", r.bytes);
      break;
    case Method::IopfRemoveDevice:
      v.handle("dev", r.dev);
      break;
    case Method::kCount:
      break;
  }
}

}  // namespace

// ---- state
// ---------------------------------------------------------------------------------------------------

ScenarioState decode_state(const Json& j, const Path& path) {
  only_keys(j, {"profile", "geometry", "groups", "pool"}, path);
  ScenarioState s;
  const Path pp(path, "profile");
  const Json& prof = member(j, "profile", path);
  only_keys(prof, {"backend", "kernel"}, pp);
  const Json& b = member(prof, "backend", pp);
  const Json& k = member(prof, "kernel", pp);
  if (!b.is_string() || !parse_backend(b.get<std::string>()))
    fail(Path(pp, "backend"), "expected type1v1, type1v2, iommufd or iommufd-compat");
  if (!k.is_string() || !parse_kernel(k.get<std::string>()))
    fail(Path(pp, "kernel"), "expected linux-6.1, linux-6.12 or linux-6.18+");
  s.profile.backend = *parse_backend(b.get<std::string>());
  s.profile.kernel = *parse_kernel(k.get<std::string>());
  const Path gp(path, "geometry");
  const Json& g = member(j, "geometry", path);
  only_keys(g, {"name", "pgsizes", "aperture", "reserved", "dma_entry_limit", "write_implies_read"}, gp);
  const Json& name = member(g, "name", gp);
  if (!name.is_string() || name.get<std::string>().empty())
    fail(Path(gp, "name"), "expected a non-empty string");
  s.geometry.name = name.get<std::string>();
  s.geometry.pgsizes = parse_hex_u64(member(g, "pgsizes", gp), Path(gp, "pgsizes"));
  if (s.geometry.pgsizes == 0) fail(Path(gp, "pgsizes"), "must not be 0");
  s.geometry.aperture = parse_range(member(g, "aperture", gp), Path(gp, "aperture"));
  if (s.geometry.aperture.first > s.geometry.aperture.last) fail(Path(gp, "aperture"), "first > last");
  s.geometry.reserved = parse_ranges(member(g, "reserved", gp), Path(gp, "reserved"));
  for (size_t i = 0; i < s.geometry.reserved.size(); ++i) {
    const Range& r = s.geometry.reserved[i];
    if (r.first > r.last || (i > 0 && r.first <= s.geometry.reserved[i - 1].last))
      fail(Path(Path(gp, "reserved"), i), "ranges must be sorted, disjoint, first <= last");
  }
  s.geometry.dma_entry_limit =
      static_cast<uint32_t>(parse_uint(member(g, "dma_entry_limit", gp), Path(gp, "dma_entry_limit"), 32));
  if (g.contains("write_implies_read"))
    s.geometry.write_implies_read = parse_bool(g["write_implies_read"], Path(gp, "write_implies_read"));
  s.groups = static_cast<unsigned>(parse_uint(member(j, "groups", path), Path(path, "groups"), 8));
  if (s.groups == 0 || s.groups > 16) fail(Path(path, "groups"), "expected 1..16");
  const Path pl(path, "pool");
  const Json& pool = member(j, "pool", path);
  only_keys(pool, {"base", "size"}, pl);
  s.pool.base = parse_hex_u64(member(pool, "base", pl), Path(pl, "base"));
  s.pool.size = parse_hex_u64(member(pool, "size", pl), Path(pl, "size"));
  return s;
}

Json encode_state(const ScenarioState& s) {
  Json j = Json::object();
  j["profile"] = {{"backend", std::string(backend_name(s.profile.backend))},
                  {"kernel", std::string(kernel_name(s.profile.kernel))}};
  Json g = Json::object();
  g["name"] = s.geometry.name;
  g["pgsizes"] = to_hex(s.geometry.pgsizes);
  g["aperture"] = Json::array({to_hex(s.geometry.aperture.first), to_hex(s.geometry.aperture.last)});
  g["reserved"] = ranges_json(s.geometry.reserved);
  g["dma_entry_limit"] = s.geometry.dma_entry_limit;
  if (s.geometry.write_implies_read) g["write_implies_read"] = true;  // written only when set (additive key)
  j["geometry"] = g;
  j["groups"] = s.groups;
  j["pool"] = {{"base", to_hex(s.pool.base)}, {"size", to_hex(s.pool.size)}};
  return j;
}

// ---- requests
// ------------------------------------------------------------------------------------------------

Request decode_request(const Json& j, const Path& path) {
  only_keys(j, {"method", "params"}, path);
  const Json& m = member(j, "method", path);
  if (!m.is_string() || !parse_method(m.get<std::string>()))
    fail(Path(path, "method"), "unknown vfio method");
  Request r;
  r.method = *parse_method(m.get<std::string>());
  r.object = -2;
  const Path pp(path, "params");
  const Json& params = member(j, "params", path);
  if (!params.is_object()) fail(pp, "expected an object");
  Decoder d(params, pp);
  visit_params(r, d);
  d.finish();
  return r;
}

Json encode_request(const Request& request) {
  Request r = request;
  Encoder e;
  visit_params(r, e);
  return Json{{"method", std::string(method_name(r.method))}, {"params", std::move(e.params)}};
}

// ---- outcomes
// ------------------------------------------------------------------------------------------------

Json encode_outcome(const Outcome& o, const ScenarioState& st, bool diagnostics) {
  Json j = Json::object();
  if (o.unmodelled) {
    j["unmodelled"] = true;
    return j;
  }
  j["ret"] = o.ret;
  if (!o.ok()) j["errno"] = std::string(errno_name(o.err));
  auto put_int = [&](const char* k, const std::optional<int>& v) {
    if (v) j[k] = *v;
  };
  auto put_hex = [&](const char* k, const std::optional<uint64_t>& v) {
    if (v) j[k] = to_hex(*v);
  };
  auto put_u32 = [&](const char* k, const std::optional<uint32_t>& v) {
    if (v) j[k] = *v;
  };
  put_int("container", o.container);
  put_int("ioas", o.ioas);
  put_int("hwpt", o.hwpt);
  put_int("dev", o.dev);
  put_int("fault", o.fault);
  put_int("pt", o.pt);
  put_hex("size", o.size);
  put_hex("iova", o.iova);
  put_hex("length", o.length);
  put_hex("dst_iova", o.dst_iova);
  put_hex("val64", o.val64);
  put_u32("flags", o.flags);
  put_hex("iova_pgsizes", o.iova_pgsizes);
  if (o.iova_ranges) j["iova_ranges"] = ranges_json(*o.iova_ranges);
  put_u32("dma_avail", o.dma_avail);
  if (o.migration)
    j["migration"] = {{"pgsize_bitmap", to_hex(o.migration->pgsize_bitmap)},
                      {"max_dirty_bitmap_size", to_hex(o.migration->max_dirty_bitmap_size)}};
  put_u32("num", o.num);
  if (o.ranges) j["ranges"] = ranges_json(*o.ranges);
  put_hex("out_iova_alignment", o.out_iova_alignment);
  if (o.dirty) j["dirty"] = *o.dirty;
  if (o.dma) j["dma"] = *o.dma == DmaResult::Landed ? "landed" : "blocked";
  put_hex("pool_offset", o.pool_offset);
  put_u32("queued", o.queued);
  if (o.responses) {
    Json a = Json::array();
    for (const PageResponse& p : *o.responses)
      a.push_back({{"dev", p.dev}, {"pasid", p.pasid}, {"grpid", p.grpid}, {"code", p.code}});
    j["responses"] = a;
  }
  if (o.faults) {
    Json a = Json::array();
    for (const FaultRecord& f : *o.faults)
      a.push_back({{"dev", f.dev},
                   {"pasid", f.pasid},
                   {"grpid", f.grpid},
                   {"addr", to_hex(f.addr)},
                   {"perm", f.perm},
                   {"last", f.last},
                   {"cookie", f.cookie}});
    j["faults"] = a;
  }
  if (diagnostics) {
    Json a = Json::array();
    for (const Mapping& m : o.mappings)
      a.push_back(Json::array({to_hex(m.iova), to_hex(m.size), to_hex(m.vaddr - st.pool.base), m.prot}));
    j["_mappings"] = a;
  }
  return j;
}

std::string compare_outcomes(const Json& expected, const Json& observed) {
  if (!expected.is_object()) fail(Path("expect"), "expected an object");
  if (expected.contains("unmodelled"))
    return "outcome: the reference model does not describe this case (unmodelled), observed " +
           observed.dump();
  if (!expected.contains("ret")) fail(Path("expect"), "missing `ret`");
  if (!observed.is_object()) return "observed: expected an object, found " + observed.dump();
  std::string diff;
  auto add = [&](const std::string& k, const std::string& e, const std::string& o) {
    if (!diff.empty()) diff += "; ";
    diff += k + ": expected " + e + ", observed " + o;
  };
  const Json none = "(absent)";
  auto get = [&](const std::string& k) -> const Json& {
    auto it = observed.find(k);
    return it == observed.end() ? none : *it;
  };
  // errno first: when it differs, the out-fields are irrelevant noise.
  const std::string e_errno = expected.contains("errno") ? expected["errno"].dump() : "(none)";
  const std::string o_errno = observed.contains("errno") ? observed["errno"].dump() : "(none)";
  if (e_errno != o_errno || expected["ret"] != get("ret")) {
    add("ret/errno", expected["ret"].dump() + " " + e_errno, get("ret").dump() + " " + o_errno);
    return diff;
  }
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    const std::string& k = it.key();
    if (k.empty() || k[0] == '_' || k == "ret" || k == "errno") continue;
    if (it.value() != get(k)) add(k, it.value().dump(), get(k).dump());
  }
  return diff;
}

}  // namespace vipcts::vfio::codec

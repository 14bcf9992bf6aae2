#include "boundary.hpp"

#include <stdexcept>

#include "harness/core/clauses.hpp"
#include "harness/core/errors.hpp"

namespace vipcts::vfio::gen {

namespace {

using namespace uapi;

constexpr uint64_t kDense = 0x100000;
const uint64_t kPoolBase = Pool{}.base;

Request map_req(uint64_t iova, uint64_t size, uint64_t vaddr_abs, uint32_t flags = kMapRead | kMapWrite) {
  Request r;
  r.method = Method::ContainerMapDma;
  r.iova = iova;
  r.size = size;
  r.vaddr = vaddr_abs - kPoolBase;
  r.flags = flags;
  return r;
}
Request unmap_req(uint64_t iova, uint64_t size, uint32_t flags = 0) {
  Request r;
  r.method = Method::ContainerUnmapDma;
  r.iova = iova;
  r.size = size;
  r.flags = flags;
  return r;
}
const Outcome& last(const Scenario& s) {
  return s.ops.back().outcome;
}
uint64_t b(bool v) {
  return v ? 1 : 0;
}
bool failed_at(const Outcome& o, Clause c) {
  return !o.ok() && o.clauses.contains(c);
}

// A type1 scenario: prefix, then `ops`; the last op is the one the predicate is about.
Scenario type1(const std::string& tag, const ScenarioState& st, std::vector<Request> ops) {
  std::vector<Request> all = prefix(st);
  all.insert(all.end(), ops.begin(), ops.end());
  return run(tag, st, all);
}

std::string aligned(const char* f) {
  return std::string("(= (bvand ") + f + " #x0000000000000fff) (_ bv0 64))";
}
std::string below(const char* f, const char* bound) {
  return std::string("(bvule ") + f + " " + bound + ")";
}
std::string nowrap(const char* a, const char* s) {
  return std::string("(and (not (= ") + s + " (_ bv0 64))) (bvuge (bvadd " + a + " (bvsub " + s +
         " (_ bv1 64))) " + a + "))";
}
constexpr const char* kPoolMax = "#x0000000004000000";

std::vector<Witness> make() {
  std::vector<Witness> w;
  const ScenarioState v2 = make_state(Backend::Type1v2, Kernel::Linux6_18, "full64");
  w.push_back({"VFIO.TYPE1.MAP.FLAGS",
               {"bad"},
               {"(bvule argsz #x00000100)"},
               [=](const SmtValues& v) {
                 Request r = map_req(kDense, 0x1000, kPoolBase, static_cast<uint32_t>(v.at("flags")));
                 r.argsz = static_cast<uint32_t>(v.at("argsz"));
                 return type1("MAP.FLAGS", v2, {r});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bad", b(failed_at(last(s), Clause::TYPE1_MAP_FLAGS))}};
               }});
  w.push_back({"VFIO.TYPE1.MAP.ALIGN",
               {"bad"},
               {"(bvule pgshift #b011110)"},
               [=](const SmtValues& v) {
                 ScenarioState st = v2;
                 st.geometry.pgsizes = uint64_t{1} << v.at("pgshift");
                 return type1("MAP.ALIGN", st, {map_req(v.at("iova"), v.at("size"), v.at("vaddr"))});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bad", b(failed_at(last(s), Clause::TYPE1_MAP_ALIGN))}};
               }});
  for (Kernel k : {Kernel::Linux6_12, Kernel::Linux6_18}) {
    const ScenarioState st = make_state(Backend::Type1v2, k, "full64");
    w.push_back({"VFIO.TYPE1.MAP.WRAP",
                 {"wrap"},
                 {aligned("iova"), aligned("size"), aligned("vaddr"), "(not (= size (_ bv0 64)))"},
                 [=](const SmtValues& v) {
                   return type1(std::string("MAP.WRAP.") + std::string(kernel_name(k)), st,
                                {map_req(v.at("iova"), v.at("size"), v.at("vaddr"))});
                 },
                 [](const Scenario& s) {
                   return SmtValues{{"wrap", b(failed_at(last(s), Clause::TYPE1_MAP_WRAP))}};
                 }});
  }
  w.push_back(
      {"VFIO.TYPE1.MAP.OVERLAP",
       {"overlap"},
       {aligned("iova"), aligned("size"), aligned("m_iova"), aligned("m_size"), nowrap("iova", "size"),
        nowrap("m_iova", "m_size"), below("size", kPoolMax), below("m_size", kPoolMax)},
       [=](const SmtValues& v) {
         return type1("MAP.OVERLAP", v2,
                      {map_req(v.at("m_iova"), v.at("m_size"), kPoolBase),
                       map_req(v.at("iova"), v.at("size"), kPoolBase)});
       },
       [](const Scenario& s) {
         return SmtValues{{"overlap", b(failed_at(last(s), Clause::TYPE1_MAP_OVERLAP))}};
       }});
  w.push_back({"VFIO.TYPE1.MAP.ENTRY_LIMIT",
               {"full"},
               {"(bvule avail #x00000004)"},
               [=](const SmtValues& v) {
                 ScenarioState st = make_state(Backend::Type1v2, Kernel::Linux6_12, "intel-vtd-aw39", 4);
                 std::vector<Request> ops;
                 for (uint64_t i = 0; i < 4 - v.at("avail"); ++i)
                   ops.push_back(map_req(kDense + i * 0x1000, 0x1000, kPoolBase));
                 ops.push_back(map_req(kDense + 0x10000, 0x1000, kPoolBase));
                 return type1("MAP.ENTRY_LIMIT", st, ops);
               },
               [](const Scenario& s) {
                 return SmtValues{{"full", b(failed_at(last(s), Clause::TYPE1_MAP_ENTRY_LIMIT))}};
               }});
  w.push_back({"VFIO.TYPE1.MAP.IOVA_RANGE",
               {"inside"},
               {aligned("iova"), aligned("size"), aligned("first"),
                "(= (bvand last #x0000000000000fff) #x0000000000000fff)", "(bvule first last)",
                nowrap("iova", "size"), below("size", kPoolMax)},
               [=](const SmtValues& v) {
                 ScenarioState st = v2;
                 st.geometry.name = "full64";
                 st.geometry.aperture = {v.at("first"), v.at("last")};
                 return type1("MAP.IOVA_RANGE", st, {map_req(v.at("iova"), v.at("size"), kPoolBase)});
               },
               [](const Scenario& s) {
                 return SmtValues{{"inside", b(!failed_at(last(s), Clause::TYPE1_MAP_IOVA_RANGE))}};
               }});
  w.push_back({"VFIO.TYPE1.MAP.ERRNO_ORDER",
               {"err"},
               {"(=> (= wrap #b1) (= exists #b0))"},
               [=](const SmtValues& v) {
                 const bool wrap = v.at("wrap"), exists = v.at("exists"), full = v.at("full"),
                            oor = v.at("out_of_range");
                 ScenarioState st =
                     make_state(Backend::Type1v2, v.at("post618") ? Kernel::Linux6_18 : Kernel::Linux6_12,
                                "full64", full ? 1 : 8);
                 st.geometry.aperture = {0, 0xffffffffffffull};
                 const uint64_t edge = 0x1000000000000ull;
                 uint64_t iova = wrap  ? 0xfffffffffffff000ull
                                 : oor ? (exists ? edge - 0x1000 : edge)
                                       : (exists ? 0x200000 : 0x300000);
                 uint64_t size = (wrap || (oor && exists)) ? 0x2000 : 0x1000;
                 if (v.at("bad_align")) size += 0x800;
                 std::vector<Request> ops;
                 if (exists || full)
                   ops.push_back(map_req(oor && exists ? edge - 0x1000 : 0x200000, 0x1000, kPoolBase));
                 ops.push_back(
                     map_req(iova, size, kPoolBase + 0x10000, v.at("bad_flags") ? 0 : kMapRead | kMapWrite));
                 return type1("MAP.ERRNO_ORDER", st, ops);
               },
               [](const Scenario& s) {
                 const Outcome& o = last(s);
                 const uint64_t e = o.ok()                     ? 0
                                    : o.err == Errno::INVAL    ? 1
                                    : o.err == Errno::OVERFLOW ? 2
                                    : o.err == Errno::EXIST    ? 3
                                    : o.err == Errno::NOSPC    ? 4
                                                               : 7;
                 return SmtValues{{"err", e}};
               }});
  for (Kernel k : {Kernel::Linux6_1, Kernel::Linux6_18}) {
    const ScenarioState st = make_state(Backend::Type1v2, k, "full64");
    w.push_back(
        {"VFIO.TYPE1.END_OF_SPACE",
         {"tail"},
         {aligned("iova"), aligned("size"), "(not (= size (_ bv0 64)))", below("size", kPoolMax),
          "(or (= (bvadd iova size) (_ bv0 64)) (bvugt (bvadd iova size) iova))"},
         [=](const SmtValues& v) {
           return type1(std::string("END_OF_SPACE.") + std::string(kernel_name(k)), st,
                        {map_req(v.at("iova"), v.at("size"), kPoolBase),
                         unmap_req(v.at("iova"), v.at("size")), unmap_req(0, 0, kUnmapAll)});
         },
         [](const Scenario& s) {
           const Outcome& map = s.ops[s.ops.size() - 3].outcome;
           return SmtValues{{"tail", b(map.ok() && map.clauses.contains(Clause::TYPE1_END_OF_SPACE))}};
         }});
  }
  w.push_back({"VFIO.TYPE1.UNMAP.FLAGS",
               {"bad"},
               {"(bvule argsz #x00000100)"},
               [=](const SmtValues& v) {
                 Request r = unmap_req(kDense, 0x1000, static_cast<uint32_t>(v.at("flags")));
                 r.argsz = static_cast<uint32_t>(v.at("argsz"));
                 return type1("UNMAP.FLAGS", v2, {r});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bad", b(failed_at(last(s), Clause::TYPE1_UNMAP_FLAGS))}};
               }});
  w.push_back({"VFIO.TYPE1.UNMAP.ALIGN",
               {"bad"},
               {"(bvule pgshift #b011110)"},
               [=](const SmtValues& v) {
                 ScenarioState st = v2;
                 st.geometry.pgsizes = uint64_t{1} << v.at("pgshift");
                 return type1("UNMAP.ALIGN", st, {unmap_req(v.at("iova"), v.at("size"))});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bad", b(failed_at(last(s), Clause::TYPE1_UNMAP_ALIGN))}};
               }});
  for (Kernel k : {Kernel::Linux6_12, Kernel::Linux6_18}) {
    const ScenarioState st = make_state(Backend::Type1v1, k, "full64");
    w.push_back({"VFIO.TYPE1.UNMAP.WRAP",
                 {"wrap"},
                 {aligned("iova"), aligned("size"), "(not (= size (_ bv0 64)))"},
                 [=](const SmtValues& v) {
                   return type1(std::string("UNMAP.WRAP.") + std::string(kernel_name(k)), st,
                                {unmap_req(v.at("iova"), v.at("size"))});
                 },
                 [](const Scenario& s) {
                   return SmtValues{{"wrap", b(failed_at(last(s), Clause::TYPE1_UNMAP_WRAP))}};
                 }});
  }
  w.push_back({"VFIO.TYPE1.UNMAP.ALL",
               {"bad"},
               {aligned("iova")},
               [=](const SmtValues& v) {
                 return type1(
                     "UNMAP.ALL", v2,
                     {map_req(kDense, 0x2000, kPoolBase), unmap_req(v.at("iova"), v.at("size"), kUnmapAll)});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bad", b(failed_at(last(s), Clause::TYPE1_UNMAP_ALL))}};
               }});
  const std::vector<std::string> pair_ok = {aligned("iova"),          aligned("size"),
                                            aligned("m_iova"),        aligned("m_size"),
                                            nowrap("iova", "size"),   nowrap("m_iova", "m_size"),
                                            below("m_size", kPoolMax)};
  w.push_back({"VFIO.TYPE1.UNMAP.V2_BISECT",
               {"bisect"},
               pair_ok,
               [=](const SmtValues& v) {
                 return type1("UNMAP.V2_BISECT", v2,
                              {map_req(v.at("m_iova"), v.at("m_size"), kPoolBase),
                               unmap_req(v.at("iova"), v.at("size"))});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bisect", b(failed_at(last(s), Clause::TYPE1_UNMAP_V2_BISECT))}};
               }});
  const ScenarioState v1 = make_state(Backend::Type1v1, Kernel::Linux6_18, "full64");
  w.push_back({"VFIO.TYPE1.UNMAP.V1_PARTIAL",
               {"removed"},
               pair_ok,
               [=](const SmtValues& v) {
                 return type1("UNMAP.V1_PARTIAL", v1,
                              {map_req(v.at("m_iova"), v.at("m_size"), kPoolBase),
                               unmap_req(v.at("iova"), v.at("size"))});
               },
               [](const Scenario& s) {
                 return SmtValues{{"removed", b(last(s).ok() && last(s).mappings.empty())}};
               }});
  w.push_back({"VFIO.TYPE1.DIRTY",
               {"ok"},
               {"(= bytes (bvmul (bvudiv (bvadd npages (_ bv63 64)) (_ bv64 64)) (_ bv8 64)))",
                "(bvule npages #x0000000001000000)"},
               [=](const SmtValues& v) {
                 const ScenarioState st = make_state(Backend::Type1v2, Kernel::Linux6_12, "full64");
                 Request start;
                 start.method = Method::ContainerDirtyPages;
                 start.flags = kDirtyStart;
                 Request get = start;
                 get.flags = kDirtyGet;
                 get.iova = kDense;
                 get.size = v.at("npages") * 0x1000;
                 return type1("DIRTY", st, {start, get});
               },
               [](const Scenario& s) {
                 return SmtValues{{"ok", b(last(s).ok())}};
               }});
  w.push_back(
      {"VFIO.DMA.EFFECT",
       {"landed"},
       {"(= (bvand a #x0000000000000007) (_ bv0 64))", "(bvult a #x000000000ffffff8)", aligned("m_iova"),
        aligned("m_size"), "(not (= m_size (_ bv0 64)))", "(bvule m_size #x0000000000100000)",
        "(bvule (bvadd m_iova m_size) #x0000000010000000)", "(bvuge m_iova #x0000000000001000)"},
       [=](const SmtValues& v) {
         const ScenarioState st = make_state(Backend::Type1v2, Kernel::Linux6_12, "intel-vtd-aw39");
         Request probe;
         probe.method = Method::DmaWrite;
         probe.iova = v.at("a");
         probe.len = 8;
         return type1("DMA.EFFECT", st,
                      {map_req(v.at("m_iova"), v.at("m_size"), kPoolBase,
                               v.at("perm") ? kMapRead | kMapWrite : kMapRead),
                       probe});
       },
       [](const Scenario& s) {
         return SmtValues{{"landed", b(last(s).dma == DmaResult::Landed)}};
       }});
  const ScenarioState fd = make_state(Backend::Iommufd, Kernel::Linux6_18, "full64");
  auto iommufd = [=](const std::string& tag, std::vector<Request> ops, bool attach = false) {
    std::vector<Request> all = prefix(fd, attach);
    all.insert(all.end(), ops.begin(), ops.end());
    return run(tag, fd, all);
  };
  auto ioas_map = [](uint32_t flags, uint64_t iova, uint64_t length, uint64_t uptr) {
    Request r;
    r.method = Method::IoasMap;
    r.flags = flags;
    r.iova = iova;
    r.length = length;
    r.vaddr = uptr - kPoolBase;
    return r;
  };
  w.push_back({"VFIO.IOMMUFD.IOAS.MAP.FLAGS",
               {"err"},
               {"(bvule length #x0000000000100000)", "(not (= length (_ bv0 64)))"},
               [=](const SmtValues& v) {
                 return iommufd("IOAS.MAP.FLAGS", {ioas_map(static_cast<uint32_t>(v.at("flags")),
                                                            v.at("iova"), v.at("length"), kPoolBase)});
               },
               [](const Scenario& s) {
                 const Outcome& o = last(s);
                 if (o.ok() || o.clauses.contains(Clause::IOMMUFD_IOAS_MAP_FIXED) ||
                     o.clauses.contains(Clause::IOMMUFD_IOAS_MAP_AUTO))
                   return SmtValues{{"err", 0}};
                 return SmtValues{{"err", o.err == Errno::OPNOTSUPP  ? 1u
                                          : o.err == Errno::OVERFLOW ? 2u
                                          : o.err == Errno::INVAL    ? 3u
                                                                     : 0u}};
               }});
  w.push_back({"VFIO.IOMMUFD.IOAS.MAP.FIXED",
               {"overflow"},
               {"(bvule length #x0000010000000000)", "(bvult iova #xffffffffffffffff)"},
               [=](const SmtValues& v) {
                 return iommufd("IOAS.MAP.FIXED", {ioas_map((kIoasFixed | kIoasReadable | kIoasWriteable),
                                                            v.at("iova"), v.at("length"), kPoolBase)});
               },
               [](const Scenario& s) {
                 return SmtValues{{"overflow", b(last(s).err == Errno::OVERFLOW &&
                                                 last(s).clauses.contains(Clause::IOMMUFD_IOAS_MAP_FIXED))}};
               }});
  w.push_back({"VFIO.IOMMUFD.IOAS.MAP.AUTO",
               {"iova", "ok"},
               {"(bvuge uptr #x0000100000000000)", "(bvult uptr #x0000100004000000)"},
               [=](const SmtValues& v) {
                 return iommufd("IOAS.MAP.AUTO",
                                {ioas_map(kIoasReadable | kIoasWriteable, 0, 0x1000, v.at("uptr"))});
               },
               [](const Scenario& s) {
                 return SmtValues{{"iova", last(s).iova.value_or(0)}, {"ok", b(last(s).ok())}};
               }});
  w.push_back({"VFIO.IOMMUFD.IOAS.UNMAP",
               {"enoent"},
               {nowrap("iova", "length"), nowrap("a_iova", "a_len"), "(bvule a_len #x0000010000000000)",
                "(bvult a_iova #xffffffffffffffff)", "(bvult length #xffffffffffffffff)",
                "(bvult iova #xffffffffffffffff)",
                "(bvult (bvadd a_iova (bvsub a_len (_ bv1 64))) #xffffffffffffffff)"},
               [=](const SmtValues& v) {
                 Request u;
                 u.method = Method::IoasUnmap;
                 u.iova = v.at("iova");
                 u.length = v.at("length");
                 return iommufd("IOAS.UNMAP", {ioas_map((kIoasFixed | kIoasReadable | kIoasWriteable),
                                                        v.at("a_iova"), v.at("a_len"), kPoolBase),
                                               u});
               },
               [](const Scenario& s) {
                 return SmtValues{{"enoent", b(last(s).err == Errno::NOENT)}};
               }});
  w.push_back({"VFIO.IOMMUFD.IOAS.ALLOW_IOVAS",
               {"bad"},
               {},
               [=](const SmtValues& v) {
                 Request a;
                 a.method = Method::IoasAllowIovas;
                 a.ranges = {{v.at("start"), v.at("last")}};
                 return iommufd("IOAS.ALLOW_IOVAS", {a});
               },
               [](const Scenario& s) {
                 return SmtValues{{"bad", b(last(s).err == Errno::INVAL)}};
               }});
  w.push_back(
      {"VFIO.IOMMUFD.IOAS.IOVA_RANGES",
       {"num", "emsgsize"},
       {"(bvule capacity #x00000008)"},
       [=](const SmtValues& v) {
         const ScenarioState st = make_state(Backend::Iommufd, Kernel::Linux6_18, "intel-vtd-aw39");
         Request q;
         q.method = Method::IoasIovaRanges;
         q.capacity = static_cast<uint32_t>(v.at("capacity"));
         std::vector<Request> all = prefix(st, true);
         all.push_back(q);
         return run("IOAS.IOVA_RANGES", st, all);
       },
       [](const Scenario& s) {
         return SmtValues{{"num", last(s).num.value_or(0)}, {"emsgsize", b(last(s).err == Errno::MSGSIZE)}};
       }});
  const ScenarioState sva = make_state(Backend::Iommufd, Kernel::Linux6_18, "intel-vtd-aw39");
  auto fault_then = [=](const std::string& tag, Request respond) {
    std::vector<Request> all = prefix(sva, true, true);
    Request rq;
    rq.method = Method::IopfRequest;
    rq.dev = 0;
    rq.pasid = 1;
    rq.grpid = 7;
    rq.addr = 0x1000;
    rq.perm = kPermR;
    rq.last = true;
    Request rd;
    rd.method = Method::IopfRead;
    rd.fault = 3;
    rd.max = 8;
    all.push_back(rq);
    all.push_back(rd);
    all.push_back(respond);
    return run(tag, sva, all);
  };
  w.push_back({"VFIO.IOPF.RESPONSE",
               {"einval"},
               {},
               [=](const SmtValues& v) {
                 Request r;
                 r.method = Method::IopfRespond;
                 r.fault = 3;
                 r.cookie = v.at("known") ? 0 : 5;
                 r.code = static_cast<uint32_t>(v.at("code"));
                 return fault_then("IOPF.RESPONSE", r);
               },
               [](const Scenario& s) {
                 return SmtValues{{"einval", b(last(s).err == Errno::INVAL)}};
               }});
  w.push_back({"VFIO.IOPF.WRITE_SIZE",
               {"espipe"},
               {"(bvule bytes #x00000040)"},
               [=](const SmtValues& v) {
                 Request r;
                 r.method = Method::IopfRespond;
                 r.fault = 3;
                 r.bytes = static_cast<uint32_t>(v.at("bytes"));
                 return fault_then("IOPF.WRITE_SIZE", r);
               },
               [](const Scenario& s) {
                 return SmtValues{{"espipe", b(last(s).err == Errno::SPIPE)}};
               }});
  return w;
}

}  // namespace

const std::vector<Witness>& witnesses() {
  static const std::vector<Witness> kWitnesses = make();
  return kWitnesses;
}

SmtValues model_values(const Witness& w, const SmtValues& inputs) {
  SmtValues all = inputs;
  for (const auto& [k, v] : w.read(w.build(inputs))) all[k] = v;
  return all;
}

std::vector<Scenario> boundary_scenarios(const std::string& spec_file) {
  const ClauseFile file = load_clause_file(spec_file);
  std::vector<Scenario> out;
  std::map<std::string, unsigned> serial;
  for (const Witness& w : witnesses()) {
    const ClauseInfo* c = file.find(w.clause);
    if (c == nullptr || c->smt.empty())
      throw InputError(spec_file + ": clause " + w.clause + " has no predicate");
    std::vector<SmtField> fields;
    for (const ClauseField& f : c->fields) fields.push_back({f.name, f.width});
    const SmtPredicate pred(fields, c->smt, spec_file + ": " + w.clause);
    // For each output field and each value it can take (1-bit: both; wider: a few), up to 3 distinct inputs.
    for (const std::string& out_field : w.outputs) {
      unsigned width = 0;
      for (const SmtField& f : fields)
        if (f.name == out_field) width = f.width;
      if (width > 3) continue;  // wide outputs (chosen IOVA, counts) are read, not aimed at
      for (uint64_t value = 0; value < (uint64_t{1} << width); ++value) {
        std::vector<std::string> extra = w.assumptions;
        extra.push_back("(= " + out_field + " " + bv_literal(value, width) + ")");
        for (const SmtValues& sol : pred.enumerate(true, 3, extra, 1)) {
          SmtValues inputs;
          for (const SmtField& f : fields)
            if (std::find(w.outputs.begin(), w.outputs.end(), f.name) == w.outputs.end())
              inputs[f.name] = sol.at(f.name);
          Scenario s = w.build(inputs);
          s.id = "vfio-boundary-" + w.clause + "-" + std::to_string(serial[w.clause]++);
          out.push_back(std::move(s));
        }
      }
    }
  }
  return out;
}

}  // namespace vipcts::vfio::gen

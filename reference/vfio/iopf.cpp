// I/O page faults: page request groups and the iommufd fault queue (reference only: no Debian kernel builds
// iommufd). Sources: PCIe Base r6 §10.4 (PRI); drivers/iommu/io-pgfault.c (iommu_report_device_fault,
// iopf_group_response, iopf_queue_remove_device); drivers/iommu/iommufd/fault.c (fops read/write,
// iommufd_auto_response_faults); include/uapi/linux/iommufd.h (iommu_hwpt_pgfault, iommu_hwpt_page_response).
#include <stdexcept>
#include <string>

#include "model.hpp"

namespace vipcts::vfio {

namespace {
constexpr uint32_t kResponseSize = 8;  // struct iommu_hwpt_page_response {u32 cookie; u32 code;}
constexpr uint32_t kInvalid = 1;
}  // namespace

Outcome Model::iopf_alloc_queue() {
  const int h = new_handle(ObjKind::Fault);
  queues_[h];
  Outcome o;
  o.fault = h;
  o.clauses.add(Clause::IOPF_GROUP);
  return o;
}

Outcome Model::iopf_attach(const Request& r) {
  check_group(r.dev, "iopf.attach: device");
  Outcome o;
  o.clauses.add(Clause::IOPF_GROUP);
  if (!is(r.fault, ObjKind::Fault)) {
    Outcome f = Outcome::fail(Errno::NOENT);
    f.clauses.add(Clause::IOPF_GROUP);
    return f;
  }
  iopf_devices_[r.dev].queue = r.fault;
  return o;
}

Outcome Model::iopf_request(const Request& r) {
  check_group(r.dev, "iopf.request: device");
  Outcome o;
  o.responses.emplace();
  o.queued = 0;
  IopfDevice& d = iopf_devices_[r.dev];
  if (r.method == Method::IopfStopMarker) {
    // A Stop Marker (L=1, R=W=0) is never answered and never reaches the queue.
    o.clauses.add(Clause::IOPF_STOP_MARKER);
    return o;
  }
  o.clauses.add(Clause::IOPF_GROUP);
  const Fault f{r.dev, r.pasid, r.grpid, r.perm, r.addr, r.last};
  if (!r.last) {
    d.partial.push_back(f);  // waits for the last request of its group
    return o;
  }
  // The last request collects the partial requests with the same group index; Linux does not compare the
  // PASID (a mismatch is undefined in PCIe, accepted here).
  FaultGroup g;
  std::vector<Fault> keep;
  for (const Fault& p : d.partial) (p.grpid == r.grpid ? g.faults : keep).push_back(p);
  d.partial = std::move(keep);
  g.faults.push_back(f);
  if (d.queue < 0 || !is(d.queue, ObjKind::Fault)) {
    // No handler: the group is answered INVALID at once and its partial requests are dropped.
    o.clauses.add(Clause::IOPF_RESPONSE);
    o.responses->push_back(PageResponse{r.dev, r.pasid, r.grpid, kInvalid});
    return o;
  }
  o.queued = static_cast<uint32_t>(g.faults.size());
  queues_[d.queue].deliver.push_back(std::move(g));
  return o;
}

Outcome Model::iopf_read(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOPF_GROUP);
  if (!is(r.fault, ObjKind::Fault)) {
    Outcome f = Outcome::fail(Errno::NOENT);
    f.clauses.add(Clause::IOPF_GROUP);
    return f;
  }
  FaultQueue& q = queues_[r.fault];
  o.faults.emplace();
  // Whole groups only, in delivery order; each gets the lowest free cookie as it is read.
  size_t taken = 0;
  while (!q.deliver.empty() && o.faults->size() + q.deliver.front().faults.size() <= r.max) {
    uint32_t cookie = 0;
    while (q.response.count(cookie)) ++cookie;
    FaultGroup g = std::move(q.deliver.front());
    q.deliver.erase(q.deliver.begin());
    for (const Fault& f : g.faults)
      o.faults->push_back(FaultRecord{f.dev, f.pasid, f.grpid, f.perm, cookie, f.addr, f.last});
    q.response[cookie] = std::move(g);
    ++taken;
  }
  o.ret = static_cast<int64_t>(o.faults->size());
  return o;
}

Outcome Model::iopf_respond(const Request& r) {
  Outcome o;
  o.clauses.add(Clause::IOPF_RESPONSE);
  auto fail = [](Errno e, Clause c) { return Outcome::fail(e, c); };
  if (!is(r.fault, ObjKind::Fault)) return fail(Errno::NOENT, Clause::IOPF_RESPONSE);
  // write(): whole responses only, at offset 0.
  if (r.bytes % kResponseSize != 0) return fail(Errno::SPIPE, Clause::IOPF_WRITE_SIZE);
  o.responses.emplace();
  if (r.bytes == 0) {
    o.clauses.add(Clause::IOPF_WRITE_SIZE);
    o.ret = 0;
    return o;
  }
  // SUCCESS (0) and INVALID (1) only: FAILURE would stop the device's PRI for good.
  if (r.code > 1) return fail(Errno::INVAL, Clause::IOPF_RESPONSE);
  FaultQueue& q = queues_[r.fault];
  auto it = q.response.find(r.cookie);
  if (it == q.response.end())
    return fail(Errno::INVAL, Clause::IOPF_RESPONSE);  // unknown or already answered
  const Fault& last = it->second.faults.back();
  o.responses->push_back(PageResponse{last.dev, last.pasid, last.grpid, r.code});
  q.response.erase(it);
  o.ret = kResponseSize;
  return o;
}

Outcome Model::iopf_remove_device(const Request& r) {
  check_group(r.dev, "iopf.remove_device: device");
  Outcome o;
  o.clauses.add(Clause::IOPF_REMOVE_DEVICE);
  o.responses.emplace();
  IopfDevice& d = iopf_devices_[r.dev];
  d.partial.clear();
  if (d.queue >= 0 && queues_.count(d.queue)) {
    FaultQueue& q = queues_[d.queue];
    // iommufd_auto_response_faults(): unread groups first, moved to a local list head-first (so answered in
    // reverse arrival order), then read-but-unanswered ones by cookie.
    std::vector<FaultGroup> keep;
    std::vector<PageResponse> unread;
    for (FaultGroup& g : q.deliver) {
      if (g.faults.back().dev != r.dev) {
        keep.push_back(std::move(g));
        continue;
      }
      const Fault& l = g.faults.back();
      unread.insert(unread.begin(), PageResponse{l.dev, l.pasid, l.grpid, kInvalid});
    }
    q.deliver = std::move(keep);
    o.responses->insert(o.responses->end(), unread.begin(), unread.end());
    for (auto it = q.response.begin(); it != q.response.end();) {
      const Fault& l = it->second.faults.back();
      if (l.dev != r.dev) {
        ++it;
        continue;
      }
      o.responses->push_back(PageResponse{l.dev, l.pasid, l.grpid, kInvalid});
      it = q.response.erase(it);
    }
  }
  d.queue = -1;
  return o;
}

}  // namespace vipcts::vfio

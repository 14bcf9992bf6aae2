#include "permissions.hpp"

namespace vipcts::smmu {

S1AccessRights s1_access_rights(unsigned ap, const TablePermissions& table, bool pxn, bool uxn) {
  S1AccessRights r;
  // Leaf AP[2:1]: AP[2] (ap bit 1) = read-only, AP[1] (ap bit 0) = EL0 access.
  const bool read_only = (ap & 2) != 0;
  const bool el0 = (ap & 1) != 0;
  r.pr = true;
  r.pw = !read_only;
  r.ur = el0;
  r.uw = el0 && !read_only;
  // APTable[0] removes EL0 access, APTable[1] removes write access (J1.1 S1DirectBasePermissions).
  if (table.ap_table & 1) r.ur = r.uw = false;
  if (table.ap_table & 2) r.pw = r.uw = false;
  // Locations writable by EL0 are never executable at EL1.
  r.px = !(pxn || table.pxn_table || r.uw);
  r.ux = !(uxn || table.uxn_table);
  return r;
}

bool s1_data_permission_fault(const S1AccessRights& rights, bool write, bool privileged, bool pan) {
  bool r = privileged ? rights.pr : rights.ur;
  bool w = privileged ? rights.pw : rights.uw;
  // PAN: a privileged data access to a location EL0 can read or write is denied (EPAN not modelled).
  if (privileged && pan && (rights.ur || rights.uw)) r = w = false;
  return write ? !w : !r;
}

bool s1_execute_permission_fault(const S1AccessRights& rights, bool privileged, bool wxn) {
  const bool w = privileged ? rights.pw : rights.uw;
  bool x = privileged ? rights.px : rights.ux;
  if (wxn && w) x = false;
  return !x;
}

}  // namespace vipcts::smmu

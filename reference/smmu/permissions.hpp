// Stage-1 direct permissions for an EL1&0 (NS-EL1 StreamWorld) regime: Arm DDI 0487 M.a.a J1.1
// AArch64.S1DirectBasePermissions and AArch64.S1ApplyTablePerms; SMMU specifics from Arm IHI 0070 G.b §5.4
// (WXN, UWXN IGNORED for VMSAv8-64, PAN) and §13.7 (a non-ATS instruction fetch to an execute-only page
// succeeds: execution does not need read permission).
#pragma once

#include <cstdint>

#include "transaction.hpp"

namespace vipcts::smmu {

// Hierarchical controls gathered from the table descriptors of one walk (ORed level by level).
struct TablePermissions {
  unsigned ap_table = 0;  // APTable[1:0]: [0] no EL0 access, [1] read-only
  bool uxn_table = false;
  bool pxn_table = false;
};

struct S1AccessRights {
  bool pr = false, pw = false, px = false;  // privileged
  bool ur = false, uw = false, ux = false;  // unprivileged
};

// Rights of a leaf with AP[2:1] = ap, combined with the table controls. PAN is not applied here.
S1AccessRights s1_access_rights(unsigned ap, const TablePermissions& table, bool pxn, bool uxn);

// Whether a data access (read or write) faults: AP/APTable, with PAN (CD.PAN) removing privileged data access
// to EL0-accessible locations.
bool s1_data_permission_fault(const S1AccessRights& rights, bool write, bool privileged, bool pan);

// Whether an instruction fetch faults: PXN/UXN(+Table), EL0-writable implies PXN, and WXN makes a location
// writable at the access's privilege non-executable.
bool s1_execute_permission_fault(const S1AccessRights& rights, bool privileged, bool wxn);

}  // namespace vipcts::smmu

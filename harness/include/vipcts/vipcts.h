/*
 * vipcts implementation ABI, version 1. The contract is docs/implementing.md.
 *
 * An implementation is a shared object exporting vipcts_entry(). vipcts loads it with dlopen in a separate host
 * process (so a crash or hang in the implementation is contained), asks it which suites and features it claims,
 * then asks for each suite's operation table (e.g. vipcts_smmu.h). Only C types cross this boundary.
 */
#ifndef VIPCTS_VIPCTS_H
#define VIPCTS_VIPCTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIPCTS_ABI_VERSION 1u

typedef struct vipcts_implementation {
  /* VIPCTS_ABI_VERSION the implementation was built against. */
  uint32_t abi_version;
  /* Short identifier and free-form version, e.g. "my-smmu" and "1.4.2". */
  const char *name;
  const char *version;
  /* NULL-terminated list of claimed features, e.g. {"smmu.s1", "smmu.httu.af", NULL}. A vector that needs a
   * feature not listed here is reported as not applicable, never as failed. */
  const char *const *features;
  /* Behaviour profile the implementation declares (NULL = the suite's default). */
  const char *profile;
  /* The operation table of a suite ("smmu" -> const vipcts_smmu_ops *), or NULL if the suite is not implemented
   * or suite_abi_version is not supported. */
  const void *(*suite)(const char *suite_name, uint32_t suite_abi_version);
} vipcts_implementation;

/* The one exported symbol. host_abi_version is the host's VIPCTS_ABI_VERSION; return NULL if unsupported. */
typedef const vipcts_implementation *(*vipcts_entry_fn)(uint32_t host_abi_version);
#define VIPCTS_ENTRY_SYMBOL "vipcts_entry"

#ifdef __cplusplus
}
#endif

#endif /* VIPCTS_VIPCTS_H */

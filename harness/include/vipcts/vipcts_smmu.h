/*
 * vipcts SMMU suite ABI, version 1 (see docs/implementing.md, "Suite smmu").
 *
 * Per scenario the host calls open() once with the memory image and registers, then translate() once per
 * transaction in order (state such as Access-flag updates carries over between them), then close().
 */
#ifndef VIPCTS_VIPCTS_SMMU_H
#define VIPCTS_VIPCTS_SMMU_H

#include "vipcts.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIPCTS_SMMU_ABI_VERSION 1u

typedef struct vipcts_mem_word {
  uint64_t addr; /* 8-byte aligned physical address */
  uint64_t value;
} vipcts_mem_word;

typedef struct vipcts_smmu_state {
  /* ID registers SMMU_IDR0..IDR5 (index = register number) and the programmed registers. */
  uint32_t idr[6];
  uint32_t cr0;
  uint32_t cr2;
  uint32_t gbpa;
  uint64_t strtab_base;
  uint32_t strtab_base_cfg;
  /* Initial memory: every word not listed is zero. Valid only during open(); copy what you keep. */
  const vipcts_mem_word *mem;
  size_t mem_count;
} vipcts_smmu_state;

enum vipcts_smmu_access { VIPCTS_SMMU_READ = 0, VIPCTS_SMMU_WRITE = 1, VIPCTS_SMMU_EXEC = 2 };

typedef struct vipcts_smmu_txn {
  uint32_t sid;
  uint32_t ssid;
  uint8_t ssv;
  uint8_t access; /* enum vipcts_smmu_access */
  uint8_t privileged;
  uint64_t iova;
} vipcts_smmu_txn;

/* VIPCTS_SMMU_STALLED (added, ABI version unchanged: older plugins never return it): a Translation-related
 * fault under the Stall model (CD.S or STE.S2S = 1); the event is always recorded, with event.stall = 1, and
 * `termination` is unused. */
enum vipcts_smmu_status { VIPCTS_SMMU_TRANSLATED = 0, VIPCTS_SMMU_TERMINATED = 1, VIPCTS_SMMU_STALLED = 2 };
enum vipcts_smmu_termination { VIPCTS_SMMU_ABORT = 0, VIPCTS_SMMU_RAZ_WI = 1 };
enum vipcts_smmu_class { VIPCTS_SMMU_CLASS_CD = 0, VIPCTS_SMMU_CLASS_TT = 1, VIPCTS_SMMU_CLASS_IN = 2 };

typedef struct vipcts_smmu_event {
  uint8_t type; /* event number, e.g. 0x10 = F_TRANSLATION */
  uint8_t ssv;
  uint8_t rnw; /* 1 = read */
  uint8_t ind;
  uint8_t pnu;
  uint8_t s2;
  uint8_t event_class; /* enum vipcts_smmu_class */
  uint8_t stall;       /* the record's Stall bit; added in the padding before sid: layout and ABI version
                        * unchanged, the host zero-fills it. STAG is not reported (IMPLEMENTATION SPECIFIC). */
  uint32_t sid;
  uint32_t ssid;
  uint64_t input_addr;
} vipcts_smmu_event;

#define VIPCTS_SMMU_MAX_UPDATES 4

typedef struct vipcts_smmu_outcome {
  uint8_t status;      /* enum vipcts_smmu_status */
  uint8_t termination; /* enum vipcts_smmu_termination, when terminated */
  uint8_t has_event;   /* an event record was written to the event queue */
  uint8_t mair_attr;   /* when translated: MAIR byte selected by AttrIndx */
  uint8_t sh;          /* when translated: shareability */
  uint8_t pbha;        /* when translated: PBHA[3:0] output with the access (0 if none enabled); added in the
                        * padding before oa: layout and ABI version unchanged, the host zero-fills it */
  uint64_t oa;         /* when translated: output address */
  vipcts_smmu_event event;
  /* Descriptors the SMMU wrote back (HTTU), with their new value. */
  uint32_t update_count;
  vipcts_mem_word updates[VIPCTS_SMMU_MAX_UPDATES];
  /* Added at the end (ABI version unchanged: the host zero-fills the struct, older plugins leave it 0 and claim
   * no stage-2 feature): the event's IPA field, IPA[55:12], for stage-2 faults (event.s2 = 1). */
  uint64_t event_ipa;
} vipcts_smmu_outcome;

typedef struct vipcts_smmu_ops {
  /* Returns an opaque context, or NULL if the state cannot be loaded. */
  void *(*open)(const vipcts_smmu_state *state);
  /* Fills *out; returns 0, or non-zero if the implementation cannot answer (reported as an error verdict). */
  int (*translate)(void *ctx, const vipcts_smmu_txn *txn, vipcts_smmu_outcome *out);
  void (*close)(void *ctx);
} vipcts_smmu_ops;

#ifdef __cplusplus
}
#endif

#endif /* VIPCTS_VIPCTS_SMMU_H */

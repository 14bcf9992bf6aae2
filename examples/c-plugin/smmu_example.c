/*
 * vipcts example implementation: an SMMUv3 stage-1 translator (4 KB granule) behind the vipcts C ABI
 * (harness/include/vipcts/vipcts.h, vipcts_smmu.h; contract in docs/implementing.md).
 *
 * Written from the Arm SMMUv3 specification (Arm IHI 0070 G.b) and the Arm ARM (DDI 0487 M.a.a),
 * independently of reference/smmu/, so that it is a second opinion: where the two disagree, one of them is
 * wrong.
 *
 * Planted bugs, for testing the harness (environment variable VIPCTS_EXAMPLE_BUG):
 *   start-level  the walk starts one level too deep when T0SZ/T1SZ >= 34
 *   af-ignored   a descriptor with AF == 0 never gives F_ACCESS
 *   crash        SIGSEGV on the 5th translate of the process
 *   hang         endless loop on the 5th translate of the process
 * crash and hang fire once per run: see fire_once().
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vipcts/vipcts.h"
#include "vipcts/vipcts_smmu.h"

#define EXPORT __attribute__((visibility("default")))

/* ---- bit helpers: x[hi:lo] as the specifications write fields ---- */

static uint64_t field(uint64_t x, unsigned hi, unsigned lo) {
  const unsigned width = hi - lo + 1;
  const uint64_t m = width >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << width) - 1);
  return (x >> lo) & m;
}
static bool bit(uint64_t x, unsigned n) {
  return ((x >> n) & 1) != 0;
}
static uint64_t ones(unsigned hi, unsigned lo) {
  return field(~UINT64_C(0), hi - lo, 0) << lo;
}

/* ---- sparse memory: 64-bit words at 8-byte aligned addresses, everything else zero ---- */

typedef struct memory {
  uint64_t* keys; /* addr | 1, 0 = empty slot (addresses are 8-byte aligned, so bit 0 is free) */
  uint64_t* values;
  size_t capacity; /* power of two */
  size_t count;
} memory;

static size_t slot_of(const memory* m, uint64_t addr) {
  uint64_t h = (addr >> 3) * UINT64_C(0x9E3779B97F4A7C15);
  size_t i = (size_t)(h >> 17) & (m->capacity - 1);
  while (m->keys[i] != 0 && m->keys[i] != (addr | 1)) i = (i + 1) & (m->capacity - 1);
  return i;
}

static bool memory_init(memory* m, size_t expected) {
  m->capacity = 64;
  while (m->capacity < expected * 2 + 16) m->capacity *= 2;
  m->count = 0;
  m->keys = calloc(m->capacity, sizeof(uint64_t));
  m->values = calloc(m->capacity, sizeof(uint64_t));
  return m->keys != NULL && m->values != NULL;
}

static void memory_free(memory* m) {
  free(m->keys);
  free(m->values);
}

static bool memory_write(memory* m, uint64_t addr, uint64_t value) {
  if ((m->count + 1) * 2 > m->capacity) {
    memory bigger = {0};
    bigger.capacity = m->capacity * 2;
    bigger.keys = calloc(bigger.capacity, sizeof(uint64_t));
    bigger.values = calloc(bigger.capacity, sizeof(uint64_t));
    if (bigger.keys == NULL || bigger.values == NULL) {
      memory_free(&bigger);
      return false;
    }
    for (size_t i = 0; i < m->capacity; ++i) {
      if (m->keys[i] == 0) continue;
      size_t j = slot_of(&bigger, m->keys[i] & ~UINT64_C(1));
      bigger.keys[j] = m->keys[i];
      bigger.values[j] = m->values[i];
      bigger.count++;
    }
    memory_free(m);
    *m = bigger;
  }
  size_t i = slot_of(m, addr);
  if (m->keys[i] == 0) m->count++;
  m->keys[i] = addr | 1;
  m->values[i] = value;
  return true;
}

static uint64_t memory_read(const memory* m, uint64_t addr) {
  size_t i = slot_of(m, addr & ~UINT64_C(7));
  return m->keys[i] != 0 ? m->values[i] : 0;
}

/* ---- planted bugs ---- */

enum bug { BUG_NONE, BUG_START_LEVEL, BUG_AF_IGNORED, BUG_CRASH, BUG_HANG };

static enum bug selected_bug(void) {
  const char* b = getenv("VIPCTS_EXAMPLE_BUG");
  if (b == NULL) return BUG_NONE;
  if (strcmp(b, "start-level") == 0) return BUG_START_LEVEL;
  if (strcmp(b, "af-ignored") == 0) return BUG_AF_IGNORED;
  if (strcmp(b, "crash") == 0) return BUG_CRASH;
  if (strcmp(b, "hang") == 0) return BUG_HANG;
  return BUG_NONE;
}

/* The process that runs us, skipping a /bin/sh -c wrapper (dash does not exec the last command), identified
 * by pid and start time so that a recycled pid is a different run. */
static void run_key(char* key, size_t size) {
  long pid = (long)getppid();
  for (int hop = 0; hop < 3; ++hop) {
    char path[64], comm[64] = "", stat[1024];
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    FILE* f = fopen(path, "r");
    if (f == NULL) break;
    if (fgets(comm, sizeof comm, f) == NULL) comm[0] = '\0';
    fclose(f);
    comm[strcspn(comm, "\n")] = '\0';
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (f == NULL) break;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char* rest = strrchr(stat, ')'); /* fields after "(comm)": state ppid ... starttime is the 20th */
    if (rest == NULL) break;
    long ppid = 0;
    unsigned long long start = 0;
    if (sscanf(rest + 1, " %*c %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
               &ppid, &start) != 2)
      break;
    if (strcmp(comm, "sh") == 0 || strcmp(comm, "dash") == 0 || strcmp(comm, "bash") == 0) {
      pid = ppid;
      continue;
    }
    snprintf(key, size, "%ld-%llu", pid, start);
    return;
  }
  snprintf(key, size, "%ld", pid);
}

/*
 * A crash or hang must fire once per run, not once per process: after it, vipcts restarts the implementation,
 * re-opens the scenario and replays its earlier operations, and a bug that fired again on every 5th translate
 * would take every later scenario with it. A marker file records that it fired: VIPCTS_EXAMPLE_STATE names
 * it; by default it is keyed by the vipcts process that runs us (see run_key).
 */
static bool fire_once(const char* bug_name) {
  char path[512];
  const char* state = getenv("VIPCTS_EXAMPLE_STATE");
  if (state != NULL && state[0] != '\0') {
    snprintf(path, sizeof path, "%s.%s", state, bug_name);
  } else {
    char key[96];
    run_key(key, sizeof key);
    const char* tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/vipcts-example-%s.%s", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", key,
             bug_name);
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return false; /* already fired in this run (or cannot tell: do not fire) */
  close(fd);
  return true;
}

/* ---- the SMMU ---- */

typedef struct smmu {
  uint32_t idr[6];
  uint32_t cr0, cr2, gbpa, strtab_base_cfg;
  uint64_t strtab_base;
  memory mem;
  enum bug bug;
} smmu;

static unsigned long translate_count; /* per process, for the crash/hang bugs */

/* IDR5.OAS and CD.IPS encodings (IHI 0070 G.b §6.3.6, §5.4 CD.IPS); reserved encodings behave as 52 bits. */
static unsigned size_bits(unsigned encoding) {
  static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 52, 52};
  return bits[encoding & 7];
}

enum event_type {
  C_BAD_STREAMID = 0x02,
  C_BAD_STE = 0x04,
  C_BAD_SUBSTREAMID = 0x08,
  C_BAD_CD = 0x0A,
  F_TRANSLATION = 0x10,
  F_ADDR_SIZE = 0x11,
  F_ACCESS = 0x12,
  F_PERMISSION = 0x13,
};

/* Terminate with an abort and (if record) an event naming the transaction (IHI 0070 §7.3: RnW = 1 for reads
 * and instruction fetches, InD for instruction fetches, PnU for privileged; stage-1 faults are S2 = 0, CLASS
 * = IN). */
static void terminate(vipcts_smmu_outcome* out, const vipcts_smmu_txn* txn, unsigned type, bool record) {
  memset(out, 0, sizeof *out);
  out->status = VIPCTS_SMMU_TERMINATED;
  out->termination = VIPCTS_SMMU_ABORT;
  out->has_event = record;
  if (!record) return;
  out->event.type = (uint8_t)type;
  out->event.sid = txn->sid;
  out->event.ssv = txn->ssv;
  out->event.ssid = txn->ssid;
  out->event.input_addr = txn->iova; /* as presented: TBI does not strip it (§3.4.1) */
  out->event.rnw = txn->access != VIPCTS_SMMU_WRITE;
  out->event.ind = txn->access == VIPCTS_SMMU_EXEC;
  out->event.pnu = txn->privileged != 0;
  out->event.s2 = 0;
  out->event.event_class = VIPCTS_SMMU_CLASS_IN;
}

static void pass_through(vipcts_smmu_outcome* out, uint64_t oa) {
  memset(out, 0, sizeof *out);
  out->status = VIPCTS_SMMU_TRANSLATED;
  out->oa = oa;
}

/* The decoded CD (IHI 0070 §5.4), only what a 4 KB VMSAv8-64 stage 1 uses. */
typedef struct cd {
  uint64_t w[4];
  unsigned tsz[2], tg[2];
  bool epd[2], tbi[2], had[2];
  uint64_t ttb[2];
  bool v, aa64, affd, wxn, pan, hd, ha, s, r, a;
  unsigned ips;
  uint64_t mair; /* {MAIR1, MAIR0} */
} cd;

static cd decode_cd(const memory* mem, uint64_t addr) {
  cd c;
  for (unsigned i = 0; i < 4; ++i) c.w[i] = memory_read(mem, addr + 8 * i);
  const uint64_t w0 = c.w[0];
  c.tsz[0] = (unsigned)field(w0, 5, 0);
  c.tg[0] = (unsigned)field(w0, 7, 6);
  c.epd[0] = bit(w0, 14);
  c.tsz[1] = (unsigned)field(w0, 21, 16);
  c.tg[1] = (unsigned)field(w0, 23, 22);
  c.epd[1] = bit(w0, 30);
  c.v = bit(w0, 31);
  c.ips = (unsigned)field(w0, 34, 32);
  c.affd = bit(w0, 35);
  c.wxn = bit(w0, 36);
  c.tbi[0] = bit(w0, 38);
  c.tbi[1] = bit(w0, 39);
  c.pan = bit(w0, 40);
  c.aa64 = bit(w0, 41);
  c.hd = bit(w0, 42);
  c.ha = bit(w0, 43);
  c.s = bit(w0, 44);
  c.r = bit(w0, 45);
  c.a = bit(w0, 46);
  c.had[0] = bit(c.w[1], 65 - 64);
  c.ttb[0] = c.w[1] & ones(115 - 64, 68 - 64); /* TTB0[115:68] holds address bits [51:4] */
  c.had[1] = bit(c.w[2], 129 - 128);
  c.ttb[1] = c.w[2] & ones(179 - 128, 132 - 128); /* TTB1[179:132] */
  c.mair = c.w[3];                                /* MAIR0 [223:192], MAIR1 [255:224] */
  return c;
}

/* Effective stage-1 output size: MIN(CD.IPS, IDR5.OAS), and 52-bit only with 64 KB or DS, so 48 for 4 KB
 * (§5.4 CD.IPS; §3.4). */
static unsigned effective_ips(const smmu* s, const cd* c) {
  unsigned ips = size_bits(c->ips);
  unsigned oas = size_bits(s->idr[5] & 7);
  unsigned eff = ips < oas ? ips : oas;
  return eff > 48 ? 48 : eff;
}

typedef enum { CD_OK, CD_ILLEGAL, CD_UNMODELLED } cd_check;

/* CD ILLEGAL conditions (§5.4, §5.5) for the 4 KB VMSAv8-64 slice. */
static cd_check check_cd(const smmu* s, const cd* c) {
  const uint32_t idr0 = s->idr[0];
  if (!c->v) return CD_ILLEGAL;
  if (!c->aa64) return bit(idr0, 2) ? CD_UNMODELLED : CD_ILLEGAL;       /* VMSAv8-32 needs IDR0.TTF[0] */
  if (!bit(idr0, 3)) return CD_ILLEGAL;                                 /* VMSAv8-64 needs IDR0.TTF[1] */
  if (!bit(idr0, 12) && field(c->w[0], 63, 56) != 0) return CD_ILLEGAL; /* 8-bit ASIDs only (IDR0.ASID16) */
  /* ENDI against IDR0.TTENDIAN (§5.4 CD.ENDI): 0b10 little-endian only, 0b11 big-endian only. */
  const unsigned ttendian = (unsigned)field(idr0, 22, 21);
  const bool endi = bit(c->w[0], 15) && !(c->epd[0] && c->epd[1]);
  if ((ttendian == 2 && endi) || (ttendian == 3 && !endi)) return CD_ILLEGAL;
  const unsigned eff = effective_ips(s, c);
  for (unsigned x = 0; x < 2; ++x) {
    if (c->epd[x]) continue; /* TxSZ, TGx and TTBx are IGNORED when EPDx == 1 */
    if (c->tsz[x] < 16 || c->tsz[x] > 39) return CD_ILLEGAL;
    /* TG0: 00 4K, 01 64K, 10 16K, 11 reserved; TG1: 01 16K, 10 4K, 11 64K, 00 reserved. */
    const bool is4k = x == 0 ? c->tg[0] == 0 : c->tg[1] == 2;
    const bool reserved = x == 0 ? c->tg[0] == 3 : c->tg[1] == 0;
    if (reserved) return CD_ILLEGAL;
    if (is4k) {
      if (!bit(s->idr[5], 4)) return CD_ILLEGAL; /* GRAN4K */
    } else {
      const bool is64k = x == 0 ? c->tg[0] == 1 : c->tg[1] == 3;
      const bool supported = is64k ? bit(s->idr[5], 6) : bit(s->idr[5], 5);
      return supported ? CD_UNMODELLED : CD_ILLEGAL;
    }
    /* TTBx outside the effective IPS, or outside 48 bits for 4 KB without DS, is ILLEGAL (not F_ADDR_SIZE).
     */
    if (c->ttb[x] >> eff) return CD_ILLEGAL;
  }
  const unsigned httu = (unsigned)field(idr0, 7, 6);
  if (c->ha && httu == 0) return CD_ILLEGAL;
  if (c->hd && httu < 2) return CD_ILLEGAL;
  const unsigned stall_model = (unsigned)field(idr0, 25, 24);
  if (stall_model == 1 && c->s) return CD_ILLEGAL;  /* stall not supported */
  if (stall_model == 2 && !c->s) return CD_ILLEGAL; /* stall forced */
  if (bit(idr0, 26) && !c->a) return CD_ILLEGAL;    /* TERM_MODEL = 1: no RAZ/WI termination */
  if (endi) return CD_UNMODELLED;                   /* big-endian tables are not modelled */
  return CD_OK;
}

/* A translation-related stage-1 fault: CD.S == 1 stalls the transaction until CMD_RESUME/CMD_STALL_TERM and
 * always records the fault with Stall = 1 (§3.12.2); otherwise CD.R == 0 suppresses the record and CD.A == 0
 * terminates RAZ/WI (§5.5). */
static void s1_fault(vipcts_smmu_outcome* out, const vipcts_smmu_txn* txn, const cd* c, unsigned type) {
  terminate(out, txn, type, c->r || c->s);
  if (c->s) {
    out->status = VIPCTS_SMMU_STALLED;
    out->event.stall = 1;
    return;
  }
  if (!c->a) out->termination = VIPCTS_SMMU_RAZ_WI;
}

/* Stage-1 permissions, direct scheme, EL1&0 regime (Arm DDI 0487 J1.1 AArch64.S1DirectBasePermissions; IHI
 * 0070 §5.4 WXN/PAN). An instruction fetch needs execute permission only, not read: a read "requires Read or
 * Execute permission (depending on InD)" (IHI 0070 §3.22, §16.7), so execute-only pages can be fetched. */
static bool s1_permitted(const vipcts_smmu_txn* txn, const cd* c, uint64_t desc, unsigned ap_table,
                         bool uxn_table, bool pxn_table) {
  const unsigned ap = (unsigned)field(desc, 7, 6);
  bool pr = true, pw = !bit(ap, 1), ur = bit(ap, 0), uw = ap == 1;
  if (bit(ap_table, 0)) ur = uw = false; /* APTable[0]: no unprivileged access below */
  if (bit(ap_table, 1)) pw = uw = false; /* APTable[1]: no write access below */
  const bool pxn = bit(desc, 53) || pxn_table;
  const bool uxn = bit(desc, 54) || uxn_table;
  bool px = !(pxn || uw); /* locations writable by unprivileged cannot be executed by privileged */
  bool ux = !uxn;
  if (c->wxn) { /* WXN: writable implies execute-never */
    px = px && !pw;
    ux = ux && !uw;
  }
  bool r = txn->privileged ? pr : ur;
  bool w = txn->privileged ? pw : uw;
  if (txn->privileged && c->pan && ur) r = w = false; /* PAN: no privileged data access to EL0 data */
  const bool x = txn->privileged ? px : ux;
  switch (txn->access) {
    case VIPCTS_SMMU_WRITE:
      return w;
    case VIPCTS_SMMU_EXEC:
      return x;
    default:
      return r;
  }
}

/* Stage-1 4 KB walk from the selected TTB (Arm DDI 0487 J1.1 AArch64.S1Walk; IHI 0070 §3.4). */
static int s1_translate(smmu* s, const vipcts_smmu_txn* txn, const cd* c, vipcts_smmu_outcome* out) {
  const uint64_t va = txn->iova;
  /* VA[55] selects TTB0 or TTB1 (§3.4.1). */
  const unsigned x = bit(va, 55) ? 1 : 0;
  if (c->epd[x]) { /* a walk through a disabled TTB is a Translation fault (§5.4 EPDx) */
    s1_fault(out, txn, c, F_TRANSLATION);
    return 0;
  }
  const unsigned tsz = c->tsz[x];
  const unsigned n = 64 - tsz;
  /* VA[AddrTop:N] must be all zeros (TTB0) or all ones (TTB1), N = 64 - TxSZ the input size; AddrTop = 55
   * with TBI (§3.4.1; DDI 0487 J1.1 AArch64.S1Translate checks VA[top:inputsize]). */
  const unsigned addr_top = c->tbi[x] ? 55 : 63;
  const uint64_t top = field(va, addr_top, n);
  const uint64_t all_ones = field(~UINT64_C(0), addr_top - n, 0);
  if (top != (x ? all_ones : 0)) {
    s1_fault(out, txn, c, F_TRANSLATION);
    return 0;
  }
  const unsigned eff_ips = effective_ips(s, c);
  /* Start level for a 4 KB granule: 3 - floor((N - 1 - 12) / 9) (DDI 0487 J1.1 AArch64.S1StartLevel). */
  unsigned level = 3 - (n - 1 - 12) / 9;
  if (s->bug == BUG_START_LEVEL && tsz >= 34) level += 1; /* planted bug */
  const unsigned start = level;
  /* The starting-level table is aligned to its own size (§5.4 TTBx: low bits treated as zero). */
  const unsigned start_index_bits = n - (12 + 9 * (3 - start));
  uint64_t table = c->ttb[x] & ~ones(start_index_bits + 3 - 1, 0);
  const bool hierarchical = !(bit(s->idr[3], 2) && c->had[x]); /* HADx counts only with IDR3.HAD */
  unsigned ap_table = 0;
  bool uxn_table = false, pxn_table = false;
  for (;;) {
    const unsigned shift = 12 + 9 * (3 - level);
    const unsigned hi = level == start ? n - 1 : shift + 8;
    const uint64_t index = field(va, hi, shift);
    const uint64_t desc_addr = table + index * 8;
    const uint64_t desc = memory_read(&s->mem, desc_addr);
    if (!bit(desc, 0)) { /* invalid */
      s1_fault(out, txn, c, F_TRANSLATION);
      return 0;
    }
    if (bit(desc, 1) && level < 3) { /* table descriptor */
      const uint64_t next = desc & ones(47, 12);
      if (next >> eff_ips) { /* table address beyond the effective IPS (§5.4 CD.IPS) */
        s1_fault(out, txn, c, F_ADDR_SIZE);
        return 0;
      }
      if (hierarchical) {
        ap_table |= (unsigned)field(desc, 62, 61);
        uxn_table = uxn_table || bit(desc, 60);
        pxn_table = pxn_table || bit(desc, 59);
      }
      table = next;
      level++;
      continue;
    }
    /* Block (01) only at levels 1 and 2 for 4 KB without DS; 01 at level 3 is reserved (DDI 0487 D8.3). */
    if (!bit(desc, 1) && (level == 0 || level == 3)) {
      s1_fault(out, txn, c, F_TRANSLATION);
      return 0;
    }
    const uint64_t oa = (desc & ones(47, shift)) | field(va, shift - 1, 0);
    if (oa >> eff_ips) {
      s1_fault(out, txn, c, F_ADDR_SIZE);
      return 0;
    }
    /* Access flag: HA sets it (HTTU, §3.13); else AFFD treats it as 1; else F_ACCESS. AF before permission.
     */
    bool set_af = false;
    if (!bit(desc, 10)) {
      if (c->ha) {
        set_af = true;
      } else if (!c->affd && s->bug != BUG_AF_IGNORED) {
        s1_fault(out, txn, c, F_ACCESS);
        return 0;
      }
    }
    if (!s1_permitted(txn, c, desc, ap_table, uxn_table, pxn_table)) {
      s1_fault(out, txn, c, F_PERMISSION); /* whether AF is set now is UNKNOWN: we do not set it */
      return 0;
    }
    pass_through(out, oa);
    out->mair_attr =
        (uint8_t)field(c->mair, 8 * (unsigned)field(desc, 4, 2) + 7, 8 * (unsigned)field(desc, 4, 2));
    out->sh = (uint8_t)field(desc, 9, 8);
    if (set_af) {
      const uint64_t updated = desc | (UINT64_C(1) << 10);
      if (!memory_write(&s->mem, desc_addr, updated)) return -1;
      out->update_count = 1;
      out->updates[0].addr = desc_addr;
      out->updates[0].value = updated;
    }
    return 0;
  }
}

static int smmu_translate(void* ctx, const vipcts_smmu_txn* txn, vipcts_smmu_outcome* out) {
  smmu* s = ctx;
  if (s == NULL || txn == NULL || out == NULL) return -1;
  if (++translate_count == 5) {
    if (s->bug == BUG_CRASH && fire_once("crash")) raise(SIGSEGV);
    if (s->bug == BUG_HANG && fire_once("hang")) {
      for (volatile int spin = 1; spin;) {
      }
    }
  }
  const unsigned oas = size_bits(s->idr[5] & 7);

  /* SMMUEN == 0: GBPA decides, and nothing is recorded (§3.4, §6.3.14 GBPA.ABORT). */
  if (!bit(s->cr0, 0)) {
    if (bit(s->gbpa, 20) || (oas < 64 && (txn->iova >> oas) != 0)) {
      terminate(out, txn, 0, false);
    } else {
      pass_through(out, txn->iova);
    }
    return 0;
  }

  /* Stream table: linear only. SID >= 2^MIN(LOG2SIZE, IDR1.SIDSIZE) is C_BAD_STREAMID, recorded only if
   * CR2.RECINVSID (§6.3.24 STRTAB_BASE_CFG; §7.3.3). */
  if (field(s->strtab_base_cfg, 17, 16) == 1) return -1; /* 2-level stream table: not modelled */
  unsigned log2size = (unsigned)field(s->strtab_base_cfg, 5, 0);
  const unsigned sidsize = (unsigned)field(s->idr[1], 5, 0);
  if (sidsize < log2size) log2size = sidsize;
  if ((uint64_t)txn->sid >> log2size) {
    terminate(out, txn, C_BAD_STREAMID, bit(s->cr2, 1));
    return 0;
  }
  /* The linear table is aligned to its size, ADDR[LOG2SIZE+5:0] treated as zero, using the literal LOG2SIZE
   * (§6.3.24 STRTAB_BASE.ADDR). */
  const unsigned align = (unsigned)field(s->strtab_base_cfg, 5, 0) + 5;
  const uint64_t strtab = s->strtab_base & ones(51, 6) & ~ones(align > 51 ? 51 : align, 0);
  const uint64_t ste_addr = strtab + (uint64_t)txn->sid * 64;
  const uint64_t ste0 = memory_read(&s->mem, ste_addr);
  const uint64_t ste1 = memory_read(&s->mem, ste_addr + 8);

  /* STE (§5.2). */
  if (!bit(ste0, 0)) {
    terminate(out, txn, C_BAD_STE, true);
    return 0;
  }
  const unsigned config = (unsigned)field(ste0, 3, 1);
  const uint32_t idr0 = s->idr[0];
  if ((config & 6) == 6 && !bit(idr0, 0)) { /* stage 2 without IDR0.S2P */
    terminate(out, txn, C_BAD_STE, true);
    return 0;
  }
  if ((config & 5) == 5 && !bit(idr0, 1)) { /* stage 1 without IDR0.S1P */
    terminate(out, txn, C_BAD_STE, true);
    return 0;
  }
  if ((config & 6) == 6) return -1; /* stage 2: not modelled */
  if ((config & 4) == 0) {          /* 0b0xx: abort, no event */
    terminate(out, txn, 0, false);
    return 0;
  }
  if (config == 4) { /* bypass both stages */
    if (txn->ssv) {  /* a SubstreamID with stage 1 disabled (§5.2 S1Fmt) */
      terminate(out, txn, C_BAD_SUBSTREAMID, true);
      return 0;
    }
    if (oas < 64 && (txn->iova >> oas) != 0) { /* stage-1 Address Size fault (§3.4) */
      terminate(out, txn, F_ADDR_SIZE, true);
      return 0;
    }
    pass_through(out, txn->iova);
    return 0;
  }
  /* config == 0b101: stage 1 only. */
  const unsigned stall_model = (unsigned)field(idr0, 25, 24);
  if (stall_model != 0 && bit(ste1, 91 - 64)) { /* S1STALLD without stall support (§5.5) */
    terminate(out, txn, C_BAD_STE, true);
    return 0;
  }
  const unsigned s1cdmax = (unsigned)field(ste0, 63, 59);
  const unsigned ssidsize = (unsigned)field(s->idr[1], 10, 6);
  if (ssidsize != 0 && s1cdmax > ssidsize) {
    terminate(out, txn, C_BAD_STE, true);
    return 0;
  }
  if (ssidsize != 0 && s1cdmax != 0) return -1; /* multiple CDs: not modelled */
  if (txn->ssv) { /* S1CDMax == 0 or no substreams: SSV=1 is C_BAD_SUBSTREAMID (§5.2 S1CDMax) */
    terminate(out, txn, C_BAD_SUBSTREAMID, true);
    return 0;
  }
  const cd c = decode_cd(&s->mem, ste0 & ones(51, 6));
  switch (check_cd(s, &c)) {
    case CD_ILLEGAL:
      terminate(out, txn, C_BAD_CD, true);
      return 0;
    case CD_UNMODELLED:
      return -1;
    case CD_OK:
      break;
  }
  return s1_translate(s, txn, &c, out);
}

static void* smmu_open(const vipcts_smmu_state* state) {
  if (state == NULL || (state->mem_count > 0 && state->mem == NULL)) return NULL;
  smmu* s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  memcpy(s->idr, state->idr, sizeof s->idr);
  s->cr0 = state->cr0;
  s->cr2 = state->cr2;
  s->gbpa = state->gbpa;
  s->strtab_base = state->strtab_base;
  s->strtab_base_cfg = state->strtab_base_cfg;
  s->bug = selected_bug();
  if (!memory_init(&s->mem, state->mem_count)) {
    memory_free(&s->mem);
    free(s);
    return NULL;
  }
  for (size_t i = 0; i < state->mem_count; ++i) {
    if (!memory_write(&s->mem, state->mem[i].addr & ~UINT64_C(7), state->mem[i].value)) {
      memory_free(&s->mem);
      free(s);
      return NULL;
    }
  }
  return s;
}

static void smmu_close(void* ctx) {
  smmu* s = ctx;
  if (s == NULL) return;
  memory_free(&s->mem);
  free(s);
}

static const vipcts_smmu_ops smmu_ops = {smmu_open, smmu_translate, smmu_close};

static const void* suite(const char* name, uint32_t suite_abi_version) {
  if (name != NULL && strcmp(name, "smmu") == 0 && suite_abi_version == VIPCTS_SMMU_ABI_VERSION)
    return &smmu_ops;
  return NULL;
}

static const char* const features[] = {"smmu.s1",        "smmu.ste.bypass", "smmu.gbpa",
                                       "smmu.httu.af",   "smmu.cd.tbi",     "smmu.cd.ttb1",
                                       "smmu.cd.raz_wi", "smmu.stall",      NULL};

static const vipcts_implementation implementation = {
    VIPCTS_ABI_VERSION, "vipcts-example-smmu-c", "0.1.0", features, NULL, suite,
};

EXPORT const vipcts_implementation* vipcts_entry(uint32_t host_abi_version) {
  return host_abi_version == VIPCTS_ABI_VERSION ? &implementation : NULL;
}

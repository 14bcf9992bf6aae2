/* vipcts-agent: runs inside the Linux guest of the linux-vm adapter and executes primitive VFIO operations
 * through the real ioctls, one request line in, one response line out (wire format:
 * harness/adapters/linux_vm/README.md). It knows nothing of scenarios, vectors or expectations: the host side
 * (linux_vm_impl.cpp) turns suite requests into these primitives, so the kernel's answer reaches the host
 * unfiltered.
 *
 * Built with gcc -static so the busybox initramfs needs no libc. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define AGENT_VERSION "1"
#define MAX_ARGS 32
#define LINE_MAX_LEN 65536

/* ---- request parsing: "op key=value key=value ..." (values percent-encoded) ---- */

struct arg {
  char* key;
  char* val;
};

struct req {
  char* op;
  int nargs;
  struct arg args[MAX_ARGS];
};

static int unhex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void percent_decode(char* s) {
  char* w = s;
  for (char* r = s; *r; ++r) {
    if (*r == '%' && unhex(r[1]) >= 0 && unhex(r[2]) >= 0) {
      *w++ = (char)(unhex(r[1]) * 16 + unhex(r[2]));
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
}

static int parse_req(char* line, struct req* rq) {
  memset(rq, 0, sizeof *rq);
  char* save = NULL;
  rq->op = strtok_r(line, " \t", &save);
  if (!rq->op) return -1;
  for (char* tok; (tok = strtok_r(NULL, " \t", &save));) {
    char* eq = strchr(tok, '=');
    if (!eq || rq->nargs == MAX_ARGS) return -1;
    *eq = 0;
    rq->args[rq->nargs].key = tok;
    rq->args[rq->nargs].val = eq + 1;
    percent_decode(eq + 1);
    rq->nargs++;
  }
  return 0;
}

static const char* get(const struct req* rq, const char* key) {
  for (int i = 0; i < rq->nargs; ++i)
    if (strcmp(rq->args[i].key, key) == 0) return rq->args[i].val;
  return NULL;
}

/* Missing or malformed numeric arguments abort the request with "bad ...". */
static const char* bad_arg;

static uint64_t num(const struct req* rq, const char* key, uint64_t dflt) {
  const char* v = get(rq, key);
  if (!v) return dflt;
  char* end;
  errno = 0;
  uint64_t x = strtoull(v, &end, 0);
  if (errno || *end || end == v) bad_arg = key;
  return x;
}

static uint64_t need(const struct req* rq, const char* key) {
  if (!get(rq, key)) {
    bad_arg = key;
    return 0;
  }
  return num(rq, key, 0);
}

/* ---- response building ---- */

static char out[LINE_MAX_LEN];
static size_t out_len;

static void emit(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out + out_len, sizeof out - out_len, fmt, ap);
  va_end(ap);
  if (n > 0) out_len += (size_t)n < sizeof out - out_len ? (size_t)n : sizeof out - out_len - 1;
}

static void emit_str(const char* key, const char* s, size_t len) {
  emit(" %s=", key);
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c <= ' ' || c == '%' || c == '=' || c >= 0x7f)
      emit("%%%02x", c);
    else
      emit("%c", c);
  }
}

static void emit_hex(const char* key, const uint8_t* p, size_t len) {
  emit(" %s=", key);
  for (size_t i = 0; i < len; ++i) emit("%02x", p[i]);
}

/* Every syscall answer: "ok ret=R errno=E" (errno 0 when ret >= 0). */
static void emit_ret(long ret, int err) {
  emit("ok ret=%ld errno=%d", ret, ret < 0 ? err : 0);
}

/* ---- guest memory handed out for MAP_DMA and DMA probes ---- */

#define MAX_BUFS 256
static struct {
  void* addr;
  size_t size;
} bufs[MAX_BUFS];

static int prot_of(const char* p) {
  if (!p) return PROT_READ | PROT_WRITE;
  int prot = PROT_NONE;
  if (strchr(p, 'r')) prot |= PROT_READ;
  if (strchr(p, 'w')) prot |= PROT_WRITE;
  return prot;
}

static void free_all_bufs(void) {
  for (int i = 0; i < MAX_BUFS; ++i)
    if (bufs[i].addr) {
      munmap(bufs[i].addr, bufs[i].size);
      bufs[i].addr = NULL;
    }
}

/* ---- VFIO helpers ---- */

static int chan_in = 0, chan_out = 1;
static int kmsg_fd = -1; /* /dev/kmsg, positioned after the last record reported */

/* Offset of a region in the device fd (VFIO_DEVICE_GET_REGION_INFO), or -1 with errno. */
static long long region_offset(int fd, unsigned index, unsigned long long* size) {
  struct vfio_region_info ri = {.argsz = sizeof ri, .index = index};
  if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0) return -1;
  if (size) *size = ri.size;
  return (long long)ri.offset;
}

static int rw_region(int fd, unsigned index, uint64_t off, unsigned len, uint64_t* val, int write) {
  long long base = region_offset(fd, index, NULL);
  if (base < 0) return -1;
  uint8_t b[8] = {0};
  if (len == 0 || len > 8) {
    errno = EINVAL;
    return -1;
  }
  ssize_t n;
  if (write) {
    memcpy(b, val, len); /* little-endian guest */
    n = pwrite(fd, b, len, base + (long long)off);
  } else {
    n = pread(fd, b, len, base + (long long)off);
    *val = 0;
    memcpy(val, b, len);
  }
  if (n < 0) return -1;
  if ((unsigned)n != len) {
    errno = EIO;
    return -1;
  }
  return 0;
}

static void decode_iommu_caps(const uint8_t* buf, uint32_t argsz, uint32_t first) {
  char ids[256] = "";
  size_t idl = 0;
  int ncaps = 0;
  for (uint32_t off = first; off && off + sizeof(struct vfio_info_cap_header) <= argsz && ncaps < 16;
       ++ncaps) {
    const struct vfio_info_cap_header* h = (const void*)(buf + off);
    idl += (size_t)snprintf(ids + idl, sizeof ids - idl, "%s%u.%u", idl ? "," : "", h->id, h->version);
    if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
      const struct vfio_iommu_type1_info_cap_iova_range* r = (const void*)h;
      emit(" nr_iovas=%u ranges=", r->nr_iovas);
      for (uint32_t i = 0;
           i < r->nr_iovas && off + sizeof *r + (i + 1) * sizeof(struct vfio_iova_range) <= argsz; ++i)
        emit("%s0x%llx-0x%llx", i ? "," : "", (unsigned long long)r->iova_ranges[i].start,
             (unsigned long long)r->iova_ranges[i].end);
    } else if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION) {
      const struct vfio_iommu_type1_info_cap_migration* m = (const void*)h;
      emit(" mig_flags=%u mig_pgsizes=0x%llx mig_max_bitmap=0x%llx", m->flags,
           (unsigned long long)m->pgsize_bitmap, (unsigned long long)m->max_dirty_bitmap_size);
    } else if (h->id == VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
      const struct vfio_iommu_type1_info_dma_avail* d = (const void*)h;
      emit(" dma_avail=%u", d->avail);
    }
    if (h->next <= off) break; /* the chain only moves forward; a loop would be a kernel bug */
    off = h->next;
  }
  emit(" caps=%s", idl ? ids : "-");
}

/* ---- operations ---- */

static void op_hello(const struct req* rq) {
  (void)rq;
  struct utsname u;
  uname(&u);
  emit("ok ret=0 errno=0 agent=" AGENT_VERSION);
  emit_str("kernel", u.release, strlen(u.release));
  emit_str("machine", u.machine, strlen(u.machine));
}

/* find vendor=0x1234 device=0x11e8: the first such PCI function, its BDF and IOMMU group. */
static void op_find(const struct req* rq) {
  unsigned vendor = (unsigned)need(rq, "vendor"), device = (unsigned)need(rq, "device");
  if (bad_arg) return;
  for (int bus = 0; bus < 256; ++bus)
    for (int slot = 0; slot < 32; ++slot)
      for (int fn = 0; fn < 8; ++fn) {
        char path[128], bdf[16], buf[32];
        snprintf(bdf, sizeof bdf, "0000:%02x:%02x.%x", bus, slot, fn);
        unsigned v = 0, d = 0;
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/vendor", bdf);
        FILE* f = fopen(path, "r");
        if (!f) continue;
        if (fscanf(f, "%x", &v) != 1) v = 0;
        fclose(f);
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/device", bdf);
        if ((f = fopen(path, "r"))) {
          if (fscanf(f, "%x", &d) != 1) d = 0;
          fclose(f);
        }
        if (v != vendor || d != device) continue;
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/iommu_group", bdf);
        char link[256];
        ssize_t n = readlink(path, link, sizeof link - 1);
        long group = -1;
        if (n > 0) {
          link[n] = 0;
          char* slash = strrchr(link, '/');
          group = strtol(slash ? slash + 1 : link, NULL, 10);
        }
        snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/driver", bdf);
        n = readlink(path, link, sizeof link - 1);
        const char* drv = "-";
        if (n > 0) {
          link[n] = 0;
          char* slash = strrchr(link, '/');
          drv = slash ? slash + 1 : link;
        }
        snprintf(buf, sizeof buf, "%ld", group);
        emit("ok ret=0 errno=0 bdf=%s group=%s", bdf, buf);
        emit_str("driver", drv, strlen(drv));
        return;
      }
  emit("ok ret=-1 errno=%d", ENODEV);
}

static void op_open(const struct req* rq) {
  const char* path = get(rq, "path");
  if (!path) {
    bad_arg = "path";
    return;
  }
  int fd = open(path, O_RDWR | O_CLOEXEC);
  emit_ret(fd, errno);
}

static void op_close(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  if (bad_arg) return;
  if (fd == chan_in || fd == chan_out || fd <= 2) {
    emit_ret(-1, EBADF);
    return;
  }
  int r = close(fd);
  emit_ret(r, errno);
}

/* Closes every fd but the channel and frees all buffers: between scenarios, so containers, groups, devices
 * and eventfds of one scenario never leak into the next. */
static void op_reset(const struct req* rq) {
  (void)rq;
  int closed = 0;
  /* The open fds from /proc (a few) rather than close() on every number: each syscall is slow under TCG. */
  int fds[1024], n = 0;
  DIR* d = opendir("/proc/self/fd");
  for (struct dirent* e; d && (e = readdir(d)) && n < 1024;) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != dirfd(d) && fd != chan_in && fd != chan_out && fd != kmsg_fd) fds[n++] = fd;
  }
  if (d) closedir(d);
  for (int i = 0; i < n; ++i)
    if (close(fds[i]) == 0) ++closed;
  free_all_bufs();
  emit("ok ret=0 errno=0 closed=%d", closed);
}

/* ioctl fd=N cmd=NAME [arg=V]: the ioctls whose argument is a plain integer. */
static void op_ioctl(const struct req* rq) {
  static const struct {
    const char* name;
    unsigned long cmd;
    int has_arg;
  } cmds[] = {
      {"GET_API_VERSION", VFIO_GET_API_VERSION, 0},
      {"CHECK_EXTENSION", VFIO_CHECK_EXTENSION, 1},
      {"SET_IOMMU", VFIO_SET_IOMMU, 1},
      {"GROUP_UNSET_CONTAINER", VFIO_GROUP_UNSET_CONTAINER, 0},
      {"DEVICE_RESET", VFIO_DEVICE_RESET, 0},
  };
  int fd = (int)need(rq, "fd");
  const char* name = get(rq, "cmd");
  unsigned long arg = (unsigned long)num(rq, "arg", 0);
  if (bad_arg) return;
  for (size_t i = 0; name && i < sizeof cmds / sizeof cmds[0]; ++i)
    if (strcmp(cmds[i].name, name) == 0) {
      long r = cmds[i].has_arg ? ioctl(fd, cmds[i].cmd, arg) : ioctl(fd, cmds[i].cmd);
      emit_ret(r, errno);
      return;
    }
  bad_arg = "cmd";
}

static void op_group_status(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  if (bad_arg) return;
  struct vfio_group_status st = {.argsz = (uint32_t)num(rq, "argsz", sizeof st)};
  int r = ioctl(fd, VFIO_GROUP_GET_STATUS, &st);
  emit_ret(r, errno);
  emit(" flags=%u", st.flags);
}

static void op_set_container(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  int container = (int)need(rq, "container");
  if (bad_arg) return;
  int r = ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container);
  emit_ret(r, errno);
}

static void op_get_device(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  const char* name = get(rq, "name");
  if (bad_arg) return;
  if (!name) {
    bad_arg = "name";
    return;
  }
  int r = ioctl(fd, VFIO_GROUP_GET_DEVICE_FD, name);
  emit_ret(r, errno);
}

/* iommu_info fd=N [argsz=A]: VFIO_IOMMU_GET_INFO with the caller's argsz (default: the bare struct, which
 * makes the kernel report the argsz the capability chain needs). */
static void op_iommu_info(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  uint32_t argsz = (uint32_t)num(rq, "argsz", sizeof(struct vfio_iommu_type1_info));
  if (bad_arg) return;
  static uint8_t buf[65536];
  memset(buf, 0, sizeof buf);
  struct vfio_iommu_type1_info* info = (void*)buf;
  info->argsz = argsz;
  int r = ioctl(fd, VFIO_IOMMU_GET_INFO, info);
  emit_ret(r, errno);
  emit(" argsz=%u flags=%u pgsizes=0x%llx cap_offset=%u", info->argsz, info->flags,
       (unsigned long long)info->iova_pgsizes, argsz >= sizeof *info ? info->cap_offset : 0);
  if (r == 0 && (info->flags & VFIO_IOMMU_INFO_CAPS) && argsz >= sizeof *info && info->cap_offset &&
      info->argsz <= argsz)
    decode_iommu_caps(buf, argsz < sizeof buf ? argsz : sizeof buf, info->cap_offset);
}

static void op_map(const struct req* rq) {
  struct vfio_iommu_type1_dma_map m = {0};
  int fd = (int)need(rq, "fd");
  m.argsz = (uint32_t)num(rq, "argsz", sizeof m);
  m.flags = (uint32_t)num(rq, "flags", 0);
  m.vaddr = need(rq, "vaddr");
  m.iova = need(rq, "iova");
  m.size = need(rq, "size");
  if (bad_arg) return;
  int r = ioctl(fd, VFIO_IOMMU_MAP_DMA, &m);
  emit_ret(r, errno);
}

/* A dirty bitmap of `size` bytes: the static page when it fits, an mmap'ed one up to the kernel's maximum
 * (256 MiB; untouched pages cost nothing), else the static page again: the kernel rejects such sizes before
 * writing. */
static uint8_t* bitmap_for(uint64_t size, uint8_t* small, size_t small_size, void** mapped) {
  *mapped = NULL;
  if (size <= small_size || size > (256ull << 20)) return small;
  void* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return small;
  *mapped = p;
  return p;
}

static void emit_bitmap(const uint8_t* bm, uint64_t size, void* mapped) {
  emit_hex("bitmap", bm, size > 4096 ? 4096 : size);
  /* Beyond the first 4096 bytes only whether a bit is set: an all-zero rest leaves the answer exact. */
  int rest = size > 4096 && !mapped;
  for (uint64_t i = 4096; mapped && i < size && !rest; ++i) rest = bm[i] != 0;
  if (rest) emit(" bitmap_truncated=1");
  if (mapped) munmap(mapped, size);
}

/* unmap: with flag GET_DIRTY_BITMAP a zeroed bitmap of bitmap_size bytes follows the struct. */
static void op_unmap(const struct req* rq) {
  static uint8_t buf[sizeof(struct vfio_iommu_type1_dma_unmap) + sizeof(struct vfio_bitmap)];
  static uint8_t bitmap[4096];
  memset(buf, 0, sizeof buf);
  memset(bitmap, 0, sizeof bitmap);
  struct vfio_iommu_type1_dma_unmap* u = (void*)buf;
  int fd = (int)need(rq, "fd");
  u->argsz = (uint32_t)num(rq, "argsz", sizeof *u);
  u->flags = (uint32_t)num(rq, "flags", 0);
  u->iova = num(rq, "iova", 0);
  u->size = num(rq, "size", 0);
  uint64_t bm_size = num(rq, "bitmap_size", 0);
  void* mapped = NULL;
  if (bad_arg) return;
  if (u->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
    struct vfio_bitmap* bm = (void*)u->data;
    bm->pgsize = num(rq, "bitmap_pgsize", 4096);
    bm->size = bm_size;
    bm->data = (void*)bitmap_for(bm_size, bitmap, sizeof bitmap, &mapped);
    if (!get(rq, "argsz")) u->argsz = sizeof buf;
  }
  int r = ioctl(fd, VFIO_IOMMU_UNMAP_DMA, u);
  emit_ret(r, errno);
  emit(" size=0x%llx flags=%u", (unsigned long long)u->size, u->flags);
  if (bm_size) emit_bitmap(bm_size > 4096 && mapped ? mapped : bitmap, bm_size, mapped);
}

static void op_dirty(const struct req* rq) {
  static uint8_t
      buf[sizeof(struct vfio_iommu_type1_dirty_bitmap) + sizeof(struct vfio_iommu_type1_dirty_bitmap_get)];
  static uint8_t bitmap[4096];
  memset(buf, 0, sizeof buf);
  memset(bitmap, 0, sizeof bitmap);
  struct vfio_iommu_type1_dirty_bitmap* d = (void*)buf;
  int fd = (int)need(rq, "fd");
  d->flags = (uint32_t)need(rq, "flags");
  d->argsz = (uint32_t)num(rq, "argsz", sizeof *d);
  uint64_t bm_size = num(rq, "bitmap_size", 0);
  void* mapped = NULL;
  if (d->flags & VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP) {
    struct vfio_iommu_type1_dirty_bitmap_get* g = (void*)d->data;
    g->iova = num(rq, "iova", 0);
    g->size = num(rq, "size", 0);
    g->bitmap.pgsize = num(rq, "bitmap_pgsize", 4096);
    g->bitmap.size = bm_size;
    g->bitmap.data = (void*)bitmap_for(bm_size, bitmap, sizeof bitmap, &mapped);
    if (!get(rq, "argsz")) d->argsz = sizeof buf;
  }
  if (bad_arg) {
    if (mapped) munmap(mapped, bm_size);
    return;
  }
  int r = ioctl(fd, VFIO_IOMMU_DIRTY_PAGES, d);
  emit_ret(r, errno);
  if (bm_size) emit_bitmap(bm_size > 4096 && mapped ? mapped : bitmap, bm_size, mapped);
}

/* alloc size=N [prot=rw]: anonymous memory, touched so it is populated; returns addr. */
static void op_alloc(const struct req* rq) {
  size_t size = (size_t)need(rq, "size");
  int prot = prot_of(get(rq, "prot"));
  uint64_t align = num(rq, "align", 4096);
  if (bad_arg) return;
  int slot = -1;
  for (int i = 0; i < MAX_BUFS && slot < 0; ++i)
    if (!bufs[i].addr) slot = i;
  if (slot < 0 || size == 0 || (align & (align - 1))) {
    emit_ret(-1, slot < 0 ? ENOSPC : EINVAL);
    return;
  }
  /* Over-allocate to honour alignments above the page size (2M, 1G IOMMU pages), then trim. */
  size_t span = size + (align > 4096 ? align : 0);
  uint8_t* p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    emit_ret(-1, errno);
    return;
  }
  uint8_t* a = p;
  if (align > 4096) {
    a = (uint8_t*)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    if (a > p) munmap(p, (size_t)(a - p));
    if (a + size < p + span) munmap(a + size, (size_t)(p + span - (a + size)));
  }
  memset(a, 0, size);
  if (prot != (PROT_READ | PROT_WRITE)) mprotect(a, size, prot);
  bufs[slot].addr = a;
  bufs[slot].size = size;
  emit("ok ret=0 errno=0 addr=0x%llx", (unsigned long long)(uintptr_t)a);
}

static void op_free(const struct req* rq) {
  uint64_t addr = need(rq, "addr");
  if (bad_arg) return;
  for (int i = 0; i < MAX_BUFS; ++i)
    if (bufs[i].addr && (uintptr_t)bufs[i].addr == addr) {
      int r = munmap(bufs[i].addr, bufs[i].size);
      bufs[i].addr = NULL;
      emit_ret(r, errno);
      return;
    }
  emit_ret(-1, EINVAL);
}

static void op_protect(const struct req* rq) {
  uint64_t addr = need(rq, "addr"), size = need(rq, "size");
  int prot = prot_of(get(rq, "prot"));
  if (bad_arg) return;
  int r = mprotect((void*)(uintptr_t)addr, size, prot);
  emit_ret(r, errno);
}

/* True if [addr, addr+len) lies inside one buffer handed out by alloc (so a bad address is an answer, not
 * a crash of the agent). */
static uint64_t pool_base, pool_size;

static int owned(uint64_t addr, uint64_t len) {
  if (pool_size && addr >= pool_base && len <= pool_size && addr - pool_base <= pool_size - len) return 1;
  for (int i = 0; i < MAX_BUFS; ++i)
    if (bufs[i].addr && addr >= (uintptr_t)bufs[i].addr && len <= bufs[i].size &&
        addr - (uintptr_t)bufs[i].addr <= bufs[i].size - len)
      return 1;
  return 0;
}

/* peek addr=A len=N: memory as hex (mprotect'ed to readable for the read if needed). */
static void op_peek(const struct req* rq) {
  uint64_t addr = need(rq, "addr"), len = need(rq, "len");
  if (bad_arg) return;
  if (len > 4096 || !owned(addr, len)) {
    emit_ret(-1, EFAULT);
    return;
  }
  uintptr_t page = addr & ~(uintptr_t)4095;
  size_t span = ((addr + len + 4095) & ~(uint64_t)4095) - page;
  mprotect((void*)page, span, PROT_READ | PROT_WRITE);
  emit("ok ret=0 errno=0");
  emit_hex("hex", (const uint8_t*)(uintptr_t)addr, len);
}

/* poke addr=A hex=BYTES | fill=BYTE len=N: writes memory (making it writable for the write). */
static void op_poke(const struct req* rq) {
  uint64_t addr = need(rq, "addr");
  const char* hex = get(rq, "hex");
  uint64_t fill = num(rq, "fill", 0), len = hex ? strlen(hex) / 2 : num(rq, "len", 0);
  if (bad_arg) return;
  if (!owned(addr, len)) {
    emit_ret(-1, EFAULT);
    return;
  }
  uint8_t* p = (uint8_t*)(uintptr_t)addr;
  for (uint64_t i = 0; i < len; ++i) {
    int hi = hex ? unhex(hex[2 * i]) : 0, lo = hex ? unhex(hex[2 * i + 1]) : 0;
    if (hi < 0 || lo < 0) {
      bad_arg = "hex";
      return;
    }
    p[i] = hex ? (uint8_t)(hi * 16 + lo) : (uint8_t)fill;
  }
  emit_ret(0, 0);
}

static void op_dev_info(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  if (bad_arg) return;
  struct vfio_device_info di = {.argsz = (uint32_t)num(rq, "argsz", sizeof di)};
  int r = ioctl(fd, VFIO_DEVICE_GET_INFO, &di);
  emit_ret(r, errno);
  emit(" flags=%u num_regions=%u num_irqs=%u", di.flags, di.num_regions, di.num_irqs);
}

static void op_region(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  unsigned index = (unsigned)need(rq, "index");
  if (bad_arg) return;
  struct vfio_region_info ri = {.argsz = (uint32_t)num(rq, "argsz", sizeof ri), .index = index};
  int r = ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri);
  emit_ret(r, errno);
  emit(" flags=%u size=0x%llx offset=0x%llx", ri.flags, (unsigned long long)ri.size,
       (unsigned long long)ri.offset);
}

static void op_irq_info(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  unsigned index = (unsigned)need(rq, "index");
  if (bad_arg) return;
  struct vfio_irq_info ii = {.argsz = (uint32_t)num(rq, "argsz", sizeof ii), .index = index};
  int r = ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, &ii);
  emit_ret(r, errno);
  emit(" flags=%u count=%u", ii.flags, ii.count);
}

/* set_irqs fd= index= start= count= flags= [data=v,v,...]: with DATA_EVENTFD each item is an fd number,
 * -1, or "new" (a fresh non-blocking eventfd, reported back in efds=); with DATA_BOOL each item is 0/1. */
static void op_set_irqs(const struct req* rq) {
  static uint8_t buf[sizeof(struct vfio_irq_set) + 4 * 2048];
  memset(buf, 0, sizeof buf);
  struct vfio_irq_set* s = (void*)buf;
  int fd = (int)need(rq, "fd");
  s->flags = (uint32_t)need(rq, "flags");
  s->index = (uint32_t)need(rq, "index");
  s->start = (uint32_t)num(rq, "start", 0);
  s->count = (uint32_t)num(rq, "count", 0);
  if (bad_arg) return;
  size_t n = 0, width = (s->flags & VFIO_IRQ_SET_DATA_EVENTFD) ? 4
                        : (s->flags & VFIO_IRQ_SET_DATA_BOOL)  ? 1
                                                               : 0;
  char efds[1024] = "";
  size_t el = 0;
  const char* data = get(rq, "data");
  if (data && width) {
    char copy[8192];
    snprintf(copy, sizeof copy, "%s", data);
    char* save = NULL;
    for (char* t = strtok_r(copy, ",", &save); t && n < 2048; t = strtok_r(NULL, ",", &save), ++n) {
      if (width == 4) {
        int32_t v =
            strcmp(t, "new") == 0 ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : (int32_t)strtol(t, NULL, 0);
        memcpy(s->data + 4 * n, &v, 4);
        el += (size_t)snprintf(efds + el, sizeof efds - el, "%s%d", el ? "," : "", v);
      } else {
        s->data[n] = (uint8_t)strtoul(t, NULL, 0);
      }
    }
  }
  s->argsz = (uint32_t)num(rq, "argsz", sizeof *s + n * width);
  int r = ioctl(fd, VFIO_DEVICE_SET_IRQS, s);
  emit_ret(r, errno);
  if (el) emit(" efds=%s", efds);
}

/* efd_read fd=N: the eventfd counter (0 if nothing signalled), which also clears it. */
static void op_efd_read(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  if (bad_arg) return;
  uint64_t v = 0;
  ssize_t n = read(fd, &v, sizeof v);
  if (n < 0 && errno == EAGAIN) n = 0, v = 0;
  emit_ret(n < 0 ? -1 : 0, errno);
  emit(" count=%llu", (unsigned long long)v);
}

/* rd/wr fd= index= off= len= [val=]: a device region (BAR, config space = index 7) through pread/pwrite. */
static void op_rd(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  unsigned index = (unsigned)need(rq, "index"), len = (unsigned)num(rq, "len", 4);
  uint64_t off = need(rq, "off"), v = 0;
  if (bad_arg) return;
  int r = rw_region(fd, index, off, len, &v, 0);
  emit_ret(r, errno);
  emit(" val=0x%llx", (unsigned long long)v);
}

static void op_wr(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  unsigned index = (unsigned)need(rq, "index"), len = (unsigned)num(rq, "len", 4);
  uint64_t off = need(rq, "off"), v = need(rq, "val");
  if (bad_arg) return;
  int r = rw_region(fd, index, off, len, &v, 1);
  emit_ret(r, errno);
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* edu_dma fd= src= dst= count= cmd= [timeout_ms=]: programs QEMU's edu DMA engine through BAR0 and waits
 * for it to finish. cmd bit1 = 0: bus address src -> edu buffer (0x40000 + x); 1: edu buffer -> bus address
 * dst. done=1 when the engine cleared its run bit; whether the data landed is checked by the caller. */
static void op_edu_dma(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  uint64_t src = need(rq, "src"), dst = need(rq, "dst"), cnt = need(rq, "count"), cmd = need(rq, "cmd");
  uint64_t timeout = num(rq, "timeout_ms", 3000);
  if (bad_arg) return;
  uint64_t cmdreg = 0;
  if (rw_region(fd, VFIO_PCI_BAR0_REGION_INDEX, 0x80, 8, &src, 1) < 0 ||
      rw_region(fd, VFIO_PCI_BAR0_REGION_INDEX, 0x88, 8, &dst, 1) < 0 ||
      rw_region(fd, VFIO_PCI_BAR0_REGION_INDEX, 0x90, 8, &cnt, 1) < 0 ||
      rw_region(fd, VFIO_PCI_BAR0_REGION_INDEX, 0x98, 8, &cmd, 1) < 0) {
    emit_ret(-1, errno);
    return;
  }
  uint64_t start = now_ms();
  int done = 0;
  while (now_ms() - start < timeout) {
    if (rw_region(fd, VFIO_PCI_BAR0_REGION_INDEX, 0x98, 8, &cmdreg, 0) < 0) {
      emit_ret(-1, errno);
      return;
    }
    if (!(cmdreg & 1)) {
      done = 1;
      break;
    }
    usleep(2000);
  }
  emit("ok ret=0 errno=0 done=%d ms=%llu", done, (unsigned long long)(now_ms() - start));
}

/* kmsg [match=S]: kernel log lines written since the previous kmsg call; counts IOMMU fault lines
 * (DMAR / AMD-Vi / virtio-iommu) and returns the last one. */
static int is_fault_line(const char* s) {
  return (strstr(s, "DMAR") && (strstr(s, "fault") || strstr(s, "Fault"))) || strstr(s, "IO_PAGE_FAULT") ||
         (strstr(s, "AMD-Vi") && strstr(s, "Event logged")) || (strstr(s, "viommu") && strstr(s, "fault"));
}

static void op_kmsg(const struct req* rq) {
  const char* match = get(rq, "match");
  if (kmsg_fd < 0) {
    kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (kmsg_fd < 0) {
      emit_ret(-1, errno);
      return;
    }
    lseek(kmsg_fd, 0, SEEK_END); /* only what is logged from now on */
  }
  static char rec[8192], last[1024];
  int lines = 0, faults = 0, matched = 0;
  last[0] = 0;
  for (;;) {
    ssize_t n = read(kmsg_fd, rec, sizeof rec - 1);
    if (n < 0 && errno == EPIPE) continue; /* overwritten records: skip ahead */
    if (n <= 0) break;
    rec[n] = 0;
    char* msg = strchr(rec, ';');
    msg = msg ? msg + 1 : rec;
    char* nl = strchr(msg, '\n');
    if (nl) *nl = 0;
    ++lines;
    if (is_fault_line(msg)) {
      ++faults;
      snprintf(last, sizeof last, "%.1000s", msg);
    }
    if (match && strstr(msg, match)) ++matched;
  }
  emit("ok ret=0 errno=0 lines=%d faults=%d matched=%d", lines, faults, matched);
  emit_str("last", last, strlen(last));
}

/* sysfs_read path=P / sysfs_write path=P val=V: module parameters such as
 * /sys/module/vfio_iommu_type1/parameters/dma_entry_limit, which the kernel reads at container open. */
static void op_sysfs_read(const struct req* rq) {
  const char* path = get(rq, "path");
  if (!path) {
    bad_arg = "path";
    return;
  }
  char buf[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  int e = errno;
  if (fd >= 0) close(fd);
  emit_ret(n < 0 ? -1 : 0, e);
  if (n > 0 && buf[n - 1] == '\n') --n;
  if (n >= 0) emit_str("val", buf, (size_t)n);
}

static void op_sysfs_write(const struct req* rq) {
  const char *path = get(rq, "path"), *val = get(rq, "val");
  if (!path || !val) {
    bad_arg = path ? "val" : "path";
    return;
  }
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : write(fd, val, strlen(val));
  int e = errno;
  if (fd >= 0) close(fd);
  emit_ret(n < 0 ? -1 : 0, e);
}

/* ---- the buffer pool and DMA-effect probes (docs/vfio-operations.md §2.3, §5) ---- */

static uint64_t* pool;
static int pool_dirty; /* a DMA write landed since the last fill */
#define POOL_TAG 0x5a5a5a5a00000000ull

static void pool_fill(uint64_t off, uint64_t len) {
  for (uint64_t o = off & ~7ull; o < off + len && o < pool_size; o += 8) pool[o / 8] = o ^ POOL_TAG;
}

/* pool base=B size=S: the scenario's buffer at a fixed user address, filled with the self-describing pattern
 * (u64 at offset o = o ^ POOL_TAG). Reused (refilled) when base and size are unchanged. */
static void op_pool(const struct req* rq) {
  uint64_t base = need(rq, "base"), size = need(rq, "size");
  if (bad_arg) return;
  if (pool && (base != pool_base || size != pool_size)) {
    munmap(pool, pool_size);
    pool = NULL;
  }
  if (!pool) {
    void* p = mmap((void*)(uintptr_t)base, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED || (uintptr_t)p != base) {
      int e = p == MAP_FAILED ? errno : EEXIST;
      if (p != MAP_FAILED) munmap(p, size);
      emit_ret(-1, e);
      return;
    }
    pool = p;
    pool_base = base;
    pool_size = size;
    pool_dirty = 1;
  }
  /* Only DMA writes change the pool, and each probe restores what it found changed: a full refill (64 MiB
   * is slow under TCG) only after a landed write or on request. */
  if (pool_dirty || num(rq, "refill", 0)) pool_fill(0, pool_size);
  pool_dirty = 0;
  emit_ret(0, 0);
}

/* What the edu buffer (0x40000..0x40fff) holds, as far as this agent knows: only our DMAs change it. */
enum { EDU_UNKNOWN, EDU_MARKER } edu_state = EDU_UNKNOWN;
#define MARKER 0xc3a5c3a5f00dfeedull
#define EDU_BUF 0x40000ull
/* QEMU 7.2's edu rejects (hw_error, the VM dies) a transfer that touches the last byte of its 4 KiB buffer,
 * so data moves in chunks of at most half the buffer. */
#define EDU_CHUNK 2048ull

static int edu_run(int dev, uint64_t src, uint64_t dst, uint64_t cnt, uint64_t cmd) {
  uint64_t reg = 0;
  cmd |= 1; /* run */
  if (rw_region(dev, VFIO_PCI_BAR0_REGION_INDEX, 0x80, 8, &src, 1) < 0 ||
      rw_region(dev, VFIO_PCI_BAR0_REGION_INDEX, 0x88, 8, &dst, 1) < 0 ||
      rw_region(dev, VFIO_PCI_BAR0_REGION_INDEX, 0x90, 8, &cnt, 1) < 0 ||
      rw_region(dev, VFIO_PCI_BAR0_REGION_INDEX, 0x98, 8, &cmd, 1) < 0)
    return -1;
  for (uint64_t start = now_ms(); now_ms() - start < 5000; usleep(2000)) {
    if (rw_region(dev, VFIO_PCI_BAR0_REGION_INDEX, 0x98, 8, &reg, 0) < 0) return -1;
    if (!(reg & 1)) return 0;
  }
  errno = ETIMEDOUT;
  return -1;
}

/* Bus mastering on, through the vfio config region, so the device may DMA at all. */
static int bus_master(int dev) {
  uint64_t cmd = 0;
  if (rw_region(dev, VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, &cmd, 0) < 0) return -1;
  if (cmd & 4) return 0;
  cmd |= 6; /* memory space + bus master */
  return rw_region(dev, VFIO_PCI_CONFIG_REGION_INDEX, 4, 2, &cmd, 1);
}

/* A page of our own, mapped for one probe at an IOVA the scenario does not use, so the device can move data
 * between its buffer and memory the agent reads. Tries the top pages of each usable IOVA range. */
static uint8_t* scratch;
static uint64_t scratch_iova;

static int scratch_map(int container) {
  if (!scratch) {
    scratch = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED) {
      scratch = NULL;
      return -1;
    }
  }
  static uint8_t buf[4096];
  memset(buf, 0, sizeof buf);
  struct vfio_iommu_type1_info* info = (void*)buf;
  info->argsz = sizeof buf;
  if (ioctl(container, VFIO_IOMMU_GET_INFO, info) < 0) return -1;
  uint64_t cand[64];
  int n = 0;
  if ((info->flags & VFIO_IOMMU_INFO_CAPS) && info->cap_offset) {
    for (uint32_t off = info->cap_offset; off && off + 16 <= sizeof buf;) {
      const struct vfio_info_cap_header* h = (const void*)(buf + off);
      if (h->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
        const struct vfio_iommu_type1_info_cap_iova_range* r = (const void*)h;
        for (uint32_t i = r->nr_iovas; i-- > 0 && n < 56;) {
          /* vfio-pci splits 8-byte BAR writes and edu keeps only the last 4 bytes written at 0x80/0x88:
           * DMA addresses must fit in 32 bits. */
          uint64_t end = r->iova_ranges[i].end < 0xffffffffull ? r->iova_ranges[i].end : 0xffffffffull;
          if (end < r->iova_ranges[i].start + 4095) continue;
          uint64_t top = (end - 4095) & ~4095ull;
          for (int k = 0; k < 4 && top >= r->iova_ranges[i].start + (uint64_t)k * 4096 * 4099; ++k)
            cand[n++] = top - (uint64_t)k * 4096 * 4099;
        }
      }
      if (h->next <= off) break;
      off = h->next;
    }
  }
  if (n == 0) cand[n++] = 0x7ffff000ull; /* no range cap: below 2 GiB, a typical usable IOVA */
  int err = EINVAL;
  for (int i = 0; i < n; ++i) {
    struct vfio_iommu_type1_dma_map m = {.argsz = sizeof m,
                                         .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                         .vaddr = (uintptr_t)scratch,
                                         .iova = cand[i],
                                         .size = 4096};
    if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m) == 0) {
      scratch_iova = cand[i];
      return 0;
    }
    err = errno;
    if (err != EEXIST) break;
  }
  errno = err;
  return -1;
}

static void scratch_unmap(int container) {
  struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof u, .iova = scratch_iova, .size = 4096};
  ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
}

static int kmsg_faults(void) {
  size_t saved = out_len;
  op_kmsg(&(struct req){0});
  int faults = 0;
  const char* f = strstr(out + saved, "faults=");
  if (f) faults = atoi(f + 7);
  out_len = saved;
  out[out_len] = 0;
  return faults;
}

/* probe dir=w|r dev=FD container=FD iova=I len=L: the device writes a marker to / reads from IOVA I.
 * dma.write: marker loaded into the edu buffer (from the scratch page), copied to I, then the pool is
 * searched for it: landed at pool_off, or blocked; the pool pattern is restored afterwards. dma.read: marker
 * loaded first (so stale data cannot pass for a read), I copied into the edu buffer, that copied out to the
 * scratch page and decoded: a consistent pool pattern = landed at the offset it names. faults= counts the
 * IOMMU fault lines the kernel logged meanwhile (the second oracle). */
static void op_probe(const struct req* rq) {
  const char* dir = get(rq, "dir");
  int dev = (int)need(rq, "dev"), container = (int)need(rq, "container");
  uint64_t iova = need(rq, "iova"), len = need(rq, "len");
  if (bad_arg) return;
  if (!dir || (dir[0] != 'w' && dir[0] != 'r')) {
    bad_arg = "dir";
    return;
  }
  if (!pool || len == 0 || len > 4096 || len % 8) {
    emit("ok ret=-1 errno=%d why=%s", EINVAL, pool ? "len" : "no-pool");
    return;
  }
  kmsg_faults();
  if (bus_master(dev) < 0) {
    emit("ok ret=-1 errno=%d why=bus-master", errno);
    return;
  }
  if (scratch_map(container) < 0) {
    emit("ok ret=-1 errno=%d why=scratch-map", errno);
    return;
  }
  int rc = 0;
  const char* why = "";
  if (edu_state != EDU_MARKER || dir[0] == 'r') {
    for (int i = 0; i < 512; ++i) ((uint64_t*)scratch)[i] = MARKER ^ (uint64_t)i;
    rc = edu_run(dev, scratch_iova, EDU_BUF, EDU_CHUNK, 0);
    why = "load-marker";
    /* Verify the load: copy it straight back out over a cleared scratch page. */
    if (rc == 0) {
      memset(scratch, 0, 4096);
      rc = edu_run(dev, EDU_BUF, scratch_iova, EDU_CHUNK, 2);
      if (rc == 0 && ((uint64_t*)scratch)[0] != MARKER) rc = -1, errno = EIO;
    }
    if (rc == 0) edu_state = EDU_MARKER;
  }
  int landed = 0;
  uint64_t where = 0;
  if (rc == 0 && dir[0] == 'w') {
    why = "dma";
    for (uint64_t c = 0; rc == 0 && c < len; c += EDU_CHUNK)
      rc = edu_run(dev, EDU_BUF, iova + c, len - c < EDU_CHUNK ? len - c : EDU_CHUNK, 2);
    if (rc == 0) {
      for (uint64_t i = 0; i < pool_size / 8; ++i)
        if (pool[i] != ((i * 8) ^ POOL_TAG)) {
          landed = 1;
          where = i * 8;
          break;
        }
      if (landed) {
        pool_fill(where, len);
        pool_dirty = 1;
      }
    }
  } else if (rc == 0) {
    why = "dma";
    memset(scratch, 0, 4096);
    for (uint64_t c = 0; rc == 0 && c < len; c += EDU_CHUNK) {
      uint64_t n = len - c < EDU_CHUNK ? len - c : EDU_CHUNK;
      edu_state = EDU_UNKNOWN;
      rc = edu_run(dev, iova + c, EDU_BUF, n, 0);
      if (rc == 0) rc = edu_run(dev, EDU_BUF, scratch_iova + c, n, 2);
      why = "read-back";
    }
    if (rc == 0) {
      const uint64_t* w = (const uint64_t*)scratch;
      uint64_t first = w[0] ^ POOL_TAG;
      landed = first < pool_size;
      for (uint64_t i = 1; landed && i < len / 8; ++i) landed = (w[i] ^ POOL_TAG) == first + 8 * i;
      where = first;
    }
  }
  int e = errno;
  scratch_unmap(container);
  int faults = kmsg_faults();
  if (rc < 0) {
    emit("ok ret=-1 errno=%d why=%s", e, why);
    return;
  }
  emit("ok ret=0 errno=0 dma=%s pool_off=0x%llx faults=%d scratch=0x%llx", landed ? "landed" : "blocked",
       (unsigned long long)where, faults, (unsigned long long)scratch_iova);
}

/* dup fd=N: a second reference to the same open file (the host keeps one per attached group, so a probe can
 * still map its scratch page after the vector closed its own container fd). */
static void op_dup(const struct req* rq) {
  int fd = (int)need(rq, "fd");
  if (bad_arg) return;
  int r = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  emit_ret(r, errno);
}

static void op_ping(const struct req* rq) {
  (void)rq;
  emit("ok ret=0 errno=0");
}

static const struct {
  const char* name;
  void (*fn)(const struct req*);
} ops[] = {
    {"hello", op_hello},
    {"ping", op_ping},
    {"find", op_find},
    {"open", op_open},
    {"close", op_close},
    {"reset", op_reset},
    {"ioctl", op_ioctl},
    {"group_status", op_group_status},
    {"set_container", op_set_container},
    {"get_device", op_get_device},
    {"iommu_info", op_iommu_info},
    {"map", op_map},
    {"unmap", op_unmap},
    {"dirty", op_dirty},
    {"alloc", op_alloc},
    {"free", op_free},
    {"protect", op_protect},
    {"peek", op_peek},
    {"poke", op_poke},
    {"dev_info", op_dev_info},
    {"region", op_region},
    {"irq_info", op_irq_info},
    {"set_irqs", op_set_irqs},
    {"efd_read", op_efd_read},
    {"rd", op_rd},
    {"wr", op_wr},
    {"edu_dma", op_edu_dma},
    {"kmsg", op_kmsg},
    {"sysfs_read", op_sysfs_read},
    {"sysfs_write", op_sysfs_write},
    {"pool", op_pool},
    {"dup", op_dup},
    {"probe", op_probe},
};

static void write_all(int fd, const char* p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      exit(3);
    }
    p += w;
    n -= (size_t)w;
  }
}

static void handle(char* line) {
  out_len = 0;
  bad_arg = NULL;
  struct req rq;
  if (parse_req(line, &rq) < 0) {
    emit("bad msg=unparsable%%20request");
  } else if (strcmp(rq.op, "quit") == 0) {
    write_all(chan_out, "ok ret=0 errno=0\n", 17);
    exit(0);
  } else if (strcmp(rq.op, "die") == 0) {
    /* Test hook for the host's crash path: no answer, the agent is gone and init powers the VM off. */
    abort();
  } else if (strcmp(rq.op, "hang") == 0) {
    /* Test hook for the host's timeout path: no answer, ever. */
    for (;;) pause();
  } else {
    size_t i = 0;
    while (i < sizeof ops / sizeof ops[0] && strcmp(ops[i].name, rq.op) != 0) ++i;
    if (i == sizeof ops / sizeof ops[0]) {
      emit("bad msg=unknown%%20op");
    } else {
      ops[i].fn(&rq);
      if (bad_arg) {
        out_len = 0;
        emit("bad msg=bad%%20or%%20missing%%20argument arg=%s", bad_arg);
      }
    }
  }
  emit("\n");
  write_all(chan_out, out, out_len);
}

int main(int argc, char** argv) {
  if (argc > 1) {
    /* The virtio-serial port: the host side may connect before or after we open it. */
    int fd = open(argv[1], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      perror(argv[1]);
      return 2;
    }
    chan_in = chan_out = fd;
  }
  struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
  setrlimit(RLIMIT_MEMLOCK, &unlimited);
  /* Open the kernel log now, so the first kmsg reports only what follows. */
  out_len = 0;
  op_kmsg(&(struct req){0});
  static char buf[LINE_MAX_LEN];
  size_t len = 0;
  for (;;) {
    ssize_t n = read(chan_in, buf + len, sizeof buf - 1 - len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return 3;
    if (n == 0) {
      /* virtio-serial reads 0 while the host end is disconnected: wait for it to reconnect. */
      if (argc > 1) {
        usleep(20000);
        continue;
      }
      return 0;
    }
    len += (size_t)n;
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
      *nl = 0;
      if (nl > start && nl[-1] == '\r') nl[-1] = 0;
      if (*start) handle(start);
      start = nl + 1;
    }
    len -= (size_t)(start - buf);
    memmove(buf, start, len);
    if (len == sizeof buf - 1) len = 0; /* an over-long line: drop it */
  }
}

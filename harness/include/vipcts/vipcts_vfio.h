/*
 * vipcts VFIO suite ABI, version 1 (see docs/implementing-vfio.md and docs/vfio-operations.md).
 *
 * Per scenario the host calls open() once with the scenario state (profile, IOMMU geometry, groups, buffer
 * pool), then apply() once per operation in order (container, group, IOAS, device and fault-queue state
 * carries over), then close(). Every operation is one request struct in and one outcome struct out; which
 * fields a method uses is listed in docs/vfio-operations.md (same names). Handles are scenario-local small
 * integers, never fds.
 */
#ifndef VIPCTS_VIPCTS_VFIO_H
#define VIPCTS_VIPCTS_VFIO_H

#include "vipcts.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIPCTS_VFIO_ABI_VERSION 1u

typedef struct vipcts_vfio_range {
  uint64_t first; /* inclusive */
  uint64_t last;  /* inclusive */
} vipcts_vfio_range;

typedef struct vipcts_vfio_state {
  const char* backend;  /* "type1v1" | "type1v2" | "iommufd" | "iommufd-compat" */
  const char* kernel;   /* "linux-6.1" | "linux-6.12" | "linux-6.18+" */
  const char* geometry; /* geometry name, e.g. "intel-vtd-aw39" */
  uint64_t pgsizes;     /* IOMMU page-size bitmap */
  vipcts_vfio_range aperture;
  const vipcts_vfio_range* reserved; /* sorted, disjoint; valid only during open() */
  size_t reserved_count;
  uint32_t dma_entry_limit;
  uint32_t groups;    /* group g holds device g */
  uint64_t pool_base; /* the buffer pool: request vaddr values are offsets from pool_base */
  uint64_t pool_size;
  uint8_t
      write_implies_read; /* device reads of WRITE-only mappings land (docs/vfio-operations.md, Changes) */
} vipcts_vfio_state;

/* Methods, in the order of docs/vfio-operations.md. */
enum vipcts_vfio_method {
  VIPCTS_VFIO_CONTAINER_OPEN = 0,
  VIPCTS_VFIO_CONTAINER_CLOSE,
  VIPCTS_VFIO_CONTAINER_API_VERSION,
  VIPCTS_VFIO_CONTAINER_CHECK_EXTENSION,
  VIPCTS_VFIO_CONTAINER_SET_IOMMU,
  VIPCTS_VFIO_CONTAINER_MAP_DMA,
  VIPCTS_VFIO_CONTAINER_UNMAP_DMA,
  VIPCTS_VFIO_CONTAINER_GET_INFO,
  VIPCTS_VFIO_CONTAINER_DIRTY_PAGES,
  VIPCTS_VFIO_GROUP_STATUS,
  VIPCTS_VFIO_GROUP_SET_CONTAINER,
  VIPCTS_VFIO_GROUP_UNSET_CONTAINER,
  VIPCTS_VFIO_GROUP_GET_DEVICE,
  VIPCTS_VFIO_IOAS_ALLOC,
  VIPCTS_VFIO_IOAS_MAP,
  VIPCTS_VFIO_IOAS_UNMAP,
  VIPCTS_VFIO_IOAS_COPY,
  VIPCTS_VFIO_IOAS_ALLOW_IOVAS,
  VIPCTS_VFIO_IOAS_IOVA_RANGES,
  VIPCTS_VFIO_IOMMUFD_OPTION,
  VIPCTS_VFIO_IOMMUFD_DESTROY,
  VIPCTS_VFIO_DEVICE_BIND,
  VIPCTS_VFIO_DEVICE_ATTACH,
  VIPCTS_VFIO_DEVICE_DETACH,
  VIPCTS_VFIO_HWPT_ALLOC,
  VIPCTS_VFIO_DMA_WRITE,
  VIPCTS_VFIO_DMA_READ,
  VIPCTS_VFIO_IOPF_ALLOC_QUEUE,
  VIPCTS_VFIO_IOPF_ATTACH,
  VIPCTS_VFIO_IOPF_REQUEST,
  VIPCTS_VFIO_IOPF_STOP_MARKER,
  VIPCTS_VFIO_IOPF_READ,
  VIPCTS_VFIO_IOPF_RESPOND,
  VIPCTS_VFIO_IOPF_REMOVE_DEVICE
};

/* errno by name (values are NOT the Linux numbers). */
enum vipcts_vfio_errno {
  VIPCTS_VFIO_OK = 0,
  VIPCTS_VFIO_EPERM,
  VIPCTS_VFIO_ENOENT,
  VIPCTS_VFIO_EBADF,
  VIPCTS_VFIO_ENOMEM,
  VIPCTS_VFIO_EACCES,
  VIPCTS_VFIO_EFAULT,
  VIPCTS_VFIO_EBUSY,
  VIPCTS_VFIO_EEXIST,
  VIPCTS_VFIO_ENODEV,
  VIPCTS_VFIO_EINVAL,
  VIPCTS_VFIO_ENOSPC,
  VIPCTS_VFIO_ESPIPE,
  VIPCTS_VFIO_ENOTTY,
  VIPCTS_VFIO_E2BIG,
  VIPCTS_VFIO_EMSGSIZE,
  VIPCTS_VFIO_EOPNOTSUPP,
  VIPCTS_VFIO_EADDRINUSE,
  VIPCTS_VFIO_EOVERFLOW
};

#define VIPCTS_VFIO_NO_OBJECT (-2) /* iommufd.option without an object (object_id 0) */

typedef struct vipcts_vfio_request {
  uint32_t method; /* enum vipcts_vfio_method */
  int32_t container, group;
  uint32_t flags;
  uint32_t argsz; /* valid if has_argsz (iommufd: the struct `size`) */
  uint8_t has_argsz;
  uint8_t has_bitmap_pgsize;
  uint8_t last;               /* iopf.request */
  uint64_t iova, size, vaddr; /* vaddr: offset into the pool */
  uint32_t ext, type;
  uint64_t bitmap_pgsize;
  int32_t ioas, dst_ioas, src_ioas, object, id, dev, pt, fault;
  uint64_t length, dst_iova, src_iova, val64;
  const vipcts_vfio_range* ranges; /* ioas.allow_iovas; valid only during apply() */
  size_t range_count;
  uint32_t capacity, option, op;
  uint64_t len;  /* dma probes */
  int64_t pasid; /* -1 = none */
  uint32_t grpid, perm, cookie, code, bytes, max;
  uint64_t addr;
} vipcts_vfio_request;

/* Which out-fields an outcome carries (bit mask in vipcts_vfio_outcome.present). */
enum vipcts_vfio_field {
  VIPCTS_VFIO_HAS_CONTAINER = 1u << 0,
  VIPCTS_VFIO_HAS_IOAS = 1u << 1,
  VIPCTS_VFIO_HAS_HWPT = 1u << 2,
  VIPCTS_VFIO_HAS_DEV = 1u << 3,
  VIPCTS_VFIO_HAS_FAULT = 1u << 4,
  VIPCTS_VFIO_HAS_PT = 1u << 5,
  VIPCTS_VFIO_HAS_SIZE = 1u << 6,
  VIPCTS_VFIO_HAS_IOVA = 1u << 7,
  VIPCTS_VFIO_HAS_LENGTH = 1u << 8,
  VIPCTS_VFIO_HAS_DST_IOVA = 1u << 9,
  VIPCTS_VFIO_HAS_VAL64 = 1u << 10,
  VIPCTS_VFIO_HAS_IOVA_PGSIZES = 1u << 11,
  VIPCTS_VFIO_HAS_OUT_IOVA_ALIGNMENT = 1u << 12,
  VIPCTS_VFIO_HAS_POOL_OFFSET = 1u << 13,
  VIPCTS_VFIO_HAS_FLAGS = 1u << 14,
  VIPCTS_VFIO_HAS_NUM = 1u << 15,
  VIPCTS_VFIO_HAS_DMA_AVAIL = 1u << 16,
  VIPCTS_VFIO_HAS_QUEUED = 1u << 17,
  VIPCTS_VFIO_HAS_IOVA_RANGES = 1u << 18,
  VIPCTS_VFIO_HAS_RANGES = 1u << 19,
  VIPCTS_VFIO_HAS_MIGRATION = 1u << 20,
  VIPCTS_VFIO_HAS_DIRTY = 1u << 21,
  VIPCTS_VFIO_HAS_DMA = 1u << 22,
  VIPCTS_VFIO_HAS_RESPONSES = 1u << 23,
  VIPCTS_VFIO_HAS_FAULTS = 1u << 24
};

#define VIPCTS_VFIO_MAX_RANGES 64
#define VIPCTS_VFIO_MAX_DIRTY 4096
#define VIPCTS_VFIO_MAX_RESPONSES 64
#define VIPCTS_VFIO_MAX_FAULTS 64

enum vipcts_vfio_dma { VIPCTS_VFIO_DMA_LANDED = 0, VIPCTS_VFIO_DMA_BLOCKED = 1 };

typedef struct vipcts_vfio_page_response {
  int32_t dev;
  int64_t pasid;
  uint32_t grpid, code;
} vipcts_vfio_page_response;

typedef struct vipcts_vfio_fault {
  int32_t dev;
  int64_t pasid;
  uint32_t grpid, perm, cookie;
  uint64_t addr;
  uint8_t last;
} vipcts_vfio_fault;

typedef struct vipcts_vfio_outcome {
  int64_t ret;
  uint32_t err;     /* enum vipcts_vfio_errno; VIPCTS_VFIO_OK on success */
  uint32_t present; /* enum vipcts_vfio_field bits */
  int32_t container, ioas, hwpt, dev, fault, pt;
  uint64_t size, iova, length, dst_iova, val64, iova_pgsizes, out_iova_alignment, pool_offset;
  uint32_t flags, num, dma_avail, queued;
  uint8_t dma; /* enum vipcts_vfio_dma */
  uint64_t migration_pgsize_bitmap, migration_max_dirty_bitmap_size;
  uint32_t iova_range_count; /* container.get_info iova_ranges */
  vipcts_vfio_range iova_ranges[VIPCTS_VFIO_MAX_RANGES];
  uint32_t range_count; /* ioas.iova_ranges ranges */
  vipcts_vfio_range ranges[VIPCTS_VFIO_MAX_RANGES];
  uint32_t dirty_count;
  uint64_t dirty[VIPCTS_VFIO_MAX_DIRTY];
  uint32_t response_count;
  vipcts_vfio_page_response responses[VIPCTS_VFIO_MAX_RESPONSES];
  uint32_t fault_count;
  vipcts_vfio_fault faults[VIPCTS_VFIO_MAX_FAULTS];
} vipcts_vfio_outcome;

typedef struct vipcts_vfio_ops {
  /* Returns an opaque context, or NULL if the state cannot be loaded. */
  void* (*open)(const vipcts_vfio_state* state);
  /* Fills *out (zeroed by the host); returns 0, or non-zero if the implementation cannot answer (error
   * verdict). */
  int (*apply)(void* ctx, const vipcts_vfio_request* request, vipcts_vfio_outcome* out);
  void (*close)(void* ctx);
} vipcts_vfio_ops;

#ifdef __cplusplus
}
#endif

#endif /* VIPCTS_VIPCTS_VFIO_H */

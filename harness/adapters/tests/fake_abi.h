/* The C table of the test-only suite "fake" (fake_suite.hpp), as a plugin exports it. */
#ifndef VIPCTS_ADAPTERS_TESTS_FAKE_ABI_H
#define VIPCTS_ADAPTERS_TESTS_FAKE_ABI_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fake_ops {
  void* (*open)(long start);
  /* Returns 0 and the operation count, or non-zero when it cannot answer. */
  int (*echo)(void* ctx, long x, long* count);
  void (*close)(void* ctx);
} fake_ops;

#ifdef __cplusplus
}
#endif

#endif

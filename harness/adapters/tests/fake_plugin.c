/* A C-ABI implementation of the "fake" suite with planted misbehaviour: x == 13 crashes (SIGSEGV), x == 14
 * hangs, x == 15 cannot answer. Built three ways: normal, -DFAKE_BAD_ABI (wrong abi_version),
 * -DFAKE_NO_ENTRY. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_abi.h"
#include "vipcts/vipcts.h"

typedef struct ctx {
  long count;
} ctx;

static void* fake_open(long start) {
  ctx* c = malloc(sizeof *c);
  if (c) c->count = start;
  /* A plugin that prints must not corrupt the protocol: the host sends this to stderr. */
  printf("fake plugin: open(%ld)\n", start);
  fflush(stdout);
  return c;
}

static int fake_echo(void* p, long x, long* count) {
  ctx* c = p;
  if (x == 13) raise(SIGSEGV);
  if (x == 14)
    for (;;) pause();
  if (x == 15) return 1;
  *count = c->count++;
  return 0;
}

static void fake_close(void* p) {
  free(p);
}

static const fake_ops ops = {fake_open, fake_echo, fake_close};

static const void* suite(const char* name, uint32_t abi) {
  (void)abi;
  return (name[0] == 'f' && name[1] == 'a' && name[2] == 'k' && name[3] == 'e' && name[4] == 0) ? &ops : NULL;
}

static const char* const features[] = {"fake.a", NULL};

#ifdef FAKE_BAD_ABI
#define ABI 99u
#else
#define ABI VIPCTS_ABI_VERSION
#endif

static const vipcts_implementation impl = {ABI, "fake-plugin", "0.0.1", features, NULL, suite};

#ifndef FAKE_NO_ENTRY
__attribute__((visibility("default"))) const vipcts_implementation* vipcts_entry(uint32_t host_abi) {
  (void)host_abi;
  return &impl;
}
#else
const vipcts_implementation* not_the_entry(void) {
  return &impl;
}
#endif

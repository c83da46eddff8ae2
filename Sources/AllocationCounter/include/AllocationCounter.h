#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

#include <stdint.h>

/// How many heap allocations (malloc, calloc, realloc of a new block, and the aligned ones) this process made so far.
///
/// Linking this target into an executable interposes glibc's allocator entry points with counting ones that call
/// glibc's own (`__libc_malloc`, …), so the count covers every allocation in the process, the Swift runtime's included.
uint64_t allocation_count(void);

#endif

#ifndef CMONGOC_SHIM_H
#define CMONGOC_SHIM_H

#include <pthread.h>
#include <stddef.h>
#include <mongoc/mongoc.h>
#include <bson/bson.h>

/* glibc declares this only under _GNU_SOURCE, and defining that here would change system types for this
   module alone; the function itself is always in libc. */
extern int pthread_getname_np(pthread_t thread, char *name, size_t length);

/// Copies the current thread's name into `buffer` (used to check where blocking calls run).
static inline int cmongoc_current_thread_name(char *buffer, size_t length) {
    return pthread_getname_np(pthread_self(), buffer, length);
}

#endif

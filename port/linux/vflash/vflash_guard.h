/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file vflash_guard.h
 * \brief Guards shared mappings of flash backing files against SIGBUS.
 *
 * A MAP_SHARED mapping of a file raises SIGBUS on any access past the file's end: a backing
 * file that someone truncates (or replaces with cp) under a live process would kill it. A
 * guarded range is watched by a SIGBUS handler: a fault inside it replaces the whole range with
 * anonymous zero pages (the access then completes) and marks the range tripped; the owner polls
 * vflash_guard_tripped() after its accesses and treats the device as lost. A SIGBUS outside
 * every guarded range keeps its default action (the process dies as before).
 *
 * Process-wide state, one thread: add, remove and the accesses happen on the thread that owns
 * the mappings. Not for core/ (it has no signals).
 */
#ifndef VFLASH_GUARD_H
#define VFLASH_GUARD_H

#include <stdbool.h>
#include <stddef.h>

/**
 * \brief Guards [base, base + len) (a mapping of whole pages); (re)installs the SIGBUS handler.
 * \return 0; BO_ENOMEM when the table cannot grow; BO_EOS if sigaction failed.
 */
int vflash_guard_add(void *base, size_t len);

/** \brief Stops guarding the range that starts at base (no-op if none). */
void vflash_guard_remove(const void *base);

/** \brief Whether a SIGBUS hit the range that starts at base (it now holds zero pages). */
bool vflash_guard_tripped(const void *base);

#endif /* VFLASH_GUARD_H */

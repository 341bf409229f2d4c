/* SPDX-License-Identifier: Apache-2.0 */
/* SIGBUS guard of shared flash mappings: a shrunk backing file faults a device, not the process. */
#include "vflash/vflash_guard.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bo_err.h"

/* One guarded range; base 0 is a free slot. */
struct vflash_guard_range {
    volatile uintptr_t base;
    volatile size_t len;
    volatile sig_atomic_t tripped;
};

/* The table, grown by vflash_guard_add() (one per daemon device flash map, so no fixed count). */
static struct vflash_guard_range *volatile vflash_guard_ranges;
static volatile size_t vflash_guard_cap;

/* The handler: swaps zero pages in under a guarded range, or restores the default action. */
static void vflash_guard_handler(int sig, siginfo_t *si, void *uc)
{
    uintptr_t addr = (uintptr_t)si->si_addr;
    size_t i;

    (void)uc;
    for (i = 0; i < vflash_guard_cap; i++) {
        struct vflash_guard_range *r = &vflash_guard_ranges[i];

        if (r->base != 0 && addr >= r->base && addr - r->base < r->len) {
            /* mmap is a plain system call here; the faulting access is retried on return. */
            if (mmap((void *)r->base, r->len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
                r->tripped = 1;
                return;
            }
        }
    }
    signal(sig, SIG_DFL);
}

/*
 * Doubles the table. The handler only runs on a fault of this thread's own flash accesses,
 * never inside this function, so the old table can go at once.
 */
static int vflash_guard_grow(void)
{
    size_t cap = vflash_guard_cap == 0 ? 64 : vflash_guard_cap * 2;
    struct vflash_guard_range *grown = calloc(cap, sizeof(*grown));
    struct vflash_guard_range *old = vflash_guard_ranges;

    if (grown == NULL) {
        return BO_ENOMEM;
    }
    for (size_t i = 0; i < vflash_guard_cap; i++) {
        grown[i].base = old[i].base;
        grown[i].len = old[i].len;
        grown[i].tripped = old[i].tripped;
    }
    vflash_guard_ranges = grown;
    vflash_guard_cap = cap;
    free(old);
    return 0;
}

int vflash_guard_add(void *base, size_t len)
{
    struct sigaction sa;
    size_t i;

    /* (Re)installed on each add: a handler someone set since then must not hide ours. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = vflash_guard_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, NULL) != 0) {
        return BO_EOS;
    }
    for (;;) {
        for (i = 0; i < vflash_guard_cap; i++) {
            if (vflash_guard_ranges[i].base == 0) {
                vflash_guard_ranges[i].len = len;
                vflash_guard_ranges[i].tripped = 0;
                vflash_guard_ranges[i].base = (uintptr_t)base;
                return 0;
            }
        }
        if (vflash_guard_grow() < 0) {
            return BO_ENOMEM;
        }
    }
}

void vflash_guard_remove(const void *base)
{
    size_t i;

    for (i = 0; base != NULL && i < vflash_guard_cap; i++) {
        if (vflash_guard_ranges[i].base == (uintptr_t)base) {
            vflash_guard_ranges[i].base = 0;
            vflash_guard_ranges[i].len = 0;
            vflash_guard_ranges[i].tripped = 0;
        }
    }
}

bool vflash_guard_tripped(const void *base)
{
    size_t i;

    for (i = 0; base != NULL && i < vflash_guard_cap; i++) {
        if (vflash_guard_ranges[i].base == (uintptr_t)base) {
            return vflash_guard_ranges[i].tripped != 0;
        }
    }
    return false;
}

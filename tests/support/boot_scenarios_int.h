/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the parts of the bootloader scenarios share (boot_scenarios.c: the matrix and its
 * scenarios; boot_power_sweep.c: power-cut sweeps; boot_fault_sweep.c: torn-write sweeps;
 * boot_board_files.c: the shipped board files): the failure context, its check macros and the
 * steps every part uses.
 */
#ifndef TESTS_SUPPORT_BOOT_SCENARIOS_INT_H
#define TESTS_SUPPORT_BOOT_SCENARIOS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "boot_fixture.h"
#include "boot_scenarios.h"

/* The context of a failure message. */
struct bs_ctx {
    struct bf f;
    const char *board;
    uint32_t wu;
    uint8_t ev;
    enum boot_mode mode;
    const char *what;
    uint32_t max[2];
    bool started;
};

#define BS_CHECK(c, cond, ...)                                                              \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "FAIL %s wu=%u ev=0x%02x %s %s line %d: ", (c)->board, (c)->wu, \
                    (c)->ev, boot_mode_name((c)->mode), (c)->what, __LINE__);               \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fprintf(stderr, "\n");                                                          \
            return BS_FAIL;                                                                 \
        }                                                                                   \
    } while (0)

#define BS_TRY(x)                \
    do {                         \
        int bs_rc_ = (x);        \
        if (bs_rc_ != BS_PASS) { \
            return bs_rc_;       \
        }                        \
    } while (0)

/* What an uninterrupted run ended with. */
struct bs_outcome {
    uint8_t major;
    struct boot_swap_state pri;
    struct boot_swap_state sec;
    uint8_t hash[32];
};

/* Starts the fixture on a matrix board variant; BS_SKIP when the mode does not fit it. */
int bs_begin(struct bs_ctx *c, const struct bs_board *b, uint32_t wu, uint8_t ev,
             enum boot_mode mode, int images, const char *what);

/* Stops the fixture bs_begin() started. */
void bs_end(struct bs_ctx *c);

/* Boots and checks the version of image 0 and the operation performed (0: any). */
int bs_boot(struct bs_ctx *c, uint8_t major, uint8_t swap_type, struct boot_rsp *rsp);

/* One more boot changes no byte of flash. */
int bs_stable(struct bs_ctx *c, uint8_t major);

/* Installs v_pri in the primary and v_sec in the secondary of an image. */
int bs_install2(struct bs_ctx *c, uint32_t image, uint8_t v_pri, uint8_t v_sec, uint32_t payload);

/* Records the outcome of a run that runs major: trailers and the primary's first 8 KiB hash. */
int bs_outcome(struct bs_ctx *c, uint8_t major, struct bs_outcome *o);

#endif /* TESTS_SUPPORT_BOOT_SCENARIOS_INT_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* Descriptions of the error codes of bo_err.h. */
#include "bo_err.h"

const char *bo_strerror(int err)
{
    static const char *const text[] = {
        "success",
        "invalid argument or input",
        "out of memory",
        "out of range",
        "input/output error",
        "no such entry",
        "already exists",
        "busy",
        "misaligned operation",
        "violates flash program semantics",
        "malformed image",
        "signature or hash does not verify",
        "power cut",
        "crypto library error",
        "entropy source failed",
        "not supported",
        "timed out",
        "invalid in the current state",
        "protocol violation",
        "operating-system call failed",
    };
    if (err > 0 || err <= BO_ERR_MIN_) {
        return "unknown error";
    }
    return text[-err];
}

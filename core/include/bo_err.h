/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file bo_err.h
 * \brief The one error enum of brownout: every function that can fail returns 0 or one of these.
 *
 * Core, port and simulator share it, so an error code keeps its meaning across layers. Codes are
 * negative; new ones are appended, never renumbered (they appear in logs and JSON replies).
 */
#ifndef BO_ERR_H
#define BO_ERR_H

enum bo_err {
    BO_OK = 0,
    BO_EINVAL = -1,     /**< An argument or input is malformed. */
    BO_ENOMEM = -2,     /**< An allocation failed or a heap budget is exhausted. */
    BO_ERANGE = -3,     /**< An offset or length lies outside its area. */
    BO_EIO = -4,        /**< The (virtual) hardware reported an error. */
    BO_ENOENT = -5,     /**< A named thing does not exist. */
    BO_EEXIST = -6,     /**< A thing that must be new already exists. */
    BO_EBUSY = -7,      /**< The resource is in use. */
    BO_EALIGN = -8,     /**< An operation is not aligned to the write unit or sector. */
    BO_ESEMANTICS = -9, /**< A flash operation violates the part's program semantics. */
    BO_EBADIMAGE = -10, /**< An image is malformed. */
    BO_EBADSIG = -11,   /**< A signature or hash does not verify, or the key is not trusted. */
    BO_EPOWER = -12,    /**< Power was cut: the firmware must stop at once. */
    BO_ECRYPTO = -13,   /**< The crypto library reported an error. */
    BO_EENTROPY = -14,  /**< The entropy source failed. */
    BO_ENOTSUP = -15,   /**< The operation is not supported by this build or configuration. */
    BO_ETIMEDOUT = -16, /**< A deadline passed. */
    BO_ESTATE = -17,    /**< The operation is not valid in the current state. */
    BO_EPROTO = -18,    /**< A peer violated a protocol. */
    BO_EOS = -19,       /**< An operating-system call failed (port and simulator only). */
    BO_ERR_MIN_ = -20   /**< Lower bound, for range checks; not a code. */
};

/**
 * \brief A short constant description of an error code.
 *
 * \param err  0 or a value of enum bo_err; anything else gives "unknown error".
 * \return     A static NUL-terminated string; never NULL.
 */
const char *bo_strerror(int err);

#endif /* BO_ERR_H */

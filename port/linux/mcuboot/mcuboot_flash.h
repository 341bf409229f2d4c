/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file mcuboot_flash.h
 * \brief The flash layer an upstream MCUboot variant calls: flash_area_read/write/erase with a
 *        way out at a power cut.
 *
 * mk/mcuboot.mk renames upstream's references to flash_area_read, flash_area_write and
 * flash_area_erase to the mcuboot_flash_area_* functions below (objcopy --redefine-sym on the
 * variant's objects; upstream's sources stay untouched). Each calls the port's function and,
 * when it returns BO_EPOWER, unwinds to the mcuboot_run_* call that entered upstream.
 */
#ifndef MCUBOOT_FLASH_H
#define MCUBOOT_FLASH_H

#include <stdint.h>

#include "flash_map_backend/flash_map_backend.h"

/** \brief flash_area_read(), unwinding at a power cut. */
int mcuboot_flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len);

/** \brief flash_area_write(), unwinding at a power cut. */
int mcuboot_flash_area_write(const struct flash_area *fa, uint32_t off, const void *src,
                             uint32_t len);

/** \brief flash_area_erase(), unwinding at a power cut. */
int mcuboot_flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len);

/**
 * \brief Unwinds out of upstream (longjmp to the running mcuboot_run_* call) when rc is
 *        BO_EPOWER and such a call is running; returns otherwise.
 */
void mcuboot_flash_unwind_if_cut(int rc);

#endif /* MCUBOOT_FLASH_H */

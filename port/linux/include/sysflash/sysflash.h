/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file sysflash.h
 * \brief The flash area ids of the Linux port (the names MCUboot's sysflash.h defines).
 *
 * A board file names its partitions; the port maps each name to one of these ids.
 */
#ifndef SYSFLASH_SYSFLASH_H
#define SYSFLASH_SYSFLASH_H

#define FLASH_AREA_BOOTLOADER 0
#define FLASH_AREA_IMAGE_0 1       /* image 0, primary slot   (board name: image-0-primary) */
#define FLASH_AREA_IMAGE_1 2       /* image 0, secondary slot (board name: image-0-secondary) */
#define FLASH_AREA_IMAGE_SCRATCH 3 /* scratch                 (board name: scratch) */
#define FLASH_AREA_IMAGE_2 4       /* image 1, primary slot   (board name: image-1-primary) */
#define FLASH_AREA_IMAGE_3 5       /* image 1, secondary slot (board name: image-1-secondary) */
#define FLASH_AREA_COUNT 6

#define FLASH_AREA_IMAGE_PRIMARY(x) \
    ((x) == 0 ? FLASH_AREA_IMAGE_0 : (x) == 1 ? FLASH_AREA_IMAGE_2 : 255)
#define FLASH_AREA_IMAGE_SECONDARY(x) \
    ((x) == 0 ? FLASH_AREA_IMAGE_1 : (x) == 1 ? FLASH_AREA_IMAGE_3 : 255)

#endif /* SYSFLASH_SYSFLASH_H */

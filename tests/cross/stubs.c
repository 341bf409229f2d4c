/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stub port of make cross: just enough of the port contract for the boot core to link into a
 * Cortex-M4 image whose size can be measured. Nothing here runs: the flash functions report
 * errors, the key is a placeholder. main() calls boot_go() like a real bootloader would, so
 * the linker keeps exactly what booting needs (--gc-sections drops the rest).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bo_err.h"
#include "boot/loader.h"
#include "config/build_info.h"
#include "flash_map_backend/flash_map_backend.h"
#include "mcuboot_config/mcuboot_logging.h"
#include "port/port_boot.h"
#include "port/port_log.h"
#include "port/port_time.h"
#include "port_heap_hooks.h"

int main(void);

/* A fixed heap for Mbed TLS (key parsing and signature checks). */
#define STUB_HEAP_SIZE (8 * 1024)

static uint8_t stub_heap[STUB_HEAP_SIZE] __attribute__((aligned(8)));
static size_t stub_heap_used;

void *port_heap_calloc(size_t nmemb, size_t size)
{
    size_t len;
    void *p;

    if (size != 0 && nmemb > SIZE_MAX / size) {
        return NULL;
    }
    len = (nmemb * size + 7u) & ~(size_t)7u;
    if (len > STUB_HEAP_SIZE - stub_heap_used) {
        return NULL;
    }
    p = &stub_heap[stub_heap_used];
    stub_heap_used += len;
    memset(p, 0, len);
    return p;
}

void port_heap_release(void *ptr)
{
    (void)ptr;
}

void port_log(enum port_log_level level, const char *module, const char *fmt, ...)
{
    (void)level;
    (void)module;
    (void)fmt;
}

void port_log_mcuboot(int level, const char *module, const char *fmt, ...)
{
    (void)level;
    (void)module;
    (void)fmt;
}

void port_log_v(enum port_log_level level, const char *module, const char *fmt, va_list ap)
{
    (void)level;
    (void)module;
    (void)fmt;
    (void)ap;
}

uint64_t port_time_ms(void)
{
    return 0;
}

int flash_area_open(uint8_t id, const struct flash_area **fap)
{
    (void)id;
    *fap = NULL;
    return BO_EIO;
}

void flash_area_close(const struct flash_area *fa)
{
    (void)fa;
}

int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len)
{
    (void)fa;
    (void)off;
    (void)dst;
    (void)len;
    return BO_EIO;
}

int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src, uint32_t len)
{
    (void)fa;
    (void)off;
    (void)src;
    (void)len;
    return BO_EIO;
}

int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    (void)fa;
    (void)off;
    (void)len;
    return BO_EIO;
}

uint32_t flash_area_align(const struct flash_area *fa)
{
    (void)fa;
    return 8;
}

uint8_t flash_area_erased_val(const struct flash_area *fa)
{
    (void)fa;
    return 0xff;
}

int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors)
{
    (void)fa_id;
    (void)sectors;
    *count = 0;
    return BO_EIO;
}

int flash_area_get_sector(const struct flash_area *fa, uint32_t off, struct flash_sector *sector)
{
    (void)fa;
    (void)off;
    (void)sector;
    return BO_EIO;
}

int flash_area_id_from_multi_image_slot(int image_index, int slot)
{
    return image_index == 0 ? (slot == 0 ? 1 : 2) : -1;
}

int flash_area_id_from_image_slot(int slot)
{
    return flash_area_id_from_multi_image_slot(0, slot);
}

/* A placeholder P-256 key: the image only has to link, not to verify anything. */
static const uint8_t stub_key_der[91] = { 0x30 };

static const struct image_key stub_keys[] = {
    { .type = IMAGE_KEY_EC256, .der = stub_key_der, .der_len = sizeof(stub_key_der) },
};

/* The firmware's boot configuration, from the derived macros of its mcuboot_config.h. */
static const struct boot_config stub_boot_config = {
    .mode = (enum boot_mode)BROWNOUT_CFG_MODE,
    .image_count = BROWNOUT_CFG_IMAGE_NUMBER,
    .validate_primary = BROWNOUT_CFG_VALIDATE_PRIMARY,
    .downgrade_version = BROWNOUT_CFG_DOWNGRADE_VERSION,
    .downgrade_sec_cnt = BROWNOUT_CFG_DOWNGRADE_SEC_CNT,
    .allow_unsigned = BROWNOUT_CFG_ALLOW_UNSIGNED,
    .keys = stub_keys,
    .key_count = 1,
    .max_align = BROWNOUT_CFG_MAX_ALIGN,
    .max_sectors = BROWNOUT_CFG_MAX_IMG_SECTORS,
};

const struct boot_config *port_boot_config(void)
{
    return &stub_boot_config;
}

int main(void)
{
    struct boot_rsp rsp;

    return boot_go(&rsp) == 0 ? (int)rsp.br_image_off : 1;
}

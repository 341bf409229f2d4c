/* SPDX-License-Identifier: Apache-2.0 */
/* MCUboot's flash_area_* API over vflash devices, on the calling thread's active flash map. */
#include "port_flash_map.h"

#include <string.h>

#include "bo_err.h"
#include "mcuboot_config/mcuboot_config.h"

static _Thread_local struct port_flash_map *flash_map_current;

void port_flash_map_init(struct port_flash_map *map)
{
    memset(map, 0, sizeof(*map));
    for (uint32_t i = 0; i < PORT_FLASH_MAP_MAX_DEVICES; i++) {
        vflash_init(&map->owned[i]);
    }
}

void port_flash_map_free(struct port_flash_map *map)
{
    if (map == NULL) {
        return;
    }
    if (flash_map_current == map) {
        flash_map_current = NULL;
    }
    for (uint32_t i = 0; i < PORT_FLASH_MAP_MAX_DEVICES; i++) {
        vflash_free(&map->owned[i]);
    }
    port_flash_map_init(map);
}

/* Copies the board's partitions into the map's areas. */
static void port_flash_map_areas(struct port_flash_map *map, const struct board *board)
{
    for (uint8_t id = 0; id < FLASH_AREA_COUNT; id++) {
        const struct board_partition *p = &board->part[id];

        if (!p->present) {
            continue;
        }
        map->present[id] = true;
        map->areas[id].fa_id = id;
        map->areas[id].fa_device_id = p->device;
        map->areas[id].fa_off = p->off;
        map->areas[id].fa_size = p->size;
    }
}

int port_flash_map_setup(struct port_flash_map *map, const struct board *board,
                         struct vflash *const devices[], uint32_t count)
{
    int rc;

    port_flash_map_free(map);
    rc = board_validate(board, NULL, 0);
    if (rc < 0) {
        goto out;
    }
    if (devices == NULL || count != board->flash_count) {
        rc = BO_EINVAL;
        goto out;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t size = 0;

        (void)vflash_geometry_check(&board->flash[i].geom, &size);
        if (devices[i] == NULL || devices[i]->sectors == NULL || devices[i]->size != size) {
            rc = BO_EINVAL;
            goto out;
        }
        map->devices[i] = devices[i];
    }
    map->device_count = count;
    port_flash_map_areas(map, board);
    rc = 0;
out:
    if (rc < 0) {
        port_flash_map_free(map);
    }
    return rc;
}

int port_flash_map_setup_board(struct port_flash_map *map, const struct board *board)
{
    int rc;

    port_flash_map_free(map);
    rc = board_validate(board, NULL, 0);
    if (rc < 0) {
        goto out;
    }
    for (uint32_t i = 0; i < board->flash_count; i++) {
        rc = vflash_setup(&map->owned[i], &board->flash[i].geom, NULL, 0, NULL);
        if (rc < 0) {
            goto out;
        }
        map->devices[i] = &map->owned[i];
    }
    map->device_count = board->flash_count;
    map->owns_devices = true;
    port_flash_map_areas(map, board);
    rc = 0;
out:
    if (rc < 0) {
        port_flash_map_free(map);
    }
    return rc;
}

int port_flash_map_setup_board_file(struct port_flash_map *map, const char *path, char *err,
                                    size_t err_len)
{
    struct board board;
    int rc;

    port_flash_map_free(map);
    rc = board_load(&board, path, err, err_len);
    if (rc < 0) {
        return rc;
    }
    return port_flash_map_setup_board(map, &board);
}

struct port_flash_map *port_flash_map_activate(struct port_flash_map *map)
{
    struct port_flash_map *prev = flash_map_current;

    flash_map_current = map;
    return prev;
}

struct port_flash_map *port_flash_map_active(void)
{
    return flash_map_current;
}

struct vflash *port_flash_map_device(struct port_flash_map *map, uint32_t index)
{
    if (map == NULL || index >= map->device_count) {
        return NULL;
    }
    return map->devices[index];
}

void port_flash_map_set_clock(struct port_flash_map *map, struct port_clock *clock)
{
    if (map == NULL) {
        return;
    }
    for (uint32_t i = 0; i < map->device_count; i++) {
        vflash_set_clock(map->devices[i], clock);
    }
}

void port_flash_map_power_on(struct port_flash_map *map)
{
    if (map == NULL) {
        return;
    }
    for (uint32_t i = 0; i < map->device_count; i++) {
        vflash_power_on(map->devices[i]);
    }
}

uint32_t port_flash_map_open_total(const struct port_flash_map *map)
{
    uint32_t total = 0;

    if (map == NULL) {
        return 0;
    }

    for (uint32_t id = 0; id < FLASH_AREA_COUNT; id++) {
        total += map->open_count[id];
    }
    return total;
}

/* ---- The flash_area_* contract (flash_map_backend.h). ---- */

/* The device an area lives on, in the active map, or NULL. */
static struct vflash *flash_map_device_of(const struct flash_area *fa)
{
    struct port_flash_map *map = flash_map_current;

    if (map == NULL || fa == NULL || fa->fa_device_id >= map->device_count) {
        return NULL;
    }
    return map->devices[fa->fa_device_id];
}

/* The index of fa in the active map's areas, or -1 when it is not one of them. */
static int flash_map_index_of(const struct flash_area *fa)
{
    struct port_flash_map *map = flash_map_current;

    if (map == NULL || fa == NULL) {
        return -1;
    }
    for (int id = 0; id < FLASH_AREA_COUNT; id++) {
        if (fa == &map->areas[id]) {
            return id;
        }
    }
    return -1;
}

/* Checks [off, off + len) against the area and the area against its device. */
static int flash_map_check(const struct flash_area *fa, const struct vflash *dev, uint32_t off,
                           uint32_t len)
{
    if (fa->fa_off > dev->size || fa->fa_size > dev->size - fa->fa_off) {
        return BO_ERANGE;
    }
    if (off > fa->fa_size || len > fa->fa_size - off) {
        return BO_ERANGE;
    }
    return 0;
}

int flash_area_open(uint8_t id, const struct flash_area **fap)
{
    struct port_flash_map *map = flash_map_current;

    if (fap == NULL) {
        return BO_EINVAL;
    }
    if (map == NULL || id >= FLASH_AREA_COUNT || !map->present[id]) {
        return BO_ENOENT;
    }
    map->open_count[id]++;
    *fap = &map->areas[id];
    return 0;
}

void flash_area_close(const struct flash_area *fa)
{
    struct port_flash_map *map = flash_map_current;
    int id;

    if (fa == NULL || map == NULL) {
        return;
    }
    id = flash_map_index_of(fa);
    if (id < 0 || map->open_count[id] == 0) {
        map->misuse_count++;
        return;
    }
    map->open_count[id]--;
}

int flash_area_read(const struct flash_area *fa, uint32_t off, void *dst, uint32_t len)
{
    struct vflash *dev = flash_map_device_of(fa);
    int rc;

    if (dev == NULL) {
        return fa == NULL ? BO_EINVAL : BO_ENOENT;
    }
    rc = flash_map_check(fa, dev, off, len);
    if (rc < 0) {
        return rc;
    }
    return vflash_read(dev, fa->fa_off + off, dst, len);
}

int flash_area_write(const struct flash_area *fa, uint32_t off, const void *src, uint32_t len)
{
    struct vflash *dev = flash_map_device_of(fa);
    int rc;

    if (dev == NULL) {
        return fa == NULL ? BO_EINVAL : BO_ENOENT;
    }
    rc = flash_map_check(fa, dev, off, len);
    if (rc < 0) {
        return rc;
    }
    return vflash_program(dev, fa->fa_off + off, src, len);
}

int flash_area_erase(const struct flash_area *fa, uint32_t off, uint32_t len)
{
    struct vflash *dev = flash_map_device_of(fa);
    int rc;

    if (dev == NULL) {
        return fa == NULL ? BO_EINVAL : BO_ENOENT;
    }
    rc = flash_map_check(fa, dev, off, len);
    if (rc < 0) {
        return rc;
    }
    return vflash_erase(dev, fa->fa_off + off, len);
}

uint32_t flash_area_align(const struct flash_area *fa)
{
    struct vflash *dev = flash_map_device_of(fa);

    return dev != NULL ? dev->geom.write_unit : 1u;
}

uint8_t flash_area_erased_val(const struct flash_area *fa)
{
    struct vflash *dev = flash_map_device_of(fa);

    return dev != NULL ? dev->geom.erased_val : 0xffu;
}

/*
 * Walks the device sectors overlapping area fa, clipped to it, offsets relative to the area.
 * Stores up to room of them in out (which may be NULL) and returns how many there are.
 */
static uint32_t flash_map_walk(const struct flash_area *fa, const struct vflash *dev,
                               struct flash_sector *out, uint32_t room)
{
    uint32_t n = 0;
    uint32_t end = fa->fa_off + fa->fa_size;
    int first;

    if (fa->fa_size == 0) {
        return 0;
    }
    first = vflash_sector_at(dev, fa->fa_off);
    for (uint32_t i = (uint32_t)first; i < dev->sector_count && dev->sectors[i].off < end; i++) {
        uint32_t s_start = dev->sectors[i].off;
        uint32_t s_end = s_start + dev->sectors[i].size;

        if (s_start < fa->fa_off) {
            s_start = fa->fa_off;
        }
        if (s_end > end) {
            s_end = end;
        }
        if (out != NULL && n < room) {
            out[n].fs_off = s_start - fa->fa_off;
            out[n].fs_size = s_end - s_start;
        }
        n++;
    }
    return n;
}

int flash_area_get_sectors(int fa_id, uint32_t *count, struct flash_sector *sectors)
{
    struct port_flash_map *map = flash_map_current;
    const struct flash_area *fa;
    struct vflash *dev;
    uint32_t n;

    if (count == NULL || (sectors == NULL && *count != 0)) {
        return BO_EINVAL;
    }
    if (map == NULL || fa_id < 0 || fa_id >= FLASH_AREA_COUNT || !map->present[fa_id]) {
        return BO_ENOENT;
    }
    fa = &map->areas[fa_id];
    dev = flash_map_device_of(fa);
    if (dev == NULL || flash_map_check(fa, dev, 0, 0) < 0) {
        return BO_ENOENT;
    }
    n = flash_map_walk(fa, dev, NULL, 0);
    if (n > *count) {
        return BO_ENOMEM;
    }
    (void)flash_map_walk(fa, dev, sectors, n);
    *count = n;
    return 0;
}

int flash_area_get_sector(const struct flash_area *fa, uint32_t off, struct flash_sector *sector)
{
    struct vflash *dev = flash_map_device_of(fa);
    uint32_t s_start;
    uint32_t s_end;
    int idx;

    if (fa == NULL || sector == NULL) {
        return BO_EINVAL;
    }
    if (dev == NULL) {
        return BO_ENOENT;
    }
    if (flash_map_check(fa, dev, 0, 0) < 0 || off >= fa->fa_size) {
        return BO_ERANGE;
    }
    idx = vflash_sector_at(dev, fa->fa_off + off);
    if (idx < 0) {
        return BO_ERANGE;
    }
    s_start = dev->sectors[idx].off;
    s_end = s_start + dev->sectors[idx].size;
    if (s_start < fa->fa_off) {
        s_start = fa->fa_off;
    }
    if (s_end > fa->fa_off + fa->fa_size) {
        s_end = fa->fa_off + fa->fa_size;
    }
    sector->fs_off = s_start - fa->fa_off;
    sector->fs_size = s_end - s_start;
    return 0;
}

int flash_area_id_from_multi_image_slot(int image_index, int slot)
{
    static const int ids[2][2] = {
        { FLASH_AREA_IMAGE_0, FLASH_AREA_IMAGE_1 },
        { FLASH_AREA_IMAGE_2, FLASH_AREA_IMAGE_3 },
    };

    if (image_index < 0 || image_index >= MCUBOOT_IMAGE_NUMBER || image_index > 1 || slot < 0 ||
        slot > 1) {
        return BO_EINVAL;
    }
    return ids[image_index][slot];
}

int flash_area_id_from_image_slot(int slot)
{
    return flash_area_id_from_multi_image_slot(0, slot);
}

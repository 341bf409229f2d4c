/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file port_flash_map.h
 * \brief The flash map of a device: its flash areas over vflash devices, and the per-thread
 *        activation that MCUboot's context-free flash_area_* API acts on.
 *
 * flash_area_* (flash_map_backend/flash_map_backend.h) takes no context, so each call acts on
 * the map the calling thread activated with port_flash_map_activate(), the way port_heap and
 * port_clock work. One process can host many devices, each with its own map.
 *
 * Typical use in a test, "board X with its flash in RAM":
 *
 *     struct port_flash_map map;
 *     char err[256];
 *     port_flash_map_init(&map);
 *     rc = port_flash_map_setup_board_file(&map, "fixtures/boards/nrf52840.ini", err,
 *                                          sizeof(err));
 *     prev = port_flash_map_activate(&map);
 *     ... flash_area_open(FLASH_AREA_IMAGE_0, &fa) ...
 *     port_flash_map_activate(prev);
 *     port_flash_map_free(&map);
 *
 * or, to edit the board first (another write unit, erased value 0x00):
 *
 *     struct board b;
 *     board_load(&b, path, err, sizeof(err));
 *     b.flash[0].geom.erased_val = 0x00;
 *     port_flash_map_setup_board(&map, &b);
 *
 * The vflash devices of the map are reachable with port_flash_map_device() for hooks, counters
 * and raw contents.
 */
#ifndef PORT_FLASH_MAP_H
#define PORT_FLASH_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "board/board.h"
#include "flash_map_backend/flash_map_backend.h"
#include "port_clock.h"
#include "sysflash/sysflash.h"
#include "vflash/vflash.h"

/** Most flash devices in one map. */
#define PORT_FLASH_MAP_MAX_DEVICES BOARD_MAX_DEVICES

/** A flash map. Fields are read-only for users. */
struct port_flash_map {
    struct flash_area areas[FLASH_AREA_COUNT]; /**< Indexed by FLASH_AREA_* id. */
    bool present[FLASH_AREA_COUNT];            /**< Which areas exist. */
    uint32_t open_count[FLASH_AREA_COUNT];     /**< Opens not yet closed. */
    uint64_t misuse_count; /**< Closes of areas not open, or of pointers not of this map. */
    struct vflash *devices[PORT_FLASH_MAP_MAX_DEVICES]; /**< Indexed by fa_device_id. */
    uint32_t device_count;
    struct vflash owned[PORT_FLASH_MAP_MAX_DEVICES]; /**< Devices built by setup_board. */
    bool owns_devices;
};

/** \brief Initialises an empty map. Cannot fail; port_flash_map_free() is safe afterwards. */
void port_flash_map_init(struct port_flash_map *map);

/**
 * \brief Fills the map from a board over devices the caller built (for example vflash devices
 *        over shared mappings of backing files). The devices must outlive the map.
 *
 * \param map      An initialised map (set up again: its old state is freed first).
 * \param board    A board; its partitions become the areas.
 * \param devices  One set-up device per board flash device, in the board's order; each must
 *                 have exactly the size of the board's geometry.
 * \param count    Number of devices; must equal board->flash_count.
 * \return 0, or BO_EINVAL (count or a device size does not match, board invalid).
 */
int port_flash_map_setup(struct port_flash_map *map, const struct board *board,
                         struct vflash *const devices[], uint32_t count);

/**
 * \brief Fills the map from a board, building each flash device in RAM, fully erased.
 * \return 0, BO_EINVAL (board invalid), or BO_ENOMEM.
 */
int port_flash_map_setup_board(struct port_flash_map *map, const struct board *board);

/**
 * \brief board_load() then port_flash_map_setup_board().
 * \param err  Receives the board's error message; may be NULL.
 * \return 0 or an error of either.
 */
int port_flash_map_setup_board_file(struct port_flash_map *map, const char *path, char *err,
                                    size_t err_len);

/** \brief Frees the devices the map built, and empties the map. Deactivates it if active. */
void port_flash_map_free(struct port_flash_map *map);

/**
 * \brief Makes map the one the calling thread's flash_area_* calls act on.
 * \param map  The map, or NULL for none (flash_area_open then returns BO_ENOENT).
 * \return     The previously active map, to restore later.
 */
struct port_flash_map *port_flash_map_activate(struct port_flash_map *map);

/** \brief The calling thread's active map, or NULL. */
struct port_flash_map *port_flash_map_active(void);

/** \brief Device index of the map, or NULL when out of range. */
struct vflash *port_flash_map_device(struct port_flash_map *map, uint32_t index);

/** \brief Sets the clock every device of the map advances (NULL: none). */
void port_flash_map_set_clock(struct port_flash_map *map, struct port_clock *clock);

/** \brief Restores power to every device of the map after a cut. */
void port_flash_map_power_on(struct port_flash_map *map);

/** \brief Total opens not yet closed, over all areas (0 when every open was closed). */
uint32_t port_flash_map_open_total(const struct port_flash_map *map);

#endif /* PORT_FLASH_MAP_H */

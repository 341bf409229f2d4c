/* SPDX-License-Identifier: Apache-2.0 */
/**
 * \file daemon_config.h
 * \brief brownoutd's configuration: an INI file (inih) and command-line options that override
 *        it, resolved into one plain struct the daemon starts from.
 *
 * The reference of every key and option, with types, defaults and allowed values, is
 * docs/configuration.md; tests/scripts/test_configuration_doc.sh checks it against the key tables
 * (config_keys[], config_net_keys[], config_longopts[]): a new key goes into both.
 *
 * File format (every key optional unless said):
 *
 *     [daemon]
 *     control = bo.sock              ; control socket path
 *     mount = mnt                    ; FUSE mountpoint; empty: no FUSE view
 *     fuse-write = programmer        ; or "nor"
 *     firmware = build/bin/brownout-fw
 *     seed = 1                       ; default seed of power-cut models
 *     mcuboot-src = ../mcuboot       ; the MCUboot tree of devices with bootloader = mcuboot
 *
 *     [device dev0]
 *     board = boards/nrf52840.ini    ; required
 *     flash = dev0.bin               ; backing file of the board's first flash device
 *     flash = internal=dev0.bin      ; or of the named one (may repeat)
 *     flash-erase = false            ; erase the backing files at start
 *     flash-in-ram = false           ; memfd instead of files
 *     image = primary=app-v1.bin     ; written when the flash starts erased (may repeat)
 *     mode = swap-scratch            ; overwrite, swap-scratch, swap-move, swap-offset
 *     images = 1                     ; images the bootloader handles (1 or 2)
 *     max-sectors = 0                ; status entries per slot; 0: the board's, else 128
 *     key = keys/ec256.pub.pem       ; trusted key (may repeat)
 *     validate-primary = true
 *     downgrade-prevention = false
 *     bootloader = brownout          ; or mcuboot: the variant of mcuboot-src for these settings
 *     power-on = auto                ; auto: at start and after a cut; manual: by command
 *     power-on-delay-ms = 0          ; delay of the automatic power-on after a cut
 *     seed = 1                       ; this device's default seed
 *
 *     ; The device app (OTA over CoAPs, DTLS 1.2), when address is given:
 *     address = 127.0.0.1:5684       ; UDP address (IPv4, or [IPv6]:port); port 0: ephemeral
 *     psk-identity = dev0            ; PSK identity (1..128 printable characters)
 *     psk = 000102...                ; PSK in hex (1..64 bytes)
 *     certificate = pki/dev0.crt     ; the device's PEM certificate (ECDSA P-256)
 *     private-key = pki/dev0.key     ; its PEM private key
 *     ca = pki/ca.crt                ; CA that client certificates must chain to
 *     require-client-cert = false
 *     confirm = manual               ; manual, auto or never
 *     heap-budget = 0                ; Mbed TLS heap of the device (bytes, K or M suffix); 0: none
 *     max-sessions = 0               ; concurrent DTLS sessions; 0: the transport's default
 *     idle-timeout = 0               ; idle session reaping (ms, or with s/ms); 0: default
 *     dtls-timeout-min = 0           ; handshake retransmission timeouts (ms, or s/ms); 0: default
 *     dtls-timeout-max = 0
 *     link = drop=5,duplicate=5,...  ; link faults (drop, duplicate, delay, reorder, mtu, seed)
 *
 * Relative paths in a file are relative to the file's directory; paths given on the command line
 * are relative to the working directory. Every error names FILE:LINE (or the option).
 *
 * Command-line options act on the devices named with --device (repeatable), or, without it, on
 * the only device of the file, or on a new device "dev0" when the file has none. `--flash
 * NAME=PATH` where NAME is a device creates or selects that device.
 */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bl/bl.h"
#include "board/board.h"
#include "boot/loader.h"

/** Most images preloaded into one device. */
#define CONFIG_MAX_IMAGES 4
/** Most trusted keys of one device. */
#define CONFIG_MAX_KEYS 4
/** Longest path kept, terminator included. */
#define CONFIG_PATH_MAX 512
/** Room for an error message. */
#define CONFIG_ERR_MAX 640
/** Longest PSK identity, terminator included. */
#define CONFIG_PSK_ID_MAX 129
/** Longest PSK in bytes. */
#define CONFIG_PSK_MAX 64
/** Longest link fault specification, terminator included. */
#define CONFIG_LINK_MAX 160
/** Longest host part of an address, terminator included. */
#define CONFIG_HOST_MAX 64
/** Room for one "key=value" pair of config_net_pairs(). */
#define CONFIG_NET_PAIR_MAX (CONFIG_PATH_MAX + 32)
/** Most pairs config_net_pairs() produces. */
#define CONFIG_NET_PAIRS 20

/** A backing file for one flash device of a board. */
struct config_flash {
    char name[BOARD_NAME_MAX]; /**< Board flash device name; empty: the board's first one. */
    char path[CONFIG_PATH_MAX];
};

/** An image written into a slot when the flash starts erased. */
struct config_image {
    int area_id; /**< FLASH_AREA_* id of the slot. */
    char path[CONFIG_PATH_MAX];
};

/** When the device app confirms the image it runs (ota_app's policy). */
enum config_confirm {
    CONFIG_CONFIRM_MANUAL = 0, /**< Only POST /fw/confirm (or the confirm command) confirms. */
    CONFIG_CONFIRM_AUTO,       /**< The app confirms after every successful boot. */
    CONFIG_CONFIRM_NEVER,      /**< Never (a bad image): the next reset reverts a test swap. */
};

/**
 * The device app's network side: a CoAPs (DTLS 1.2) server on one UDP address. Present when
 * address was given; every length here is checked by config_net_set().
 */
struct config_net {
    bool enabled;                         /**< An address was given. */
    char host[CONFIG_HOST_MAX];           /**< IPv4 or IPv6 literal. */
    uint16_t port;                        /**< 0: an ephemeral port. */
    char psk_identity[CONFIG_PSK_ID_MAX]; /**< Empty: no PSK. */
    uint8_t psk[CONFIG_PSK_MAX];
    uint32_t psk_len;
    char certificate[CONFIG_PATH_MAX]; /**< PEM; empty: no certificate. */
    char private_key[CONFIG_PATH_MAX]; /**< PEM key of the certificate. */
    char ca[CONFIG_PATH_MAX];          /**< PEM CA that client certificates chain to. */
    bool require_client_cert;
    enum config_confirm confirm;
    uint64_t heap_budget;         /**< Bytes of Mbed TLS heap; 0: unlimited. */
    uint32_t max_sessions;        /**< 0: the transport's default. */
    uint32_t max_handshakes;      /**< Half-open DTLS handshakes; 0: the transport's default. */
    uint32_t hs_deadline_ms;      /**< Deadline of a half-open handshake; 0: default. */
    uint32_t idle_timeout_ms;     /**< 0: the transport's default. */
    uint32_t dtls_timeout_min_ms; /**< Handshake retransmission; 0: default. */
    uint32_t dtls_timeout_max_ms; /**< 0: default. */
    char link[CONFIG_LINK_MAX];   /**< Link faults (link_fault_parse()); "" none. */
};

/** One simulated device. */
struct config_device {
    char name[BOARD_NAME_MAX];
    char board[CONFIG_PATH_MAX];
    struct config_flash flash[BOARD_MAX_DEVICES];
    uint32_t flash_count;
    bool flash_erase;
    bool flash_in_ram;
    struct config_image images[CONFIG_MAX_IMAGES];
    uint32_t image_count;
    enum boot_mode mode;
    uint32_t boot_images; /**< Images the bootloader handles: 1 or 2. */
    uint32_t max_sectors; /**< Status entries per slot; 0: the board's (board_derive.h). */
    char keys[CONFIG_MAX_KEYS][CONFIG_PATH_MAX];
    uint32_t key_count;
    bool validate_primary;
    bool downgrade_prevention;
    bool auto_power_on;
    uint32_t power_on_delay_ms;
    uint64_t seed;
    struct config_net net;   /**< The device app's CoAPs server. */
    int line;                /**< Line of its section header; 0 from the command line. */
    enum bl_kind bootloader; /**< brownout (the default) or mcuboot (config_mcuboot.h). */
};

/** The whole configuration. */
struct config {
    char file[CONFIG_PATH_MAX];     /**< The INI file, or empty. */
    char control[CONFIG_PATH_MAX];  /**< Control socket path. */
    char mount[CONFIG_PATH_MAX];    /**< FUSE mountpoint, or empty for none. */
    bool fuse_nor;                  /**< --fuse-write=nor: raw NOR writes through FUSE. */
    char firmware[CONFIG_PATH_MAX]; /**< The firmware runner program. */
    uint64_t seed;
    bool check_only; /**< --check-config. */
    bool verbose;
    bool quiet;                        /**< --quiet: no line for each event. */
    bool has_ready_fd;                 /**< --ready-fd was given. */
    int ready_fd;                      /**< --ready-fd: gets "READY\n" once the daemon serves. */
    char log[CONFIG_PATH_MAX];         /**< --log: messages go to this file, or empty. */
    char mcuboot_src[CONFIG_PATH_MAX]; /**< The MCUboot tree of mcuboot devices, or empty. */
    struct config_device *devices;     /**< Grown by config_add_device(); config_free() frees it. */
    uint32_t device_count;
    uint32_t device_cap; /**< Room in devices. */
};

/** What the command line asked beyond the configuration itself. */
enum config_action {
    CONFIG_RUN = 0, /**< Start the daemon. */
    CONFIG_HELP,    /**< --help was given. */
    CONFIG_VERSION, /**< --version was given. */
};

/**
 * \brief Fills cfg with the defaults (no devices, socket "brownout.sock", no mount). cfg holds
 *        nothing before: config_free() what an earlier use of it holds.
 */
void config_init(struct config *cfg);

/** \brief Frees the device array of cfg (a zeroed cfg holds none) and empties it. */
void config_free(struct config *cfg);

/**
 * \brief Appends a device named name (its defaults, the daemon's seed) to cfg. Pointers to
 *        earlier devices of cfg are no longer valid after it.
 * \return The device, or NULL when memory runs out.
 */
struct config_device *config_add_device(struct config *cfg, const char *name);

/**
 * \brief Makes dst a copy of src that owns its own device array (dst holds nothing before).
 * \return 0 or BO_ENOMEM (dst then holds no devices).
 */
int config_clone(struct config *dst, const struct config *src);

/** \brief Fills dev with a device's defaults and the given name. */
void config_device_init(struct config_device *dev, const char *name);

/**
 * \brief Parses INI text into cfg (added to what cfg holds).
 * \param cfg      An initialised configuration.
 * \param text     NUL-terminated INI text.
 * \param name     The file name used in messages and to resolve relative paths.
 * \param err      Receives "NAME:LINE: reason" on error.
 * \param err_len  Room at err.
 * \return 0, BO_EINVAL, or BO_ENOMEM.
 */
int config_parse_text(struct config *cfg, const char *text, const char *name, char *err,
                      size_t err_len);

/**
 * \brief Reads and parses an INI file.
 * \return 0, BO_EINVAL ("FILE:LINE: reason"), BO_EOS ("FILE: reason"), or BO_ENOMEM.
 */
int config_load_file(struct config *cfg, const char *path, char *err, size_t err_len);

/**
 * \brief Parses brownoutd's command line: reads the file of --config (if any) first, then
 *        applies the other options over it, then checks the result (config_check()).
 * \param action  Receives what to do.
 * \return 0, BO_EINVAL (usage or configuration error, message in err), BO_EOS, BO_ENOMEM.
 */
int config_parse_args(struct config *cfg, int argc, char **argv, enum config_action *action,
                      char *err, size_t err_len);

/**
 * \brief Checks that the configuration can run: every device has a board, names are unique.
 * \return 0 or BO_EINVAL with the reason.
 */
int config_check(const struct config *cfg, char *err, size_t err_len);

/** \brief Finds a device by name. \return Its index, or BO_ENOENT. */
int config_find_device(const struct config *cfg, const char *name);

/**
 * \brief Parses a slot name: "primary", "secondary" (image 0), "N-primary", "N-secondary",
 *        "image-N-primary", "image-N-secondary", "scratch".
 * \return The FLASH_AREA_* id, or BO_EINVAL.
 */
int config_slot_parse(const char *name);

/** \brief The short slot name of an area id ("0-primary", ...), or NULL. */
const char *config_slot_name(int area_id);

/**
 * \brief Parses a mode name (boot_mode_name() spellings, plus "overwrite-only", "scratch",
 *        "move", "offset"). \return The mode, or BO_EINVAL.
 */
int config_mode_parse(const char *name);

/** \brief Fills net with the defaults (disabled, confirm manual). */
void config_net_init(struct config_net *net);

/**
 * \brief Applies one network key of a [device] section (config.h lists them).
 * \param dir  Directory relative paths are resolved against ("" for the working directory).
 * \return 0; BO_ENOENT when key is not a network key (nothing written to err); BO_EINVAL with
 *         the reason in err.
 */
int config_net_set(struct config_net *net, const char *key, const char *value, const char *dir,
                   char *err, size_t err_len);

/**
 * \brief Checks the network keys of a device together (an address needs a PSK or a
 *        certificate, a certificate needs its key, a required client certificate needs a CA,
 *        the retransmission timeouts are ordered).
 * \return 0 or BO_EINVAL with the reason in err (no FILE:LINE prefix).
 */
int config_net_check(const struct config_net *net, char *err, size_t err_len);

/**
 * \brief Writes the network keys as "key=value" pairs that config_net_set() accepts back
 *        (paths already resolved): how the daemon hands them to brownout-fw (--net PAIR).
 * \return The number of pairs written (none when the network is disabled).
 */
size_t config_net_pairs(const struct config_net *net, char pairs[][CONFIG_NET_PAIR_MAX],
                        size_t max);

/** \brief The name of a confirm policy ("manual", "auto", "never"). */
const char *config_confirm_name(enum config_confirm confirm);

/** \brief Prints the effective configuration as INI text that config_parse_text() accepts. */
void config_print(const struct config *cfg, FILE *out);

/** \brief Prints brownoutd's --help text. */
void config_usage(FILE *out);

#endif /* SIM_CONFIG_H */

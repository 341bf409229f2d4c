/* SPDX-License-Identifier: Apache-2.0 */
/*
 * brownout-fw: the firmware runner brownoutd starts for each power-on of a device (sim/fw/fw.h
 * describes its command line, descriptors and messages).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fw/fw.h"
#include "util/bo_exit.h"

static void brownout_fw_usage(FILE *out)
{
    fprintf(out,
            "Usage: brownout-fw --board FILE --flash MEMFD[:ECCFD][,weak=WEAKFD]... [OPTION]...\n"
            "Run one power-on of a simulated device (bootloader, then a minimal app) over\n"
            "flash shared with brownoutd. Started by brownoutd; not meant to be run by hand.\n"
            "\n"
            "  --name DEV              the device name (for logs)\n"
            "  --board FILE            the board description\n"
            "  --mode MODE             overwrite, swap-scratch, swap-move, swap-offset\n"
            "  --images N              images the bootloader handles (1 or 2)\n"
            "  --key FILE              a trusted public key (repeatable)\n"
            "  --no-validate           do not validate the primary image on boot\n"
            "  --downgrade-prevention  refuse upgrades to a lower version\n"
            "  --flash MEMFD[:ECCFD][,weak=WEAKFD]\n"
            "                          inherited descriptors of a flash device (and its ECC\n"
            "                          map, its shared weak map)\n"
            "  --cut-at N              cut power before flash operation N of this run\n"
            "  --cut-model MODEL       before, after, torn-prefix, torn-bits, erase-partial, weak\n"
            "  --cut-units K           torn-prefix: write units that land\n"
            "  --cut-permille P        erase-partial: progress in permille\n"
            "  --cut-seed S            seed of the cut's random choices\n"
            "  --seed S                seed of the device's randomness (DTLS, link faults)\n"
            "  --max-sectors N         status entries per slot (default: the board's, else 128)\n"
            "  --flash-fault F,KIND,OFF,SIZE,RATE,ERASES,SEED\n"
            "                          a non-cut fault of flash F (errors, drop, bitflip,\n"
            "                          wearout), from brownoutd's fault-inject\n"
            "  --net KEY=VALUE         a network key of the device app (repeatable; the keys\n"
            "                          of a [device] section: address, psk, certificate, ...)\n"
            "  --help, --version\n"
            "\n"
            "Descriptor 3 is the pipe to brownoutd (JSON lines).\n");
}

int main(int argc, char **argv)
{
    struct fw_args args;
    char err[256];
    int i;

    /* The pipe to brownoutd and the app's sockets: a closed peer is an EPIPE, not an exit. */
    signal(SIGPIPE, SIG_IGN);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            brownout_fw_usage(stdout);
            return BO_EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("brownout-fw %s\n", BROWNOUT_VERSION);
            return BO_EXIT_OK;
        }
    }
    if (fw_parse_args(&args, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "brownout-fw: %s (see brownout-fw --help)\n", err);
        return BO_EXIT_USAGE;
    }
    return fw_run(&args);
}

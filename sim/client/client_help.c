/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The help pages of the brownout subcommands: one entry per subcommand (and per `image`
 * subcommand), each with its usage line, what it does, its own options and an example.
 */
#include "client/client_help.h"

#include <string.h>

/* One help page: the subcommand, its usage text, and whether it talks to brownoutd. */
struct client_help_page {
    const char *cmd;
    const char *text;
    bool daemon;
};

static const struct client_help_page client_help_pages[] = {
    { "status",
      "usage: brownout status [DEV] [OPTION]...\n"
      "Print the state of brownoutd and its devices, or of device DEV only.\n\n"
      "example:\n  brownout status\n  brownout -j status dev0\n",
      true },
    { "devices",
      "usage: brownout devices [OPTION]...\n"
      "Print brownoutd's devices, one line each: name, board, mode, state.\n\n"
      "example:\n  brownout devices -s /run/brownout/brownout.sock\n",
      true },
    { "power-on",
      "usage: brownout power-on DEV [--wait EVENT[:SECONDS]] [OPTION]...\n"
      "Power device DEV on: a new firmware run starts with the bootloader.\n\n"
      "  -w, --wait EVENT[:S]  subscribe first, then print DEV's EVENT the command caused\n"
      "                        as JSON (S: seconds, default -t or 30)\n\n"
      "example:\n  brownout power-on dev0 --wait BOOT_DONE:10\n",
      true },
    { "power-off",
      "usage: brownout power-off DEV [OPTION]...\n"
      "Power device DEV off (its firmware run is killed; flash keeps its content).\n\n"
      "example:\n  brownout power-off dev0\n",
      true },
    { "reset",
      "usage: brownout reset DEV [--wait EVENT[:SECONDS]] [OPTION]...\n"
      "Reset device DEV: the running firmware is killed and a new run boots (an off device\n"
      "is powered on).\n\n"
      "  -w, --wait EVENT[:S]  subscribe first, then print DEV's EVENT the command caused\n"
      "                        as JSON (S: seconds, default -t or 30)\n\n"
      "example:\n  brownout reset dev0 --wait BOOT_DONE\n",
      true },
    { "power-cut",
      "usage: brownout power-cut DEV [--at-op N] [--fault MODEL] [--seed N] [--units N]\n"
      "                          [--permille N] [--wait EVENT[:SECONDS]] [OPTION]...\n"
      "Cut DEV's power now, or arm a cut before flash operation N of its next run.\n\n"
      "  --at-op N             cut before flash operation N (from 0 at power-on)\n"
      "  --fault MODEL         what the cut operation leaves: before, after, torn-prefix,\n"
      "                        torn-bits, erase-partial, weak (default before)\n"
      "  --seed N              seed of the model's random choices\n"
      "  --units N             torn-prefix: write units that land\n"
      "  --permille N          erase-partial: progress, 0 to 1000\n"
      "  -w, --wait EVENT[:S]  print DEV's EVENT the cut caused as JSON\n\n"
      "example:\n  brownout power-cut dev0 --at-op 120 --fault torn-prefix --units 1\n"
      "  brownout reset dev0 --wait POWER_LOSS\n",
      true },
    { "confirm",
      "usage: brownout confirm DEV [OPTION]...\n"
      "Ask the firmware running on DEV to confirm its image (boot_set_confirmed), as an\n"
      "application does once it works. See also brownout image confirm.\n\n"
      "example:\n  brownout confirm dev0\n",
      true },
    { "set-link",
      "usage: brownout set-link DEV SPEC [OPTION]...\n"
      "Set the link faults of DEV's network, now and for its next runs. SPEC is a comma\n"
      "list of KEY=PERCENT (drop, duplicate, reorder, corrupt) or none.\n\n"
      "example:\n  brownout set-link dev0 drop=5,duplicate=5,reorder=4\n"
      "  brownout set-link dev0 none\n",
      true },
    { "flash",
      "usage: brownout flash read DEV [FLASH] OFFSET LENGTH [-o FILE] [OPTION]...\n"
      "       brownout flash write DEV [FLASH] OFFSET FILE [OPTION]...\n"
      "       brownout flash erase DEV [FLASH] OFFSET LENGTH [OPTION]...\n"
      "Read, write (as a programmer) or erase a device's flash. FLASH defaults to the\n"
      "board's first flash device; FILE '-' is standard input or output.\n\n"
      "  -o, --output FILE     read: write the bytes to FILE instead of a hex dump\n\n"
      "example:\n  brownout flash read dev0 0x0 64\n"
      "  brownout flash write dev0 0x20000 patch.bin\n",
      true },
    { "events",
      "usage: brownout events [--follow] [OPTION]...\n"
      "Print brownoutd's next event, or all of them with --follow (until SHUTDOWN).\n\n"
      "  -f, --follow          keep printing events\n\n"
      "example:\n  brownout events --follow -j | jq .event\n",
      true },
    { "wait",
      "usage: brownout wait EVENT [--device DEV] [OPTION]...\n"
      "Wait for the next EVENT (of DEV) and print it. Racy when the event may come before\n"
      "the wait starts: prefer the --wait option of reset, power-on, power-cut, image load.\n\n"
      "  -d, --device DEV      only DEV's events\n\n"
      "example:\n  brownout wait BOOT_DONE --device dev0 -t 10\n",
      true },
    { "raw",
      "usage: brownout raw JSON [OPTION]...\n"
      "Send one request line to brownoutd as typed and print the reply (docs/protocol.md).\n\n"
      "example:\n  brownout raw '{\"execute\": \"query-flash\", \"arguments\": {\"device\": "
      "\"dev0\"}}'\n",
      true },
    { "image load",
      "usage: brownout image load DEV SLOT FILE [--wait EVENT[:SECONDS]] [OPTION]...\n"
      "Stage image FILE into SLOT of DEV (the slot is erased first). SLOT: primary,\n"
      "secondary, 1-primary, 1-secondary. An image signed without --pad then needs\n"
      "brownout image pending to be taken at the next boot.\n\n"
      "example:\n  brownout image load dev0 secondary app-v2.signed.bin\n"
      "  brownout image pending dev0 test\n  brownout reset dev0 --wait BOOT_DONE\n",
      true },
    { "image pending",
      "usage: brownout image pending DEV test|permanent [--image N] [OPTION]...\n"
      "Mark the image staged in DEV's secondary slot pending, as the application would\n"
      "(boot_set_pending): the trailer magic, and image_ok for permanent. At the next boot\n"
      "the bootloader takes it: test reverts at the boot after unless it is confirmed.\n\n"
      "  --image N             the image pair (default 0)\n\n"
      "example:\n  brownout image load dev0 secondary app-v2.signed.bin\n"
      "  brownout image pending dev0 test\n  brownout reset dev0 --wait BOOT_DONE\n",
      true },
    { "image confirm",
      "usage: brownout image confirm DEV [--image N] [OPTION]...\n"
      "Confirm the image in DEV's primary slot, as the application would\n"
      "(boot_set_confirmed over the device's flash): it stays after the next reset. Works\n"
      "whether the device runs or not (brownout confirm asks the running firmware).\n\n"
      "  --image N             the image pair (default 0)\n\n"
      "example:\n  brownout image confirm dev0\n",
      true },
    { "image info",
      "usage: brownout image info [--json] [-R V] FILE\n"
      "       brownout image info DEV SLOT [OPTION]...\n"
      "Print the header, TLVs, hash check and trailer of image FILE, or of the image in\n"
      "SLOT of brownoutd's device DEV.\n\n"
      "  --json                the description as JSON\n"
      "  -R, --erased-val V    FILE: the erased value, 0xff (default) or 0\n\n"
      "example:\n  brownout image info app.signed.bin\n  brownout image info dev0 secondary\n",
      false },
    { "image keygen",
      "usage: brownout image keygen -t TYPE -k FILE [--public FILE] [--force]\n"
      "Generate a private key into FILE (PEM). An existing file is kept unless --force.\n\n"
      "  -t, --type TYPE       ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072\n"
      "  -k, --key FILE        the private key file to create\n"
      "  -p, --public FILE     also write the public key\n"
      "  -f, --force           overwrite FILE (and the public key file)\n\n"
      "example:\n  brownout image keygen -t ecdsa-p256 -k root-ec-p256.pem\n",
      false },
    { "image getpub",
      "usage: brownout image getpub -k KEY [-o FILE]\n"
      "Print (or write to FILE) the public key of KEY as PEM.\n\n"
      "example:\n  brownout image getpub -k root-ec-p256.pem -o root.pub.pem\n",
      false },
    { "image sign",
      "usage: brownout image sign [OPTION]... INFILE OUTFILE\n"
      "Make an MCUboot image of INFILE, laid out as imgtool does (brownout image --help\n"
      "lists every option; `create` is another name).\n\n"
      "example:\n  brownout image sign -k root-ec-p256.pem -v 1.2.0 -H 0x200 --pad-header \\\n"
      "      -S 0x40000 app.bin app.signed.bin\n",
      false },
    { "image verify",
      "usage: brownout image verify -k KEY [-k KEY]... [--allow-unsigned] FILE\n"
      "Exit 0 when FILE is a valid image signed by one of the keys, 1 when it is not.\n\n"
      "example:\n  brownout image verify -k root.pub.pem app.signed.bin\n",
      false },
};

void client_help_common(FILE *out)
{
    fprintf(out, "options of every daemon command (before or after the command):\n"
                 "  -s, --socket PATH     control socket (default: $BROWNOUT_SOCKET, else\n"
                 "                        ./brownout.sock)\n"
                 "  -j, --json            print the returned JSON instead of text\n"
                 "  -t, --timeout S       give up after S seconds (exit 75); commands default to\n"
                 "                        30, wait and events to no limit\n"
                 "  -h, --help            this page;  --version  the version\n"
                 "exit status: 0 ok, 1 error reply, 64 usage, 65 bad data, 66 unreadable input,\n"
                 "69 daemon unreachable, 73 unwritable output, 75 timeout, 76 protocol error\n");
}

bool client_help_print(FILE *out, const char *cmd)
{
    size_t i;

    for (i = 0; i < sizeof(client_help_pages) / sizeof(client_help_pages[0]); i++) {
        if (strcmp(client_help_pages[i].cmd, cmd) == 0) {
            fputs(client_help_pages[i].text, out);
            if (client_help_pages[i].daemon) {
                fputc('\n', out);
                client_help_common(out);
            }
            return true;
        }
    }
    return false;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `brownout image`: the command-line front of the image signer, verifier and inspector.
 */
#include "image/image_tool.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "mbedtls/platform.h"

#include "bo_err.h"
#include "boot/image_validate.h"
#include "util/fileio.h"
#include "util/num.h"
#include "image/image_info.h"
#include "image/image_sign.h"
#include "image/keys.h"
#include "port_rng.h"
#include "util/bo_exit.h"

#define IMAGE_TOOL_EXIT_OK BO_EXIT_OK
#define IMAGE_TOOL_EXIT_FAIL BO_EXIT_FAILED
#define IMAGE_TOOL_EXIT_USAGE BO_EXIT_USAGE
#define IMAGE_TOOL_MAX_KEYS 16
#define IMAGE_TOOL_FILE_MAX (256u * 1024u * 1024u)

/* What every subcommand shares: Mbed TLS's platform and an RNG. */
struct image_tool_env {
    mbedtls_platform_context platform;
    struct port_rng rng;
    bool rng_ready;
};

void image_tool_usage(FILE *out)
{
    fprintf(out,
            "usage: brownout image COMMAND [OPTIONS]\n"
            "\n"
            "commands:\n"
            "  keygen -t TYPE -k FILE [--public FILE] [--force]\n"
            "      generate a private key (TYPE: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072)\n"
            "  getpub -k KEY [-o FILE]\n"
            "      print (or write) the public key of KEY as PEM\n"
            "  sign [OPTIONS] INFILE OUTFILE\n"
            "      make an MCUboot image, laid out as imgtool does; OPTIONS:\n"
            "        -k, --key FILE             signing key (none: hash-only image)\n"
            "        -v, --version V            MAJOR.MINOR.REVISION+BUILD (default 0.0.0+0)\n"
            "        -H, --header-size N        header size (default 32)\n"
            "            --pad-header           prepend header-size erased bytes\n"
            "        -S, --slot-size N          slot size: the image + trailer must fit\n"
            "            --pad                  pad to the slot size, with the trailer magic\n"
            "            --confirm              --pad and image_ok set (permanent)\n"
            "            --test                 --pad without image_ok (a test upgrade)\n"
            "            --align N              flash write unit: 1, 2, 4, 8, 16, 32 (default 1)\n"
            "            --max-align N          trailer alignment: 8, 16, 32\n"
            "        -M, --max-sectors N        trailer status entries (default 128)\n"
            "            --overwrite-only       trailer of overwrite-only upgrades\n"
            "        -R, --erased-val V         0xff (default) or 0\n"
            "        -s, --security-counter N   SEC_CNT TLV: a number or 'auto'\n"
            "        -d, --dependencies D       \"(ID,VERSION), ...\"\n"
            "            --public-key-format F  hash (default) or full\n"
            "        -L, --load-addr N          RAM load address (sets RAM_LOAD)\n"
            "            --non-bootable         set the NON_BOOTABLE flag\n"
            "  verify -k KEY [-k KEY...] [--allow-unsigned] FILE\n"
            "      exit 0 when FILE is a valid image signed by one of the keys\n"
            "  info [--json] [-R V] FILE\n"
            "      print the header, TLVs, hash check and trailer of FILE\n");
}

static int image_tool_usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "brownout image %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see brownout image %s --help)\n", cmd);
    return IMAGE_TOOL_EXIT_USAGE;
}

/* Reports the option getopt_long refused in argv (unknown, or without its value). */
static int image_tool_bad_option(const char *cmd, int c, char **argv)
{
    char shortopt[3] = { '-', (char)optopt, '\0' };
    const char *opt = strncmp(argv[optind - 1], "--", 2) == 0 ? argv[optind - 1] : shortopt;

    return image_tool_usage_error(
        cmd, c == ':' ? "option '%s' needs a value" : "unknown option '%s'", opt);
}

/* The exit status for an input file that cannot be used: 66 when unreadable, else 65. */
static int image_tool_input_status(const char *path)
{
    return access(path, R_OK) != 0 ? BO_EXIT_NOINPUT : BO_EXIT_DATA;
}

static int image_tool_env_setup(struct image_tool_env *env)
{
    int rc;

    memset(env, 0, sizeof(*env));
    if (mbedtls_platform_setup(&env->platform) != 0) {
        fprintf(stderr, "brownout image: Mbed TLS platform setup failed\n");
        return BO_ECRYPTO;
    }
    port_rng_init(&env->rng);
    rc = port_rng_setup(&env->rng, "brownout image");
    if (rc < 0) {
        fprintf(stderr, "brownout image: cannot seed the random generator: %s\n", bo_strerror(rc));
        port_rng_free(&env->rng);
        mbedtls_platform_teardown(&env->platform);
        return rc;
    }
    env->rng_ready = true;
    return 0;
}

static void image_tool_env_free(struct image_tool_env *env)
{
    if (env->rng_ready) {
        port_rng_free(&env->rng);
        env->rng_ready = false;
    }
    mbedtls_platform_teardown(&env->platform);
}

/* Parses a 32-bit unsigned number with C prefixes (0x, 0); false when s is not one. */
static bool image_tool_u32(const char *s, uint32_t *out)
{
    uint64_t v;

    if (num_parse_u64(s, 0, UINT32_MAX, &v) < 0) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static int image_tool_read(const char *path, uint8_t **data, size_t *len)
{
    char err[512];

    if (fileio_read_all(path, IMAGE_TOOL_FILE_MAX, data, len, err, sizeof(err)) != 0) {
        fprintf(stderr, "brownout image: %s\n", err);
        return -1;
    }
    return 0;
}

static int image_tool_write(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL) {
        fprintf(stderr, "brownout image: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if ((len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        fprintf(stderr, "brownout image: %s: write error\n", path);
        return -1;
    }
    return 0;
}

/* Whether path (if not NULL) exists; says so, for keygen's refusal to overwrite a key. */
static bool image_tool_exists(const char *path)
{
    if (path == NULL || access(path, F_OK) != 0) {
        return false;
    }
    fprintf(stderr, "brownout image keygen: %s exists (--force overwrites it)\n", path);
    return true;
}

static int image_tool_keygen(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "type", required_argument, NULL, 't' },   { "key", required_argument, NULL, 'k' },
        { "public", required_argument, NULL, 'p' }, { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    const char *type_name = NULL;
    const char *path = NULL;
    const char *pub = NULL;
    struct image_tool_env env;
    enum image_key_type type;
    char err[KEYS_ERR_MAX];
    struct keys_key k;
    int status = BO_EXIT_CANTCREAT;
    bool force = false;
    int c;

    while ((c = getopt_long(argc, argv, "+:t:k:p:fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            force = true;
            break;
        case 't':
            type_name = optarg;
            break;
        case 'k':
            path = optarg;
            break;
        case 'p':
            pub = optarg;
            break;
        case 'h':
            image_tool_usage(stdout);
            return IMAGE_TOOL_EXIT_OK;
        default:
            return image_tool_bad_option("keygen", c, argv);
        }
    }
    if (type_name == NULL || path == NULL || optind != argc) {
        return image_tool_usage_error("keygen", "%s", "needs -t TYPE and -k FILE");
    }
    type = keys_type_from_name(type_name);
    if (type == IMAGE_KEY_NONE) {
        return image_tool_usage_error("keygen", "unknown key type '%s'", type_name);
    }
    if (!force && (image_tool_exists(path) || image_tool_exists(pub))) {
        return BO_EXIT_CANTCREAT;
    }
    if (image_tool_env_setup(&env) < 0) {
        return BO_EXIT_SOFTWARE;
    }
    keys_init(&k);
    if (keys_generate(&k, type, port_rng_random, &env.rng) < 0) {
        fprintf(stderr, "brownout image keygen: key generation failed\n");
        status = BO_EXIT_SOFTWARE;
        goto out;
    }
    if (keys_write_private_pem(&k, path, err, sizeof(err)) < 0 ||
        (pub != NULL && keys_write_public_pem(&k, pub, err, sizeof(err)) < 0)) {
        fprintf(stderr, "brownout image keygen: %s\n", err);
        goto out;
    }
    status = IMAGE_TOOL_EXIT_OK;
out:
    keys_free(&k);
    image_tool_env_free(&env);
    return status;
}

static int image_tool_getpub(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key", required_argument, NULL, 'k' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *path = NULL;
    const char *outp = NULL;
    char pem[4096];
    struct image_tool_env env;
    char err[KEYS_ERR_MAX];
    struct keys_key k;
    int status = IMAGE_TOOL_EXIT_FAIL;
    int c;

    while ((c = getopt_long(argc, argv, "+:k:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            path = optarg;
            break;
        case 'o':
            outp = optarg;
            break;
        case 'h':
            image_tool_usage(stdout);
            return IMAGE_TOOL_EXIT_OK;
        default:
            return image_tool_bad_option("getpub", c, argv);
        }
    }
    if (path == NULL || optind != argc) {
        return image_tool_usage_error("getpub", "%s", "needs -k KEY");
    }
    if (image_tool_env_setup(&env) < 0) {
        return IMAGE_TOOL_EXIT_FAIL;
    }
    keys_init(&k);
    if (keys_load(&k, path, port_rng_random, &env.rng, err, sizeof(err)) < 0) {
        fprintf(stderr, "brownout image getpub: %s\n", err);
        status = image_tool_input_status(path);
        goto out;
    }
    if (outp != NULL) {
        if (keys_write_public_pem(&k, outp, err, sizeof(err)) < 0) {
            fprintf(stderr, "brownout image getpub: %s\n", err);
            status = BO_EXIT_CANTCREAT;
            goto out;
        }
    } else if (keys_public_pem(&k, pem, sizeof(pem)) < 0 || fputs(pem, stdout) < 0) {
        fprintf(stderr, "brownout image getpub: cannot encode the public key\n");
        goto out;
    }
    status = IMAGE_TOOL_EXIT_OK;
out:
    keys_free(&k);
    image_tool_env_free(&env);
    return status;
}

enum image_tool_sign_opt {
    OPT_PAD_HEADER = 256,
    OPT_PAD,
    OPT_CONFIRM,
    OPT_TEST,
    OPT_ALIGN,
    OPT_MAX_ALIGN,
    OPT_OVERWRITE_ONLY,
    OPT_PUBKEY_FORMAT,
    OPT_NON_BOOTABLE,
    OPT_ALLOW_UNSIGNED,
    OPT_JSON,
};

/* The sign options that take a 32-bit number, with the field they set. */
static const struct {
    int c;
    size_t off;
    bool nonzero;
    const char *fmt; /* The usage error, with the argument. */
} image_tool_u32_opts[] = {
    { 'H', offsetof(struct image_sign_opts, header_size), false, "bad header size '%s'" },
    { 'S', offsetof(struct image_sign_opts, slot_size), true, "bad slot size '%s'" },
    { 'M', offsetof(struct image_sign_opts, max_sectors), true, "bad max sectors '%s'" },
    { 'L', offsetof(struct image_sign_opts, load_addr), false, "bad load address '%s'" },
    { OPT_ALIGN, offsetof(struct image_sign_opts, align), false, "bad alignment '%s'" },
    { OPT_MAX_ALIGN, offsetof(struct image_sign_opts, max_align), true, "bad max alignment '%s'" },
};

/* Applies a numeric sign option; returns 0, a usage exit status, or -1 for another option. */
static int image_tool_sign_num(int c, const char *arg, struct image_sign_opts *o)
{
    for (size_t i = 0; i < sizeof(image_tool_u32_opts) / sizeof(image_tool_u32_opts[0]); i++) {
        uint32_t *field = (uint32_t *)((uint8_t *)o + image_tool_u32_opts[i].off);

        if (image_tool_u32_opts[i].c != c) {
            continue;
        }
        if (!image_tool_u32(arg, field) || (image_tool_u32_opts[i].nonzero && *field == 0)) {
            return image_tool_usage_error("sign", image_tool_u32_opts[i].fmt, arg);
        }
        return 0;
    }
    return -1;
}

/* The sign options without argument, with the flag they set (--test also sets pad). */
static const struct {
    int c;
    size_t off;
} image_tool_flag_opts[] = {
    { OPT_PAD_HEADER, offsetof(struct image_sign_opts, pad_header) },
    { OPT_PAD, offsetof(struct image_sign_opts, pad) },
    { OPT_CONFIRM, offsetof(struct image_sign_opts, confirm) },
    { OPT_TEST, offsetof(struct image_sign_opts, pad) },
    { OPT_OVERWRITE_ONLY, offsetof(struct image_sign_opts, overwrite_only) },
    { OPT_NON_BOOTABLE, offsetof(struct image_sign_opts, non_bootable) },
};

/* Applies a sign option without argument; returns 0 or a usage exit status. */
static int image_tool_sign_flag(int c, struct image_sign_opts *o, bool *test)
{
    for (size_t i = 0; i < sizeof(image_tool_flag_opts) / sizeof(image_tool_flag_opts[0]); i++) {
        if (image_tool_flag_opts[i].c == c) {
            *(bool *)((uint8_t *)o + image_tool_flag_opts[i].off) = true;
            *test = *test || c == OPT_TEST;
            return 0;
        }
    }
    return image_tool_usage_error("sign", "%s", "bad option");
}

/* Applies one sign option to o; returns 0 or a usage exit status. */
static int image_tool_sign_opt(int c, const char *arg, struct image_sign_opts *o,
                               const char **key_path, const char **sec_cnt, bool *test)
{
    uint32_t v;
    int rc = image_tool_sign_num(c, arg, o);

    if (rc >= 0) {
        return rc;
    }
    switch (c) {
    case 'k':
        *key_path = arg;
        return 0;
    case 'v':
        if (image_sign_parse_version(arg, &o->version) < 0) {
            return image_tool_usage_error("sign", "bad version '%s'", arg);
        }
        return 0;
    case 'R':
        if (!image_tool_u32(arg, &v) || (v != 0 && v != 0xff)) {
            return image_tool_usage_error("sign", "erased value '%s': must be 0 or 0xff", arg);
        }
        o->erased_val = (uint8_t)v;
        return 0;
    case 's':
        *sec_cnt = arg;
        return 0;
    case 'd':
        if (image_sign_parse_deps(arg, o->deps, IMAGE_VALIDATE_MAX_DEPS, &o->dep_count) < 0) {
            return image_tool_usage_error("sign", "bad dependencies '%s'", arg);
        }
        return 0;
    case OPT_PUBKEY_FORMAT:
        if (strcmp(arg, "hash") != 0 && strcmp(arg, "full") != 0) {
            return image_tool_usage_error("sign", "public key format '%s': hash or full", arg);
        }
        o->pubkey_full = strcmp(arg, "full") == 0;
        return 0;
    default:
        return image_tool_sign_flag(c, o, test);
    }
}

/* What the sign command line asks for. */
struct image_tool_sign_cli {
    struct image_sign_opts o;
    const char *key_path;
    const char *in;
    const char *out;
};

/* Parses the sign command line; returns -1 to go on, or an exit status. */
static int image_tool_sign_parse(struct image_tool_sign_cli *s, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key", required_argument, NULL, 'k' },
        { "version", required_argument, NULL, 'v' },
        { "header-size", required_argument, NULL, 'H' },
        { "slot-size", required_argument, NULL, 'S' },
        { "max-sectors", required_argument, NULL, 'M' },
        { "erased-val", required_argument, NULL, 'R' },
        { "security-counter", required_argument, NULL, 's' },
        { "dependencies", required_argument, NULL, 'd' },
        { "load-addr", required_argument, NULL, 'L' },
        { "pad-header", no_argument, NULL, OPT_PAD_HEADER },
        { "pad", no_argument, NULL, OPT_PAD },
        { "confirm", no_argument, NULL, OPT_CONFIRM },
        { "test", no_argument, NULL, OPT_TEST },
        { "align", required_argument, NULL, OPT_ALIGN },
        { "max-align", required_argument, NULL, OPT_MAX_ALIGN },
        { "overwrite-only", no_argument, NULL, OPT_OVERWRITE_ONLY },
        { "public-key-format", required_argument, NULL, OPT_PUBKEY_FORMAT },
        { "non-bootable", no_argument, NULL, OPT_NON_BOOTABLE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct image_sign_opts *o = &s->o;
    const char *sec_cnt = NULL;
    bool test = false;
    int status;
    int c;

    while ((c = getopt_long(argc, argv, "+:k:v:H:S:M:R:s:d:L:h", longopts, NULL)) != -1) {
        if (c == 'h') {
            image_tool_usage(stdout);
            return IMAGE_TOOL_EXIT_OK;
        }
        if (c == '?' || c == ':') {
            return image_tool_bad_option("sign", c, argv);
        }
        status = image_tool_sign_opt(c, optarg, o, &s->key_path, &sec_cnt, &test);
        if (status != 0) {
            return status;
        }
    }
    if (argc - optind != 2) {
        return image_tool_usage_error("sign", "%s", "needs INFILE and OUTFILE");
    }
    if (test && o->confirm) {
        return image_tool_usage_error("sign", "%s", "--test and --confirm exclude each other");
    }
    if (sec_cnt != NULL) {
        o->has_sec_cnt = true;
        if (strcmp(sec_cnt, "auto") == 0) {
            o->sec_cnt = image_sign_auto_sec_cnt(&o->version);
        } else if (!image_tool_u32(sec_cnt, &o->sec_cnt)) {
            return image_tool_usage_error("sign", "bad security counter '%s'", sec_cnt);
        }
    }
    s->in = argv[optind];
    s->out = argv[optind + 1];
    return -1;
}

static int image_tool_sign(int argc, char **argv)
{
    struct image_tool_sign_cli s;
    struct image_tool_env env;
    char err[KEYS_ERR_MAX];
    uint8_t *in = NULL;
    uint8_t *out = NULL;
    size_t in_len = 0;
    size_t out_len = 0;
    struct keys_key k;
    int status;

    memset(&s, 0, sizeof(s));
    image_sign_opts_init(&s.o);
    status = image_tool_sign_parse(&s, argc, argv);
    if (status >= 0) {
        return status;
    }
    if (image_tool_env_setup(&env) < 0) {
        return IMAGE_TOOL_EXIT_FAIL;
    }
    status = IMAGE_TOOL_EXIT_FAIL;
    keys_init(&k);
    s.o.f_rng = port_rng_random;
    s.o.p_rng = &env.rng;
    if (s.key_path != NULL) {
        if (keys_load(&k, s.key_path, port_rng_random, &env.rng, err, sizeof(err)) < 0) {
            fprintf(stderr, "brownout image sign: %s\n", err);
            status = image_tool_input_status(s.key_path);
            goto out;
        }
        if (!k.is_private) {
            fprintf(stderr, "brownout image sign: %s: a public key cannot sign\n", s.key_path);
            status = BO_EXIT_DATA;
            goto out;
        }
        s.o.key = &k;
    }
    status = BO_EXIT_NOINPUT;
    if (image_tool_read(s.in, &in, &in_len) < 0) {
        goto out;
    }
    status = BO_EXIT_DATA;
    if (image_sign(&s.o, in, in_len, &out, &out_len, err, sizeof(err)) < 0) {
        fprintf(stderr, "brownout image sign: %s\n", err);
        goto out;
    }
    status = BO_EXIT_CANTCREAT;
    if (image_tool_write(s.out, out, out_len) < 0) {
        goto out;
    }
    status = IMAGE_TOOL_EXIT_OK;
out:
    free(in);
    free(out);
    keys_free(&k);
    image_tool_env_free(&env);
    return status;
}

/* What the verify command line asks for. */
struct image_tool_verify_cli {
    const char *paths[IMAGE_TOOL_MAX_KEYS];
    size_t nkeys;
    bool allow_unsigned;
    const char *file;
};

/* Parses the verify command line; returns -1 to go on, or an exit status. */
static int image_tool_verify_parse(struct image_tool_verify_cli *v, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "key", required_argument, NULL, 'k' },
        { "allow-unsigned", no_argument, NULL, OPT_ALLOW_UNSIGNED },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "+:k:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (v->nkeys == IMAGE_TOOL_MAX_KEYS) {
                return image_tool_usage_error("verify", "%s", "too many keys");
            }
            v->paths[v->nkeys++] = optarg;
            break;
        case OPT_ALLOW_UNSIGNED:
            v->allow_unsigned = true;
            break;
        case 'h':
            image_tool_usage(stdout);
            return IMAGE_TOOL_EXIT_OK;
        default:
            return image_tool_bad_option("verify", c, argv);
        }
    }
    if (argc - optind != 1) {
        return image_tool_usage_error("verify", "%s", "needs one FILE");
    }
    if (v->nkeys == 0 && !v->allow_unsigned) {
        return image_tool_usage_error("verify", "%s", "needs -k KEY (or --allow-unsigned)");
    }
    v->file = argv[optind];
    return -1;
}

/* Validates data against the keys of table and prints the verdict; returns an exit status. */
static int image_tool_verify_data(const struct image_tool_verify_cli *v,
                                  const struct keys_table *table, const uint8_t *data, size_t len)
{
    struct image_validate_result res;
    struct image_validate_config cfg;
    struct image_src src;

    if (len > UINT32_MAX) {
        fprintf(stderr, "%s: invalid: larger than 4 GiB\n", v->file);
        return IMAGE_TOOL_EXIT_FAIL;
    }
    cfg.keys = table->table;
    cfg.key_count = (uint32_t)table->count;
    cfg.allow_unsigned = v->allow_unsigned;
    image_src_from_buffer(&src, data, (uint32_t)len);
    if (image_validate(&src, &cfg, &res) < 0) {
        fprintf(stderr, "%s: invalid: %s\n", v->file, image_validate_reason_str(res.reason));
        return IMAGE_TOOL_EXIT_FAIL;
    }
    printf("%s: valid: version %u.%u.%u+%u, ", v->file, res.hdr.version.major,
           res.hdr.version.minor, res.hdr.version.revision, res.hdr.version.build);
    if (res.key_index >= 0) {
        printf("signed by %s (%s)\n", v->paths[res.key_index],
               keys_type_name(table->keys[res.key_index].type));
    } else {
        printf("unsigned (hash only)\n");
    }
    return IMAGE_TOOL_EXIT_OK;
}

static int image_tool_verify(int argc, char **argv)
{
    struct image_tool_verify_cli v;
    struct image_tool_env env;
    struct keys_table table;
    char err[KEYS_ERR_MAX];
    uint8_t *data = NULL;
    size_t len = 0;
    int status;

    memset(&v, 0, sizeof(v));
    status = image_tool_verify_parse(&v, argc, argv);
    if (status >= 0) {
        return status;
    }
    if (image_tool_env_setup(&env) < 0) {
        return IMAGE_TOOL_EXIT_FAIL;
    }
    status = IMAGE_TOOL_EXIT_FAIL;
    memset(&table, 0, sizeof(table));
    if (keys_table_load(&table, v.paths, v.nkeys, port_rng_random, &env.rng, err, sizeof(err)) <
        0) {
        fprintf(stderr, "brownout image verify: %s\n", err);
        status = BO_EXIT_DATA;
        goto out;
    }
    if (image_tool_read(v.file, &data, &len) < 0) {
        status = BO_EXIT_NOINPUT;
        goto out;
    }
    status = image_tool_verify_data(&v, &table, data, len);
out:
    free(data);
    keys_table_free(&table);
    image_tool_env_free(&env);
    return status;
}

static int image_tool_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "erased-val", required_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct image_tool_env env;
    char err[KEYS_ERR_MAX];
    uint8_t erased = 0xff;
    bool json = false;
    uint8_t *data = NULL;
    json_t *info = NULL;
    size_t len = 0;
    uint32_t v;
    int status = IMAGE_TOOL_EXIT_FAIL;
    int c;

    while ((c = getopt_long(argc, argv, "+:R:h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            json = true;
            break;
        case 'R':
            if (!image_tool_u32(optarg, &v) || (v != 0 && v != 0xff)) {
                return image_tool_usage_error("info", "erased value '%s': 0 or 0xff", optarg);
            }
            erased = (uint8_t)v;
            break;
        case 'h':
            image_tool_usage(stdout);
            return IMAGE_TOOL_EXIT_OK;
        default:
            return image_tool_bad_option("info", c, argv);
        }
    }
    if (argc - optind != 1) {
        return image_tool_usage_error("info", "%s", "needs one FILE");
    }
    if (image_tool_env_setup(&env) < 0) {
        return IMAGE_TOOL_EXIT_FAIL;
    }
    status = BO_EXIT_NOINPUT;
    if (image_tool_read(argv[optind], &data, &len) < 0) {
        goto out;
    }
    status = BO_EXIT_DATA;
    info = image_info_describe(data, len, erased, err, sizeof(err));
    if (info == NULL) {
        fprintf(stderr, "%s: %s\n", argv[optind], err);
        goto out;
    }
    if (json) {
        json_object_set_new(info, "file", json_string(argv[optind]));
        if (json_dumpf(info, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            goto out;
        }
        printf("\n");
    } else {
        image_info_print_text(stdout, argv[optind], info);
    }
    status = fflush(stdout) == 0 ? IMAGE_TOOL_EXIT_OK : BO_EXIT_IOERR;
out:
    json_decref(info);
    free(data);
    image_tool_env_free(&env);
    return status;
}

int image_tool_main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } cmds[] = {
        { "keygen", image_tool_keygen }, { "getpub", image_tool_getpub },
        { "sign", image_tool_sign },     { "create", image_tool_sign },
        { "verify", image_tool_verify }, { "info", image_tool_info },
    };
    size_t i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        image_tool_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? IMAGE_TOOL_EXIT_USAGE : IMAGE_TOOL_EXIT_OK;
    }
    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0) {
            /* 0 makes glibc getopt start afresh at argv[1] of the subcommand's own vector. */
            optind = 0;
            return cmds[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "brownout image: unknown command '%s' (see brownout image --help)\n", argv[1]);
    return IMAGE_TOOL_EXIT_USAGE;
}

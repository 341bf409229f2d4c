/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_dtls: a DTLS server (one device, its own process) under 64 concurrent clients.
 *
 * The server runs in a forked child on its own libuv loop; the clients (dtls_server_peer, each
 * in a thread) run in the parent. The load generator costs more CPU per handshake than the
 * server, so the server is judged by its own CPU time (the child's rusage, sampled before and
 * after each phase) per handshake, divided by the crypto floor of a server's ECDHE-ECDSA
 * handshake measured with the same Mbed TLS build in this run: one ECDSA P-256 signature, one
 * ECDHE key generation and one shared-secret computation (target ratio <= 1.3).
 * Phases: full ECDHE-ECDSA P-256 handshakes, PSK handshakes, then 1,000 established sessions
 * at once (peak heap per session, target <= 24 KiB, and the server's RSS). Last, the same 1,000
 * sessions (PSK) against a network device of a real brownoutd (its programs are found next to
 * this one, ../../bin, or in $BROWNOUT_BIN): the RSS of the daemon and of its brownout-fw child,
 * and the device's heap per session from query-status ("net").
 * Figures only: it fails only when the benchmark itself breaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/ecdh.h"
#include "mbedtls/platform.h"
#include "mbedtls/sha256.h"

#include "bo_err.h"
#include "client/client.h"
#include "dtls/dtls_server.h"
#include "dtls/dtls_server_peer.h"

#define CLIENTS 64
#define ECDSA_PER_CLIENT 5
#define PSK_PER_CLIENT 10
#define HELD_SESSIONS 1000
#define HOLD_THREADS 20
#define PSK_ID "bench"
#define PSK_HEX "00112233445566778899aabbccddeeff"

static char pki_dir[512];
static char pki_buf[8][640];

static const char *pki(int slot, const char *name)
{
    snprintf(pki_buf[slot], sizeof(pki_buf[slot]), "%s/%s", pki_dir, name);
    return pki_buf[slot];
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the server process reports on SIGUSR1. */
struct report {
    double cpu_s; /* User + system time of the server process. */
    long rss_kb;  /* VmRSS. */
    long hwm_kb;  /* VmHWM (peak RSS). */
    struct dtls_server_stats st;
};

/* ------------------------------------------------------------------------------------------ */
/* The server process. */

struct child {
    uv_loop_t loop;
    struct dtls_server srv;
    uv_signal_t usr1;
    uv_signal_t term;
    int report_fd;
};

static void child_on_data(void *ctx, uint32_t session, const uint8_t *buf, size_t len)
{
    struct child *c = ctx;

    (void)dtls_server_send(&c->srv, session, buf, len);
}

/* A "kB" line of /proc/PID/status (pid 0: this process), or -1. */
static long status_kb(pid_t pid, const char *key)
{
    char path[64];
    char line[256];
    long v = -1;

    if (pid == 0) {
        snprintf(path, sizeof(path), "/proc/self/status");
    } else {
        snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, key, strlen(key)) == 0) {
            v = strtol(line + strlen(key), NULL, 10);
        }
    }
    fclose(f);
    return v;
}

static void child_report(uv_signal_t *sig, int signum)
{
    struct child *c = sig->data;
    struct report r;
    struct rusage ru;

    (void)signum;
    memset(&r, 0, sizeof(r));
    getrusage(RUSAGE_SELF, &ru);
    r.cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
              (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    r.rss_kb = status_kb(0, "VmRSS:");
    r.hwm_kb = status_kb(0, "VmHWM:");
    dtls_server_stats(&c->srv, &r.st);
    if (write(c->report_fd, &r, sizeof(r)) != (ssize_t)sizeof(r)) {
        _exit(3);
    }
}

static void child_term(uv_signal_t *sig, int signum)
{
    struct child *c = sig->data;

    (void)signum;
    uv_stop(&c->loop);
}

static int child_main(int report_fd, int ready_fd)
{
    static struct child c;
    struct dtls_server_config cfg;
    struct dtls_server_app app = { &c, child_on_data, NULL };
    mbedtls_platform_context platform;
    int port;

    memset(&platform, 0, sizeof(platform));
    mbedtls_platform_setup(&platform);
    memset(&cfg, 0, sizeof(cfg));
    cfg.name = "bench";
    cfg.psk_identity = PSK_ID;
    cfg.psk_hex = PSK_HEX;
    cfg.cert_file = pki(0, "device.pem");
    cfg.key_file = pki(1, "device.key");
    cfg.max_sessions = HELD_SESSIONS + 100;
    cfg.hs_timeout_min_ms = 5000;
    cfg.hs_timeout_max_ms = 60000;
    c.report_fd = report_fd;
    uv_loop_init(&c.loop);
    dtls_server_init(&c.srv);
    if (dtls_server_setup(&c.srv, &c.loop, &cfg, &app) != 0) {
        return 2;
    }
    uv_signal_init(&c.loop, &c.usr1);
    uv_signal_init(&c.loop, &c.term);
    c.usr1.data = c.term.data = &c;
    uv_signal_start(&c.usr1, child_report, SIGUSR1);
    uv_signal_start(&c.term, child_term, SIGTERM);
    port = dtls_server_port(&c.srv);
    if (write(ready_fd, &port, sizeof(port)) != (ssize_t)sizeof(port)) {
        return 2;
    }
    close(ready_fd);
    uv_run(&c.loop, UV_RUN_DEFAULT);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The load generator. */

static pid_t server_pid;
static int report_rd;
static uint16_t server_port;

static int server_report(struct report *r)
{
    if (kill(server_pid, SIGUSR1) != 0) {
        return -1;
    }
    size_t got = 0;
    while (got < sizeof(*r)) {
        ssize_t n = read(report_rd, (char *)r + got, sizeof(*r) - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

enum mode {
    MODE_ECDSA,
    MODE_PSK
};

struct worker {
    pthread_t thread;
    enum mode mode;
    int count;                     /* Handshakes to run, one after the other. */
    struct dtls_server_peer *hold; /* When set: establish count peers here and keep them. */
    int ok;
    int failed;
};

static void peer_config(struct dtls_server_peer_config *pc, enum mode mode)
{
    memset(pc, 0, sizeof(*pc));
    pc->port = server_port;
    pc->hs_timeout_min_ms = 5000;
    pc->hs_timeout_max_ms = 60000;
    pc->deadline_ms = 60000;
    if (mode == MODE_PSK) {
        pc->psk_identity = PSK_ID;
        pc->psk_hex = PSK_HEX;
        /* Plain PSK, CoAP's mandatory suite (RFC 7252, 9.1.3.1); no ECDHE. */
        pc->ciphersuite = MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8;
    } else {
        /* The server's certificate is not verified: its signature on the key exchange is. */
        pc->ciphersuite = MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8;
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct dtls_server_peer_config pc;
    struct dtls_server_peer tmp;

    peer_config(&pc, w->mode);
    for (int i = 0; i < w->count; i++) {
        struct dtls_server_peer *p = w->hold != NULL ? &w->hold[i] : &tmp;
        dtls_server_peer_init(p);
        int rc = dtls_server_peer_setup(p, &pc);
        if (rc == 0) {
            rc = dtls_server_peer_handshake(p);
        }
        if (rc == 0) {
            w->ok++;
        } else {
            w->failed++;
        }
        if (w->hold == NULL) {
            dtls_server_peer_close(p);
            dtls_server_peer_free(p);
        }
    }
    return NULL;
}

/* Runs n workers; returns the wall time. */
static double run_workers(struct worker *w, int n, int *ok, int *failed)
{
    double t0 = now_s();

    for (int i = 0; i < n; i++) {
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "bench_dtls: pthread_create failed\n");
            exit(1);
        }
    }
    *ok = *failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(w[i].thread, NULL);
        *ok += w[i].ok;
        *failed += w[i].failed;
    }
    return now_s() - t0;
}

/* ------------------------------------------------------------------------------------------ */
/* The crypto floor: 1 ECDSA P-256 signature + 1 ECDHE key generation + 1 shared secret. */

static double crypto_floor(int runs)
{
    struct port_rng rng;
    mbedtls_pk_context key;
    mbedtls_ecp_group grp;
    mbedtls_mpi d, peer_d, z;
    mbedtls_ecp_point q, peer_q;
    unsigned char hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t sig_len;
    double best = 1e9;

    port_rng_init(&rng);
    mbedtls_pk_init(&key);
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&peer_d);
    mbedtls_mpi_init(&z);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&peer_q);
    if (port_rng_setup(&rng, "floor") != 0) {
        return -1;
    }
    {
        FILE *f = fopen(pki(2, "device.key"), "rb");
        static unsigned char buf[4096];
        size_t n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
        if (f != NULL) {
            fclose(f);
        }
        buf[n] = 0;
        if (n == 0 || mbedtls_pk_parse_key(&key, buf, n + 1, NULL, 0, port_rng_random, &rng) != 0) {
            return -1;
        }
    }
    mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    mbedtls_ecdh_gen_public(&grp, &peer_d, &peer_q, port_rng_random, &rng);
    memset(hash, 0x42, sizeof(hash));
    /* The best of a few batches: the floor is what the hardware can do. */
    for (int batch = 0; batch < 3; batch++) {
        double t0 = cpu_s();
        for (int i = 0; i < runs; i++) {
            hash[0] = (unsigned char)i;
            if (mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, sizeof(sig),
                                &sig_len, port_rng_random, &rng) != 0 ||
                mbedtls_ecdh_gen_public(&grp, &d, &q, port_rng_random, &rng) != 0 ||
                mbedtls_ecdh_compute_shared(&grp, &z, &peer_q, &d, port_rng_random, &rng) != 0) {
                return -1;
            }
        }
        double per = (cpu_s() - t0) / runs;
        if (per < best) {
            best = per;
        }
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_point_free(&peer_q);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&peer_d);
    mbedtls_mpi_free(&z);
    mbedtls_ecp_group_free(&grp);
    mbedtls_pk_free(&key);
    port_rng_free(&rng);
    return best;
}

/* One phase of full handshakes: returns 0 and prints its figures. */
static int phase(const char *name, enum mode mode, int per_client, double floor_s)
{
    static struct worker w[CLIENTS];
    struct report r0, r1;
    int ok, failed;

    memset(w, 0, sizeof(w));
    for (int i = 0; i < CLIENTS; i++) {
        w[i].mode = mode;
        w[i].count = per_client;
    }
    if (server_report(&r0) != 0) {
        return -1;
    }
    double wall = run_workers(w, CLIENTS, &ok, &failed);
    if (server_report(&r1) != 0) {
        return -1;
    }
    uint64_t hs = r1.st.handshakes_ok - r0.st.handshakes_ok;
    double cpu = r1.cpu_s - r0.cpu_s;
    if (hs == 0) {
        fprintf(stderr, "bench_dtls: %s: no handshake completed\n", name);
        return -1;
    }
    double per = cpu / (double)hs;
    printf("%-12s %d clients: %llu handshakes (%d failed) in %.2f s: %.0f handshakes/s; "
           "server CPU %.0f us/handshake",
           name, CLIENTS, (unsigned long long)hs, failed, wall, (double)hs / wall, per * 1e6);
    if (floor_s > 0) {
        printf(" = %.2f x crypto floor (target <= 1.3)", per / floor_s);
    }
    printf("\n");
    printf("%-12s cookies sent %llu, retransmission-free: %s\n", "",
           (unsigned long long)(r1.st.cookies_sent - r0.st.cookies_sent),
           r1.st.cookies_sent - r0.st.cookies_sent == hs ? "yes" : "no");
    return failed == 0 ? 0 : -1;
}

/* Establishes HELD_SESSIONS sessions of mode to server_port, HOLD_THREADS at a time. */
static struct dtls_server_peer *hold_sessions(enum mode mode, int *ok, int *failed, double *wall)
{
    static struct worker w[HOLD_THREADS];
    struct dtls_server_peer *peers = calloc(HELD_SESSIONS, sizeof(*peers));
    int per = HELD_SESSIONS / HOLD_THREADS;

    if (peers == NULL) {
        return NULL;
    }
    memset(w, 0, sizeof(w));
    for (int i = 0; i < HOLD_THREADS; i++) {
        w[i].mode = mode;
        w[i].count = per;
        w[i].hold = peers + i * per;
    }
    *wall = run_workers(w, HOLD_THREADS, ok, failed);
    return peers;
}

/* Closes and frees what hold_sessions() made. */
static void release_sessions(struct dtls_server_peer *peers)
{
    for (int i = 0; i < HELD_SESSIONS; i++) {
        dtls_server_peer_close(&peers[i]);
        dtls_server_peer_free(&peers[i]);
    }
    free(peers);
}

static int held_phase(void)
{
    struct report r;
    int ok, failed, rc = 0;
    double wall;
    struct dtls_server_peer *peers = hold_sessions(MODE_ECDSA, &ok, &failed, &wall);

    if (peers == NULL) {
        return -1;
    }
    if (server_report(&r) != 0) {
        rc = -1;
    } else {
        printf("held         %d established sessions (%d failed) in %.1f s: peak heap per session "
               "%.1f KiB (target <= 24 KiB), live %.1f KiB per established session; "
               "device heap live %.0f KiB, peak %.0f KiB; server process RSS %ld KiB "
               "(peak %ld KiB; no daemon in this phase)\n",
               (int)r.st.established, failed, wall, r.st.session_peak_max / 1024.0,
               r.st.established ? r.st.heap_live / 1024.0 / r.st.established : 0.0,
               r.st.heap_live / 1024.0, r.st.heap_peak / 1024.0, r.rss_kb, r.hwm_kb);
        if ((int)r.st.established != ok || failed != 0) {
            rc = -1;
        }
    }
    release_sessions(peers);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* The same sessions on a network device of a real brownoutd (PSK: the cheapest handshake). */

#define DAEMON_DEVICE "dev0"
#define DAEMON_WAIT_MS 30000

/* A brownoutd started for the benchmark, on a temporary directory. */
struct daemon_run {
    char dir[256];
    char bin[PATH_MAX];
    char path[8][PATH_MAX]; /* Files made in dir, removed at the end. */
    int npaths;
    const char *ini; /* The configuration, one of path. */
    pid_t pid;
    struct client_conn conn;
};

/* The directory of the programs: $BROWNOUT_BIN, else BUILD/bin for BUILD/tests/bench/this. */
static int daemon_bin(char *out, size_t len)
{
    const char *env = getenv("BROWNOUT_BIN");
    char self[PATH_MAX];
    ssize_t n;

    if (env != NULL && env[0] != '\0') {
        return snprintf(out, len, "%s", env) < (int)len ? 0 : -1;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        return -1;
    }
    self[n] = '\0';
    char *build = dirname(dirname(dirname(self)));
    return snprintf(out, len, "%s/bin", build) < (int)len ? 0 : -1;
}

/* A path in the run's directory, remembered for removal. */
static const char *daemon_file(struct daemon_run *d, const char *name)
{
    char *p = d->path[d->npaths++];
    char dir[sizeof(d->dir)];

    memcpy(dir, d->dir, sizeof(dir));
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    return p;
}

/* Starts argv[0] with its output appended to log; it gets SIGTERM if this process dies. */
static pid_t daemon_spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();

    if (pid != 0) {
        return pid;
    }
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    execv(argv[0], argv);
    _exit(127);
}

/* Waits for pid; SIGKILL after timeout_ms. \return Its exit status, or -1. */
static int daemon_reap(pid_t pid, int timeout_ms)
{
    int status = 0;

    for (int waited = 0;; waited += 10) {
        pid_t r = waitpid(pid, &status, waited < timeout_ms ? WNOHANG : 0);
        if (r == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (waited == timeout_ms) {
            kill(pid, SIGKILL);
        }
        usleep(10000);
    }
}

/* Writes the device's configuration and a signed v1 image. */
static int daemon_prepare(struct daemon_run *d, const char *root, const char *log)
{
    char prog[PATH_MAX + 16], key[PATH_MAX + 64], pub[PATH_MAX + 64], board[PATH_MAX + 64];
    const char *payload = daemon_file(d, "v1.payload");
    const char *image = daemon_file(d, "v1.bin");
    const char *ini = d->ini = daemon_file(d, "bench.ini");
    const char *flash = daemon_file(d, "dev0.bin");
    static uint8_t bytes[20000];
    FILE *f;

    snprintf(prog, sizeof(prog), "%s/brownout", d->bin);
    snprintf(key, sizeof(key), "%s/fixtures/keys/ec256.pem", root);
    snprintf(pub, sizeof(pub), "%s/fixtures/keys/ec256.pub.pem", root);
    snprintf(board, sizeof(board), "%s/fixtures/boards/nrf52840.ini", root);
    for (size_t i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    f = fopen(payload, "wb");
    if (f == NULL || fwrite(bytes, 1, sizeof(bytes), f) != sizeof(bytes) || fclose(f) != 0) {
        return -1;
    }
    char *sign[] = { prog,      "image", "sign",          "-k",          key,
                     "-v",      "1.0.0", "--pad-header",  "-H",          "0x200",
                     "--align", "4",     (char *)payload, (char *)image, NULL };
    pid_t pid = daemon_spawn(sign, log);
    if (pid < 0 || daemon_reap(pid, 20000) != 0) {
        fprintf(stderr, "bench_dtls: %s image sign failed (see %s)\n", prog, log);
        return -1;
    }
    f = fopen(ini, "w");
    if (f == NULL) {
        return -1;
    }
    fprintf(f,
            "[device %s]\nboard = %s\nkey = %s\nflash = %s\nimage = primary=%s\n"
            "power-on-delay-ms = 50\naddress = 127.0.0.1:0\npsk-identity = %s\npsk = %s\n"
            "max-sessions = %d\nidle-timeout = 600s\ndtls-timeout-min = 5s\n"
            "dtls-timeout-max = 60s\n",
            DAEMON_DEVICE, board, pub, flash, image, PSK_ID, PSK_HEX, HELD_SESSIONS + 100);
    return fclose(f) == 0 ? 0 : -1;
}

/* query-status of the device: the "return" object (json_decref() it), or NULL. */
static json_t *daemon_status(struct daemon_run *d)
{
    json_t *reply = NULL;
    json_t *ret;

    if (client_execute(&d->conn, "query-status", json_pack("{s:s}", "device", DAEMON_DEVICE), 5000,
                       &reply) != 0) {
        return NULL;
    }
    ret = json_incref(json_object_get(reply, "return"));
    json_decref(reply);
    return ret;
}

/* Starts brownoutd and waits until the device's app serves. \return Its UDP port, or -1. */
static int daemon_start(struct daemon_run *d, const char *log, pid_t *fw_pid)
{
    char prog[PATH_MAX + 16];
    const char *sock = daemon_file(d, "bo.sock");
    char *argv[] = { prog, "--control", (char *)sock, "-c", (char *)d->ini, NULL };

    snprintf(prog, sizeof(prog), "%s/brownoutd", d->bin);
    d->pid = daemon_spawn(argv, log);
    if (d->pid < 0) {
        return -1;
    }
    for (int waited = 0; client_connect(&d->conn, sock, 1000) != 0; waited += 20) {
        client_free(&d->conn);
        client_init(&d->conn);
        if (waited > 10000 || waitpid(d->pid, NULL, WNOHANG) != 0) {
            return -1;
        }
        usleep(20000);
    }
    for (int waited = 0; waited < DAEMON_WAIT_MS; waited += 50) {
        json_t *st = daemon_status(d);
        json_t *app = json_object_get(st, "app");
        int port = -1;
        if (json_is_true(json_object_get(app, "ready"))) {
            port = (int)json_integer_value(json_object_get(app, "port"));
            *fw_pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
        }
        json_decref(st);
        if (port > 0) {
            return port;
        }
        usleep(50000);
    }
    return -1;
}

/* Stops the daemon and removes the run's files. */
static void daemon_finish(struct daemon_run *d, const char *log, int failed)
{
    client_free(&d->conn);
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        daemon_reap(d->pid, 10000);
    }
    if (failed) {
        fflush(stdout);
        fprintf(stderr, "bench_dtls: the daemon phase failed; brownoutd's log is %s\n", log);
        return;
    }
    for (int i = 0; i < d->npaths; i++) {
        unlink(d->path[i]);
    }
    unlink(log);
    rmdir(d->dir);
}

static int daemon_phase(const char *root)
{
    static struct daemon_run d;
    char log[300], abs_root[PATH_MAX];
    struct dtls_server_peer *peers = NULL;
    pid_t fw_pid = 0;
    int ok = 0, failed = 0, rc = -1;
    double wall = 0;
    json_t *st = NULL;

    memset(&d, 0, sizeof(d));
    client_init(&d.conn);
    snprintf(d.dir, sizeof(d.dir), "/tmp/bench-dtls.XXXXXX");
    if (daemon_bin(d.bin, sizeof(d.bin)) != 0 || mkdtemp(d.dir) == NULL) {
        return -1;
    }
    snprintf(log, sizeof(log), "%s/brownoutd.log", d.dir);
    /* The configuration is read from its own directory: absolute paths only. */
    if (realpath(root, abs_root) == NULL || daemon_prepare(&d, abs_root, log) != 0) {
        goto out;
    }
    int port = daemon_start(&d, log, &fw_pid);
    if (port <= 0 || fw_pid <= 0) {
        fflush(stdout);
        fprintf(stderr, "bench_dtls: %s/brownoutd: the device's app did not start\n", d.bin);
        goto out;
    }
    long fw_before = status_kb(fw_pid, "VmRSS:");
    long daemon_before = status_kb(d.pid, "VmRSS:");
    server_port = (uint16_t)port;
    peers = hold_sessions(MODE_PSK, &ok, &failed, &wall);
    st = daemon_status(&d);
    json_t *dtls = json_object_get(json_object_get(st, "net"), "dtls");
    json_t *heap = json_object_get(json_object_get(st, "net"), "heap");
    if (peers == NULL || dtls == NULL || heap == NULL) {
        goto out;
    }
    long est = (long)json_integer_value(json_object_get(dtls, "established"));
    double live = (double)json_integer_value(json_object_get(heap, "live"));
    double peak = (double)json_integer_value(json_object_get(heap, "peak"));
    double speak = (double)json_integer_value(json_object_get(heap, "session-peak-max"));
    long fw_rss = status_kb(fw_pid, "VmRSS:");
    long daemon_rss = status_kb(d.pid, "VmRSS:");
    printf("daemon       %ld established PSK sessions on one brownoutd device (%d failed) in "
           "%.1f s: peak heap per session %.1f KiB (target <= 24 KiB), live %.1f KiB per "
           "session; device heap live %.0f KiB, peak %.0f KiB\n",
           est, failed, wall, speak / 1024.0, est > 0 ? live / 1024.0 / (double)est : 0.0,
           live / 1024.0, peak / 1024.0);
    printf("%-12s RSS: device process (brownout-fw) %ld KiB (%ld KiB before the sessions, "
           "%+.1f KiB per session); daemon (brownoutd) %ld KiB (%ld KiB before)\n",
           "", fw_rss, fw_before, (double)(fw_rss - fw_before) / (double)HELD_SESSIONS, daemon_rss,
           daemon_before);
    rc = est == ok && failed == 0 && ok == HELD_SESSIONS ? 0 : -1;
out:
    json_decref(st);
    if (peers != NULL) {
        release_sessions(peers);
    }
    daemon_finish(&d, log, rc != 0);
    return rc;
}

int main(void)
{
    const char *root = getenv("BROWNOUT_ROOT");
    mbedtls_platform_context platform;
    int report_pipe[2], ready_pipe[2];
    int port = 0, status = 0, rc = 0;

    snprintf(pki_dir, sizeof(pki_dir), "%s/fixtures/pki", root != NULL ? root : ".");
    memset(&platform, 0, sizeof(platform));
    mbedtls_platform_setup(&platform);

    double floor_s = crypto_floor(50);
    if (floor_s <= 0) {
        fprintf(stderr, "bench_dtls: cannot measure the crypto floor (fixtures in %s?)\n", pki_dir);
        return 1;
    }
    printf("crypto floor: %.0f us (1 ECDSA P-256 sign + 1 ECDHE keygen + 1 shared secret)\n",
           floor_s * 1e6);
    fflush(stdout);

    if (pipe(report_pipe) != 0 || pipe(ready_pipe) != 0) {
        return 1;
    }
    server_pid = fork();
    if (server_pid < 0) {
        return 1;
    }
    if (server_pid == 0) {
        close(report_pipe[0]);
        close(ready_pipe[0]);
        _exit(child_main(report_pipe[1], ready_pipe[1]));
    }
    close(report_pipe[1]);
    close(ready_pipe[1]);
    report_rd = report_pipe[0];
    if (read(ready_pipe[0], &port, sizeof(port)) != (ssize_t)sizeof(port) || port <= 0) {
        fprintf(stderr, "bench_dtls: the server did not start\n");
        rc = 1;
        goto out;
    }
    close(ready_pipe[0]);
    server_port = (uint16_t)port;

    if (phase("ECDHE-ECDSA", MODE_ECDSA, ECDSA_PER_CLIENT, floor_s) != 0 ||
        phase("PSK", MODE_PSK, PSK_PER_CLIENT, 0) != 0 || held_phase() != 0) {
        rc = 1;
    }
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    server_pid = 0;
    fflush(stdout);
    if (rc == 0 && daemon_phase(root != NULL ? root : ".") != 0) {
        rc = 1;
    }
    /* The floor again, after the load: a busy machine shows here as a different figure. */
    double again = crypto_floor(50);
    printf("crypto floor after the run: %.0f us (%+.0f%%); the ratio above used the first\n",
           again * 1e6, (again / floor_s - 1.0) * 100.0);
out:
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, &status, 0);
    }
    mbedtls_platform_teardown(&platform);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * brownoutd: the simulator daemon. Parses the configuration (config.h), sets up the daemon
 * (daemon.h) on the default libuv loop and runs it in the foreground until SIGTERM/SIGINT.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "board/board.h"
#include "bo_err.h"
#include "config/config_start.h"
#include "config/daemon_config.h"
#include "daemon/daemon.h"
#include "util/bo_exit.h"

/* Exit status for a setup error. */
static int brownoutd_exit_code(int rc)
{
    switch (rc) {
    case BO_EINVAL:
        return BO_EXIT_CONFIG;
    case BO_ENOENT:
        return BO_EXIT_NOINPUT;
    case BO_EBUSY:
    case BO_EEXIST:
        return BO_EXIT_UNAVAIL;
    case BO_EOS:
        return BO_EXIT_OSERR;
    default:
        return BO_EXIT_SOFTWARE;
    }
}

/* --log FILE: stderr (the daemon's and its firmware runs') goes to FILE, appended. */
static int brownoutd_open_log(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

    if (fd < 0) {
        fprintf(stderr, "brownoutd: --log %s: %s\n", path, strerror(errno));
        return -1;
    }
    fflush(stderr);
    if (dup2(fd, STDERR_FILENO) < 0) {
        fprintf(stderr, "brownoutd: --log %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    static struct config cfg;
    static struct daemon d;
    enum config_action action;
    char err[CONFIG_ERR_MAX];
    uv_loop_t *loop;
    int status = 0;
    int rc;

    /*
     * A control client or a firmware process that goes away costs a write an EPIPE, not the
     * daemon its life: the one place the process's SIGPIPE disposition is chosen.
     */
    signal(SIGPIPE, SIG_IGN);
    config_init(&cfg);
    rc = config_parse_args(&cfg, argc, argv, &action, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "brownoutd: %s\n", err);
        if (rc == BO_EOS) {
            return BO_EXIT_NOINPUT;
        }
        fprintf(stderr, "Try 'brownoutd --help' for more information.\n");
        return strchr(err, ':') != NULL && cfg.file[0] != '\0' ? BO_EXIT_CONFIG : BO_EXIT_USAGE;
    }
    if (action == CONFIG_HELP) {
        config_usage(stdout);
        return 0;
    }
    if (action == CONFIG_VERSION) {
        printf("brownoutd %s\n", BROWNOUT_VERSION);
        return 0;
    }
    /* Boards, modes, keys and images are checked once here, never at each boot. */
    rc = config_start_check(&cfg, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "brownoutd: %s\n", err);
        return rc;
    }
    if (cfg.check_only) {
        config_print(&cfg, stdout);
        return 0;
    }
    if (cfg.has_ready_fd && fcntl(cfg.ready_fd, F_GETFD) < 0) {
        fprintf(stderr, "brownoutd: --ready-fd %d: not an open descriptor\n", cfg.ready_fd);
        return BO_EXIT_USAGE;
    }
    if (cfg.log[0] != '\0' && brownoutd_open_log(cfg.log) < 0) {
        return BO_EXIT_CANTCREAT;
    }
    setvbuf(stderr, NULL, _IOLBF, 0);
    loop = uv_default_loop();
    daemon_init(&d);
    rc = daemon_setup(&d, loop, &cfg, argc, argv, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "brownoutd: %s\n", err);
        status = brownoutd_exit_code(rc);
        daemon_stop(&d, "setup failed");
    }
    uv_run(loop, UV_RUN_DEFAULT);
    daemon_free(&d);
    uv_run(loop, UV_RUN_NOWAIT);
    if (uv_loop_close(loop) != 0) {
        fprintf(stderr, "brownoutd: handles left open at exit\n");
    }
    if (status == 0) {
        fprintf(stderr, "brownoutd: stopped\n");
    }
    return status;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The loop's busy-time counters: libuv's idle-time metric read at each iteration's prepare. */
#include "daemon/daemon_loop.h"

#include <string.h>

#include "bo_err.h"

/* Called before each wait for events: the time since the previous call, minus the time the
 * loop spent waiting, is what the iteration's callbacks took. */
static void daemon_loop_prepare_cb(uv_prepare_t *h)
{
    struct daemon_loop *l = h->data;
    uint64_t now = uv_hrtime();
    uint64_t idle = uv_metrics_idle_time(h->loop);

    if (l->mark_ns != 0) {
        uint64_t wall = now - l->mark_ns;
        uint64_t waited = idle - l->mark_idle;
        uint64_t busy = wall > waited ? wall - waited : 0;

        l->iterations++;
        l->busy_ns += busy;
        if (busy >= (uint64_t)DAEMON_LOOP_LONG_MS * 1000000u) {
            l->long_count++;
            l->long_ns += busy;
        }
        if (busy > l->max_ns) {
            l->max_ns = busy;
        }
    }
    /* Read again: this callback's own time counts in the next iteration. */
    l->mark_ns = uv_hrtime();
    l->mark_idle = uv_metrics_idle_time(h->loop);
}

int daemon_loop_start(struct daemon_loop *l, uv_loop_t *loop)
{
    memset(l, 0, sizeof(*l));
    if (uv_loop_configure(loop, UV_METRICS_IDLE_TIME) != 0 || uv_prepare_init(loop, &l->prepare)) {
        return BO_EOS;
    }
    l->prepare.data = l;
    uv_prepare_start(&l->prepare, daemon_loop_prepare_cb);
    uv_unref((uv_handle_t *)&l->prepare);
    l->started = true;
    l->start_ns = uv_hrtime();
    return 0;
}

void daemon_loop_stop(struct daemon_loop *l)
{
    if (l->started && !uv_is_closing((uv_handle_t *)&l->prepare)) {
        uv_close((uv_handle_t *)&l->prepare, NULL);
    }
}

json_t *daemon_loop_json(const struct daemon_loop *l)
{
    if (!l->started) {
        return NULL;
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "uptime-us",
                     (json_int_t)((uv_hrtime() - l->start_ns) / 1000u), "iterations",
                     (json_int_t)l->iterations, "busy-us", (json_int_t)(l->busy_ns / 1000u),
                     "max-iteration-us", (json_int_t)(l->max_ns / 1000u), "long-iterations",
                     (json_int_t)l->long_count, "long-busy-us", (json_int_t)(l->long_ns / 1000u),
                     "long-ms", DAEMON_LOOP_LONG_MS);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Mbed TLS timer contract (mbedtls_ssl_set_timer_cb) on one uv_timer per session.
 *
 * f_set_timer(int_ms, fin_ms): fin_ms == 0 cancels; otherwise both delays start now.
 * f_get_timer(): -1 when cancelled, 0 before int_ms, 1 from int_ms, 2 from fin_ms.
 * Time is the loop's clock (uv_now), the device clock of the runner. When the final delay
 * passes, the uv_timer drives the session so that Mbed TLS retransmits or gives up without
 * waiting for a datagram.
 */
#include "dtls/dtls_server_int.h"

static void dtls_server_timer_fire(uv_timer_t *timer)
{
    struct dtls_session *s = timer->data;

    if (s->state == DTLS_SESSION_CLOSING || s->timer_fin_ms == 0) {
        return;
    }
    dtls_server_session_drive(s);
}

void dtls_server_timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
    struct dtls_session *s = ctx;
    uv_loop_t *loop = s->srv->loop;

    s->timer_int_ms = int_ms;
    s->timer_fin_ms = fin_ms;
    if (uv_is_closing((uv_handle_t *)&s->timer)) {
        return;
    }
    if (fin_ms == 0) {
        uv_timer_stop(&s->timer);
        return;
    }
    s->timer_start = uv_now(loop);
    uv_timer_start(&s->timer, dtls_server_timer_fire, fin_ms, 0);
}

int dtls_server_timer_get(void *ctx)
{
    const struct dtls_session *s = ctx;

    if (s->timer_fin_ms == 0) {
        return -1;
    }
    uint64_t elapsed = uv_now(s->srv->loop) - s->timer_start;
    if (elapsed >= s->timer_fin_ms) {
        return 2;
    }
    if (elapsed >= s->timer_int_ms) {
        return 1;
    }
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Requests to a device's firmware over its pipe: bounded per device, each answered exactly once
 * (reply, end of the run, timeout or cancellation of its owner).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bo_err.h"
#include "daemon/device_int.h"
#include "dtls/link_fault.h"

const char device_error_timeout[] = "the firmware did not answer in time";

/* A request to the firmware waiting for its reply. */
struct device_pending {
    struct device_pending *next;
    uint64_t id;
    uint64_t owner;
    uint64_t deadline; /* Loop time (ms) after which it times out. */
    device_reply_fn cb;
    void *arg;
};

/* A write to the firmware's pipe. */
struct device_write {
    uv_write_t req;
    char *text;
};

/* Unlinks *pp and completes it with result or error. */
static void device_req_complete(struct device *dev, struct device_pending **pp, json_t *result,
                                const char *error)
{
    struct device_pending *p = *pp;

    *pp = p->next;
    dev->n_pending--;
    if (p->cb != NULL) {
        p->cb(p->arg, result, error);
    } else {
        json_decref(result);
    }
    free(p);
}

static void device_req_timer_cb(uv_timer_t *t);

/* Starts the timer for the earliest deadline, or stops it when nothing waits. */
static void device_req_rearm(struct device *dev)
{
    struct device_pending *p;
    uint64_t first = UINT64_MAX;
    uint64_t now;

    if (dev->req_timer == NULL || uv_is_closing((uv_handle_t *)dev->req_timer)) {
        return;
    }
    for (p = dev->pending; p != NULL; p = p->next) {
        first = p->deadline < first ? p->deadline : first;
    }
    if (first == UINT64_MAX) {
        uv_timer_stop(dev->req_timer);
        return;
    }
    now = uv_now(dev->loop);
    uv_timer_start(dev->req_timer, device_req_timer_cb, first > now ? first - now : 0, 0);
}

/* Fails the requests whose deadline passed with device_error_timeout. */
static void device_req_timer_cb(uv_timer_t *t)
{
    struct device *dev = t->data;
    struct device_pending **pp = &dev->pending;
    uint64_t now = uv_now(dev->loop);

    while (*pp != NULL) {
        if ((*pp)->deadline <= now) {
            device_req_complete(dev, pp, NULL, device_error_timeout);
            pp = &dev->pending; /* A callback may have changed the list. */
        } else {
            pp = &(*pp)->next;
        }
    }
    device_req_rearm(dev);
}

void device_req_fail_all(struct device *dev, const char *why)
{
    while (dev->pending != NULL) {
        device_req_complete(dev, &dev->pending, NULL, why);
    }
    device_req_rearm(dev);
}

void device_req_reply(struct device *dev, uint64_t id, json_t *msg)
{
    struct device_pending **pp = &dev->pending;
    json_t *ret = json_object_get(msg, "return");
    const char *error = json_string_value(json_object_get(msg, "error"));

    while (*pp != NULL && (*pp)->id != id) {
        pp = &(*pp)->next;
    }
    if (*pp == NULL) {
        return; /* Timed out or cancelled already. */
    }
    device_req_complete(dev, pp,
                        error == NULL ? json_incref(ret != NULL ? ret : json_null()) : NULL, error);
    device_req_rearm(dev);
}

void device_request_cancel(struct device *dev, uint64_t owner)
{
    struct device_pending **pp = &dev->pending;

    while (owner != 0 && *pp != NULL) {
        if ((*pp)->owner == owner) {
            device_req_complete(dev, pp, NULL, "the client left");
            pp = &dev->pending;
        } else {
            pp = &(*pp)->next;
        }
    }
    device_req_rearm(dev);
}

static void device_req_timer_closed(uv_handle_t *h)
{
    struct device *dev = h->data;
    void (*cb)(struct device *) = dev->req_timer_closed;

    free(h);
    dev->req_timer = NULL;
    if (cb != NULL) {
        cb(dev);
    }
}

bool device_req_close(struct device *dev, void (*closed_cb)(struct device *dev))
{
    if (dev->req_timer == NULL) {
        return false;
    }
    dev->req_timer_closed = closed_cb;
    if (!uv_is_closing((uv_handle_t *)dev->req_timer)) {
        uv_close((uv_handle_t *)dev->req_timer, device_req_timer_closed);
    }
    return true;
}

static void device_write_cb(uv_write_t *req, int status)
{
    struct device_write *w = (struct device_write *)req;

    (void)status;
    free(w->text);
    free(w);
}

/* Whether a new request may be queued to the run. \return 0, BO_ESTATE or BO_EBUSY. */
static int device_req_admit(struct device *dev)
{
    if (dev->run == NULL || dev->state != DEVICE_RUNNING || dev->next != DEVICE_NEXT_NONE ||
        dev->closing) {
        return BO_ESTATE;
    }
    if (dev->n_pending >= DEVICE_PENDING_MAX ||
        uv_stream_get_write_queue_size((uv_stream_t *)&dev->run->pipe) > DEVICE_WRITE_QUEUE_MAX) {
        return BO_EBUSY;
    }
    if (dev->req_timer == NULL) {
        dev->req_timer = malloc(sizeof(*dev->req_timer));
        if (dev->req_timer == NULL) {
            return BO_ENOMEM;
        }
        uv_timer_init(dev->loop, dev->req_timer);
        dev->req_timer->data = dev;
    }
    return 0;
}

/* The request line for the firmware (malloc'ed, newline-ended), or NULL. */
static char *device_req_line(struct device *dev, const char *cmd, json_t *extra, size_t *len)
{
    json_t *msg = json_pack("{s:s, s:I}", "cmd", cmd, "id", (json_int_t)++dev->next_req_id);
    char *text;
    size_t n;

    if (msg != NULL && extra != NULL && json_object_update_missing(msg, extra) != 0) {
        json_decref(msg);
        msg = NULL;
    }
    text = msg != NULL ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    if (text == NULL) {
        return NULL;
    }
    n = strlen(text);
    text[n] = '\n'; /* Over the NUL: the buffer is sent by length. */
    *len = n + 1;
    return text;
}

int device_request_owned(struct device *dev, const char *cmd, json_t *extra, uint64_t owner,
                         device_reply_fn cb, void *arg)
{
    struct device_pending *p;
    struct device_write *w;
    size_t len = 0;
    uv_buf_t buf;
    int rc = device_req_admit(dev);

    if (rc < 0) {
        return rc;
    }
    p = calloc(1, sizeof(*p));
    w = calloc(1, sizeof(*w));
    if (p == NULL || w == NULL || (w->text = device_req_line(dev, cmd, extra, &len)) == NULL) {
        free(p);
        free(w);
        return BO_ENOMEM;
    }
    buf = uv_buf_init(w->text, (unsigned)len);
    if (uv_write(&w->req, (uv_stream_t *)&dev->run->pipe, &buf, 1, device_write_cb) != 0) {
        free(w->text);
        free(w);
        free(p);
        return BO_ESTATE;
    }
    p->id = dev->next_req_id;
    p->owner = owner;
    p->deadline = uv_now(dev->loop) + dev->request_timeout_ms;
    p->cb = cb;
    p->arg = arg;
    p->next = dev->pending;
    dev->pending = p;
    dev->n_pending++;
    device_req_rearm(dev);
    return 0;
}

int device_request(struct device *dev, const char *cmd, device_reply_fn cb, void *arg)
{
    return device_request_owned(dev, cmd, NULL, 0, cb, arg);
}

int device_request_args(struct device *dev, const char *cmd, json_t *extra, device_reply_fn cb,
                        void *arg)
{
    return device_request_owned(dev, cmd, extra, 0, cb, arg);
}

int device_set_link(struct device *dev, const char *spec, device_reply_fn cb, void *arg, char *err,
                    size_t err_len)
{
    struct link_fault_config lf;
    json_t *extra;
    int rc;

    if (!dev->cfg.net.enabled) {
        snprintf(err, err_len, "device %s has no network (no address)", dev->cfg.name);
        return BO_ENOTSUP;
    }
    if (strlen(spec) >= sizeof(dev->cfg.net.link)) {
        snprintf(err, err_len, "longer than %d characters", (int)sizeof(dev->cfg.net.link) - 1);
        return BO_EINVAL;
    }
    if (link_fault_parse(&lf, spec, err, err_len) < 0) {
        return BO_EINVAL;
    }
    memcpy(dev->cfg.net.link, spec, strlen(spec) + 1);
    if (dev->app == NULL || !json_is_true(json_object_get(dev->app, "ready"))) {
        return 1;
    }
    extra = json_pack("{s:s}", "link", spec);
    if (extra == NULL) {
        return BO_ENOMEM;
    }
    rc = device_request_args(dev, "set-link", extra, cb, arg);
    json_decref(extra);
    return rc == BO_ESTATE ? 1 : rc;
}

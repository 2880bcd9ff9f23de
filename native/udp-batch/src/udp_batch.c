/*
 * Batched UDP I/O for a server socket (Linux: recvmmsg/sendmmsg).
 *
 * Node's dgram costs one JS callback per received datagram and one send call per reply; for a
 * DNS server that per-datagram cost is the ceiling. This addon receives up to BATCH datagrams
 * per system call and hands them to JS in ONE call, and sends a batch of replies with one
 * sendmmsg.
 *
 * Two receive modes:
 *   "loop"   - the socket is watched by libuv (uv_poll) on the main thread; when it is readable
 *              recvmmsg runs there and the batch goes straight to JS. No extra thread.
 *   "thread" - a native thread blocks in poll()+recvmmsg and hands each batch to the main thread
 *              through one napi_threadsafe_function call per batch. Receiving overlaps with JS,
 *              at the cost of a thread hop per batch.
 *
 * What JS receives per batch: onBatch(buf, count). buf is a fresh Buffer (JS may keep slices):
 *   [count x ADDR_STRIDE source addresses (struct sockaddr_in or _in6, zero padded)]
 *   [count x u16 little-endian packet lengths]
 *   [packets back to back]
 * Replies go back with sendBatch(handle, replies, addrs): replies[i] (a Buffer, or undefined
 * for no reply) is sent to the address at addrs[i * ADDR_STRIDE]. The Buffers are read in
 * place by sendmmsg (no copy), which is safe because sendBatch runs on the main thread and
 * returns after the kernel has copied them.
 *
 * Ownership: the handle struct is freed when both the JS external is collected and the
 * receive machinery (tsfn or uv_poll) has finished closing; both happen on the main thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <node_api.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 64
#define SLOT_BYTES 1500
#define POOL 4
#define ADDR_STRIDE 28 /* sizeof(struct sockaddr_in6); a sockaddr_in fits too */
#define LOOP_BATCHES_PER_WAKE 8 /* bound the time one readable event holds the loop */
#define RCVBUF_BYTES (4 * 1024 * 1024)
#define SNDBUF_BYTES (1 * 1024 * 1024)
#define SEND_WAIT_MS 5

enum mode { MODE_LOOP, MODE_THREAD };

typedef struct {
  unsigned char data[BATCH][SLOT_BYTES];
  struct sockaddr_in6 addrs[BATCH];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
} slot_t;

typedef struct {
  int fd;
  int wake_fd;
  int max_batch; /* datagrams per recvmmsg, 1..BATCH */
  enum mode mode;
  int refs; /* external + receive machinery; main thread only */
  int closed; /* main thread only */
  int in_cleanup; /* do_close called from the env cleanup hook */
  int poll_started;
  atomic_int stopping; /* read by the receive thread */
  napi_env env;
  napi_ref callback;
  napi_async_context async_ctx;
  napi_threadsafe_function tsfn;
  pthread_t thread;
  int thread_started;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int free_slots[POOL];
  int free_count;
  uv_poll_t poll;
  slot_t *slots;
  /* counters, read by stats() */
  atomic_uint_fast64_t received, batches, truncated, sent, send_dropped;
} handle_t;

#define CHECK(env, call)                                           \
  do {                                                             \
    if ((call) != napi_ok) {                                       \
      napi_throw_error((env), NULL, "udp-batch: " #call " failed"); \
      return NULL;                                                 \
    }                                                              \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "udp-batch: %s: %s", what, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_int32(env, err, &code);
  napi_create_error(env, NULL, text, &error);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

static void unref_handle(handle_t *h) {
  if (--h->refs > 0) return;
  pthread_mutex_destroy(&h->mu);
  pthread_cond_destroy(&h->cv);
  free(h->slots);
  free(h);
}

/* ---- receiving ---------------------------------------------------------------------- */

static void prepare_slot(slot_t *s) {
  for (int i = 0; i < BATCH; i++) {
    s->iov[i].iov_base = s->data[i];
    s->iov[i].iov_len = SLOT_BYTES;
    memset(&s->msgs[i].msg_hdr, 0, sizeof s->msgs[i].msg_hdr);
    s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
    s->msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

/* One recvmmsg without blocking. Returns how many datagrams it read (truncated ones included,
 * they are dropped when copied out), or -1 with errno. */
static int recv_batch(handle_t *h, slot_t *s) {
  for (int i = 0; i < BATCH; i++) {
    s->msgs[i].msg_hdr.msg_name = &s->addrs[i];
    s->msgs[i].msg_hdr.msg_namelen = sizeof s->addrs[i];
    s->msgs[i].msg_hdr.msg_flags = 0;
  }
  int n;
  do n = recvmmsg(h->fd, s->msgs, (unsigned)h->max_batch, MSG_DONTWAIT, NULL);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Copies n received datagrams into a fresh Buffer in the layout described at the top. */
static napi_value batch_buffer(napi_env env, handle_t *h, slot_t *s, int n, uint32_t *count_out) {
  size_t bytes = 0;
  uint32_t count = 0;
  for (int i = 0; i < n; i++) {
    if (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
    bytes += s->msgs[i].msg_len;
    count++;
  }
  atomic_fetch_add(&h->truncated, (uint64_t)(n - (int)count));
  atomic_fetch_add(&h->received, count);
  atomic_fetch_add(&h->batches, 1);
  size_t head = (size_t)count * (ADDR_STRIDE + 2);
  void *data;
  napi_value buf;
  if (napi_create_buffer(env, head + bytes, &data, &buf) != napi_ok) return NULL;
  unsigned char *addrs = data, *lens = addrs + (size_t)count * ADDR_STRIDE, *out = addrs + head;
  for (int i = 0; i < n; i++) {
    if (s->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
    unsigned len = s->msgs[i].msg_len;
    memset(addrs, 0, ADDR_STRIDE);
    memcpy(addrs, &s->addrs[i], s->msgs[i].msg_hdr.msg_namelen < ADDR_STRIDE ? s->msgs[i].msg_hdr.msg_namelen : ADDR_STRIDE);
    lens[0] = len & 0xff;
    lens[1] = len >> 8;
    memcpy(out, s->data[i], len);
    addrs += ADDR_STRIDE;
    lens += 2;
    out += len;
  }
  *count_out = count;
  return buf;
}

/* An exception thrown by onBatch is reported like any uncaught exception; so is a failed call
 * (a bug here), rather than dropping batches silently. */
static void report_exception(napi_env env, napi_status status) {
  napi_value err, text;
  if (status == napi_ok) return;
  if (status == napi_pending_exception) {
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    return;
  }
  napi_create_string_utf8(env, "udp-batch: calling onBatch failed", NAPI_AUTO_LENGTH, &text);
  if (napi_create_error(env, NULL, text, &err) == napi_ok) napi_fatal_exception(env, err);
}

/* ---- thread mode -------------------------------------------------------------------- */

static int take_slot(handle_t *h) {
  pthread_mutex_lock(&h->mu);
  while (h->free_count == 0 && !atomic_load(&h->stopping)) pthread_cond_wait(&h->cv, &h->mu);
  int idx = atomic_load(&h->stopping) ? -1 : h->free_slots[--h->free_count];
  pthread_mutex_unlock(&h->mu);
  return idx;
}

static void give_slot(handle_t *h, int idx) {
  pthread_mutex_lock(&h->mu);
  h->free_slots[h->free_count++] = idx;
  pthread_cond_signal(&h->cv);
  pthread_mutex_unlock(&h->mu);
}

/* The tsfn payload: which slot, how many datagrams. Encoded in the pointer to avoid a malloc. */
#define PACK(idx, n) ((void *)(uintptr_t)(((idx) << 16) | (n)))

static void *recv_thread(void *arg) {
  handle_t *h = arg;
  struct pollfd fds[2] = {{.fd = h->fd, .events = POLLIN}, {.fd = h->wake_fd, .events = POLLIN}};
  for (;;) {
    int idx = take_slot(h);
    if (idx < 0) return NULL;
    int n;
    while ((n = recv_batch(h, &h->slots[idx])) <= 0) {
      /* EAGAIN: wait for data. Any other error (rare for UDP) is waited out the same way,
       * with a timeout so a persistent error cannot spin. */
      int wait = (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ? 10 : -1;
      poll(fds, 2, wait);
      if (atomic_load(&h->stopping)) {
        give_slot(h, idx);
        return NULL;
      }
    }
    napi_call_threadsafe_function(h->tsfn, PACK(idx, n), napi_tsfn_nonblocking);
  }
}

static void thread_call_js(napi_env env, napi_value cb, void *context, void *data) {
  handle_t *h = context;
  int idx = (int)((uintptr_t)data >> 16), n = (int)((uintptr_t)data & 0xffff);
  if (env == NULL || h->closed) {
    give_slot(h, idx);
    return;
  }
  uint32_t count = 0;
  napi_value buf = batch_buffer(env, h, &h->slots[idx], n, &count);
  /* The copy is made: let the thread receive the next batch while JS runs. */
  give_slot(h, idx);
  if (buf == NULL || count == 0) return;
  napi_value argv[2], undefined;
  argv[0] = buf;
  napi_create_uint32(env, count, &argv[1]);
  napi_get_undefined(env, &undefined);
  report_exception(env, napi_call_function(env, undefined, cb, 2, argv, NULL));
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref_handle(data);
}

/* ---- loop mode ---------------------------------------------------------------------- */

static void on_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  handle_t *h = poll->data;
  if (status < 0 || h->closed) return;
  napi_env env = h->env;
  for (int round = 0; round < LOOP_BATCHES_PER_WAKE && !h->closed; round++) {
    int n = recv_batch(h, &h->slots[0]);
    if (n <= 0) return; /* EAGAIN or an error: libuv tells us when to try again */
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    uint32_t count = 0;
    napi_value buf = batch_buffer(env, h, &h->slots[0], n, &count);
    if (buf != NULL && count > 0) {
      napi_value cb, argv[2], recv;
      napi_get_reference_value(env, h->callback, &cb);
      argv[0] = buf;
      napi_create_uint32(env, count, &argv[1]);
      napi_get_global(env, &recv); /* make_callback wants an object as `this` */
      /* make_callback runs queued microtasks and nextTicks afterwards, as for any I/O. */
      report_exception(env, napi_make_callback(env, h->async_ctx, recv, cb, 2, argv, NULL));
    }
    napi_close_handle_scope(env, scope);
    if (n < h->max_batch) return;
  }
}

static void on_poll_closed(uv_handle_t *handle) { unref_handle(handle->data); }

/* ---- open / close ------------------------------------------------------------------- */

static int make_socket(const char *host, int port, int ipv6, int *err) {
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  if (ipv6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return *err = EINVAL, -1;
    len = sizeof *a;
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return *err = EINVAL, -1;
    len = sizeof *a;
  }
  int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return *err = errno, -1;
  /* A big receive buffer absorbs bursts while JS is busy. The FORCE variant (root only)
   * ignores net.core.rmem_max; otherwise the kernel caps the plain one. Best effort. */
  int rcv = RCVBUF_BYTES, snd = SNDBUF_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
    *err = errno;
    close(fd);
    return -1;
  }
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
  return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
}

static void external_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  unref_handle(data);
}

static napi_value start_thread_mode(napi_env env, handle_t *h, napi_value cb) {
  napi_value name;
  napi_create_string_utf8(env, "udp-batch", NAPI_AUTO_LENGTH, &name);
  /* Unbounded queue: the slot pool already bounds how many batches can be in flight. */
  CHECK(env, napi_create_threadsafe_function(env, cb, NULL, name, 0, 1, h, tsfn_finalize, h, thread_call_js, &h->tsfn));
  h->refs++;
  if (pthread_create(&h->thread, NULL, recv_thread, h) != 0) return throw_errno(env, "pthread_create", errno);
  h->thread_started = 1;
  return name;
}

static napi_value start_loop_mode(napi_env env, handle_t *h, napi_value cb) {
  uv_loop_t *loop;
  napi_value name;
  CHECK(env, napi_get_uv_event_loop(env, &loop));
  CHECK(env, napi_create_reference(env, cb, 1, &h->callback));
  napi_create_string_utf8(env, "udp-batch", NAPI_AUTO_LENGTH, &name);
  CHECK(env, napi_async_init(env, NULL, name, &h->async_ctx));
  if (uv_poll_init_socket(loop, &h->poll, h->fd) != 0) return throw_errno(env, "uv_poll_init", EINVAL);
  h->poll.data = h;
  h->poll_started = 1;
  h->refs++;
  if (uv_poll_start(&h->poll, UV_READABLE, on_readable) != 0) return throw_errno(env, "uv_poll_start", EINVAL);
  return name;
}

static void cleanup_hook(void *arg);

static void do_close(handle_t *h) {
  if (h->closed) return;
  h->closed = 1;
  atomic_store(&h->stopping, 1);
  if (h->mode == MODE_THREAD) {
    uint64_t one = 1;
    if (write(h->wake_fd, &one, sizeof one) < 0) { /* the poll timeout is not relied on; see below */ }
    pthread_mutex_lock(&h->mu);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    if (h->thread_started) pthread_join(h->thread, NULL);
    /* Batches still queued are given back unseen by thread_call_js (closed is set). */
    if (h->tsfn) napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
  } else {
    if (h->poll_started) uv_close((uv_handle_t *)&h->poll, on_poll_closed);
    if (h->callback) napi_delete_reference(h->env, h->callback);
    if (h->async_ctx) napi_async_destroy(h->env, h->async_ctx);
  }
  close(h->fd);
  close(h->wake_fd);
  if (!h->in_cleanup) napi_remove_env_cleanup_hook(h->env, cleanup_hook, h);
  unref_handle(h); /* the cleanup hook's reference */
}

/* At environment teardown (process exit, worker exit) an open handle is closed, so the
 * receive thread is joined before the memory it uses goes away. */
static void cleanup_hook(void *arg) {
  handle_t *h = arg;
  h->in_cleanup = 1;
  do_close(h);
}

/* open(host, port, ipv6, threaded, onBatch, maxBatch?) -> { handle, port } */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t max_batch = BATCH;
  char host[64];
  int32_t port;
  bool ipv6, threaded;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "udp-batch: open(host, port, ipv6, threaded, onBatch)");
    return NULL;
  }
  CHECK(env, napi_get_value_string_utf8(env, argv[0], host, sizeof host, NULL));
  CHECK(env, napi_get_value_int32(env, argv[1], &port));
  CHECK(env, napi_get_value_bool(env, argv[2], &ipv6));
  CHECK(env, napi_get_value_bool(env, argv[3], &threaded));
  if (argc > 5) napi_get_value_int32(env, argv[5], &max_batch);
  if (max_batch < 1 || max_batch > BATCH) max_batch = BATCH;
  int err = 0, fd = make_socket(host, port, ipv6, &err);
  if (fd < 0) return throw_errno(env, "bind", err);
  handle_t *h = calloc(1, sizeof *h);
  slot_t *slots = calloc(threaded ? POOL : 1, sizeof *slots);
  int wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (h == NULL || slots == NULL || wake < 0) {
    free(h), free(slots), close(fd);
    if (wake >= 0) close(wake);
    return throw_errno(env, "open", ENOMEM);
  }
  h->fd = fd;
  h->wake_fd = wake;
  h->max_batch = max_batch;
  h->env = env;
  h->slots = slots;
  h->mode = threaded ? MODE_THREAD : MODE_LOOP;
  h->refs = 2; /* the external and the env cleanup hook */
  pthread_mutex_init(&h->mu, NULL);
  pthread_cond_init(&h->cv, NULL);
  for (int i = 0; i < (threaded ? POOL : 1); i++) {
    prepare_slot(&slots[i]);
    h->free_slots[h->free_count++] = i;
  }
  napi_value external, result, port_value;
  napi_add_env_cleanup_hook(env, cleanup_hook, h);
  if (napi_create_external(env, h, external_finalize, NULL, &external) != napi_ok) {
    do_close(h);
    unref_handle(h);
    napi_throw_error(env, NULL, "udp-batch: napi_create_external failed");
    return NULL;
  }
  napi_value started = threaded ? start_thread_mode(env, h, argv[4]) : start_loop_mode(env, h, argv[4]);
  if (started == NULL) {
    do_close(h);
    return NULL;
  }
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_int32(env, bound_port(fd), &port_value));
  CHECK(env, napi_set_named_property(env, result, "handle", external));
  CHECK(env, napi_set_named_property(env, result, "port", port_value));
  return result;
}

static handle_t *get_handle(napi_env env, napi_value v) {
  void *h = NULL;
  if (napi_get_value_external(env, v, &h) != napi_ok) napi_throw_type_error(env, NULL, "udp-batch: not a handle");
  return h;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = argc ? get_handle(env, argv[0]) : NULL;
  if (h != NULL) do_close(h);
  return NULL;
}

/* ---- sending ------------------------------------------------------------------------ */

/* sendmmsg over msgs[0..n), skipping a datagram the kernel refuses and waiting briefly when
 * the send buffer is full. Returns how many were sent. */
static int send_all(handle_t *h, struct mmsghdr *msgs, int n) {
  int done = 0, failed = 0, waited = 0;
  while (done < n) {
    int r = sendmmsg(h->fd, msgs + done, (unsigned)(n - done), MSG_DONTWAIT);
    if (r > 0) {
      done += r;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !waited) {
      struct pollfd p = {.fd = h->fd, .events = POLLOUT};
      poll(&p, 1, SEND_WAIT_MS);
      waited = 1;
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    done++; /* this datagram failed (bad address, too big ...): drop it, send the rest */
    failed++;
  }
  atomic_fetch_add(&h->send_dropped, (uint64_t)(n - done + failed));
  return done - failed;
}

/* sendBatch(handle, replies, addrs) -> number sent. replies[i] (Buffer or undefined) goes to
 * the address at addrs[i * ADDR_STRIDE]. */
static napi_value js_send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = argc == 3 ? get_handle(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  uint32_t total;
  unsigned char *addrs;
  size_t addr_bytes;
  CHECK(env, napi_get_array_length(env, argv[1], &total));
  CHECK(env, napi_get_buffer_info(env, argv[2], (void **)&addrs, &addr_bytes));
  if ((size_t)total * ADDR_STRIDE > addr_bytes) {
    napi_throw_range_error(env, NULL, "udp-batch: fewer addresses than replies");
    return NULL;
  }
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  int n = 0, sent = 0;
  for (uint32_t i = 0; i < total && !h->closed; i++) {
    napi_value item;
    bool is_buffer = false;
    CHECK(env, napi_get_element(env, argv[1], i, &item));
    if (napi_is_buffer(env, item, &is_buffer) != napi_ok || !is_buffer) continue; /* no reply */
    CHECK(env, napi_get_buffer_info(env, item, &iov[n].iov_base, &iov[n].iov_len));
    const struct sockaddr *sa = (const struct sockaddr *)(addrs + (size_t)i * ADDR_STRIDE);
    memset(&msgs[n].msg_hdr, 0, sizeof msgs[n].msg_hdr);
    msgs[n].msg_hdr.msg_name = (void *)sa;
    msgs[n].msg_hdr.msg_namelen = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    msgs[n].msg_hdr.msg_iov = &iov[n];
    msgs[n].msg_hdr.msg_iovlen = 1;
    if (++n == BATCH) sent += send_all(h, msgs, n), n = 0;
  }
  if (n > 0 && !h->closed) sent += send_all(h, msgs, n);
  atomic_fetch_add(&h->sent, (uint64_t)sent);
  napi_value result;
  CHECK(env, napi_create_int32(env, sent, &result));
  return result;
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle_t *h = argc ? get_handle(env, argv[0]) : NULL;
  if (h == NULL) return NULL;
  CHECK(env, napi_create_object(env, &result));
#define FIELD(name)                                                  \
  napi_create_double(env, (double)atomic_load(&h->name), &v);        \
  napi_set_named_property(env, result, #name, v);
  FIELD(received) FIELD(batches) FIELD(truncated) FIELD(sent) FIELD(send_dropped)
#undef FIELD
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"sendBatch", NULL, js_send_batch, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value stride, batch;
  napi_create_int32(env, ADDR_STRIDE, &stride);
  napi_create_int32(env, BATCH, &batch);
  napi_set_named_property(env, exports, "ADDR_STRIDE", stride);
  napi_set_named_property(env, exports, "BATCH", batch);
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

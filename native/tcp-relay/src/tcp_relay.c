/*
 * TCP relay in a native thread, for the userspace service proxy (Linux, IPv4 upstreams).
 *
 * JS hands over an accepted client socket that Node has not read from; this file dup()s its
 * fd, connects to the upstream and copies bytes both ways on one thread with epoll, so no JS
 * runs per chunk of data.
 *
 * A connection, once queued, lives on the relay thread only:
 *   CONNECTING  the upstream socket is connecting. The client dup is not watched: Node still
 *               owns the client socket. An error or the deadline closes the upstream socket
 *               and the dup (closing one fd of a dup'd socket sends nothing) -> EV_FAILED.
 *   RELAYING    both fds in epoll (edge-triggered). Each direction (a "flow") reads its source
 *               into a scratch buffer and sends to its sink; what the sink does not take is
 *               held (at most one read's worth) and the source is not read again until the
 *               held bytes are gone: backpressure. EOF from the source -> once nothing is
 *               held, shutdown(SHUT_WR) on the sink. Both flows finished -> both fds closed,
 *               EV_CLOSED. An error or reset on either side -> both closed with
 *               SO_LINGER {1,0}, so the other peer sees a reset, as it would directly.
 *
 * Events reach JS through one napi_threadsafe_function as onEvent(id, kind, errno). It is
 * referenced only while connections are held, so an idle relay does not keep the process up.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <node_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SCRATCH_BYTES (64 * 1024) /* one read; also the most a flow holds */
#define ROUNDS 16                 /* reads per flow per turn, so one busy connection cannot starve others */
#define MAX_EVENTS 256

enum kind { EV_CONNECTED = 1, EV_FIRST_BYTE = 2, EV_FAILED = 3, EV_CLOSED = 4 };
enum side { CLIENT = 0, UPSTREAM = 1 };
enum state { CONNECTING, RELAYING, DEAD };

/* An event is packed into the tsfn's data pointer: id | kind << 32 | errno << 40. */
_Static_assert(sizeof(void *) >= 8, "events are packed into a 64-bit pointer");
#define PACK(id, kind, err) ((void *)(uintptr_t)((uint64_t)(id) | (uint64_t)(kind) << 32 | (uint64_t)(err) << 40))

typedef struct conn conn_t;

/* One socket of a connection and what epoll last told about it. */
typedef struct {
  conn_t *conn;
  int fd;
  bool readable, writable; /* cleared when a call would block; set again by epoll */
  bool rdhup;              /* FIN or error seen: read to EOF, do not trust a short read */
} end_t;

/* Bytes from end[from] to end[1 - from]. */
typedef struct {
  char *held; /* read but not yet sent, or NULL */
  size_t off, len;
  bool eof;  /* the source returned EOF */
  bool shut; /* shutdown(SHUT_WR) done on the sink */
} flow_t;

struct conn {
  uint32_t id;
  enum state state;
  bool first_byte; /* EV_FIRST_BYTE posted */
  bool again;      /* on the engine's again list */
  struct sockaddr_in to;
  int64_t deadline; /* CLOCK_MONOTONIC ms; 0: none */
  end_t end[2];     /* [CLIENT] the dup, [UPSTREAM] ours */
  flow_t flow[2];   /* [CLIENT] client -> upstream, [UPSTREAM] upstream -> client */
  conn_t *prev, *next; /* the inbox, one of the engine's lists, or the dead list */
  conn_t *again_next;
};

typedef struct {
  conn_t *head;
} list_t;

typedef struct {
  /* main thread only */
  napi_env env;
  napi_threadsafe_function tsfn;
  napi_async_context async_ctx;
  uint32_t next_id;
  uint32_t holding; /* started and not yet failed/closed, as JS sees it: refs the tsfn */
  bool stopped;
  /* shared */
  atomic_bool stopping;
  atomic_int active; /* connections the native side holds */
  pthread_mutex_t mu;
  conn_t *inbox; /* new connections, singly linked by next; under mu */
  int epfd, wakefd;
  pthread_t thread;
  bool thread_started;
  /* relay thread only */
  list_t connecting, relaying;
  conn_t *dead;  /* freed after each batch of epoll events */
  conn_t *again; /* flows that stopped at ROUNDS with more to do */
  char scratch[SCRATCH_BYTES];
} engine_t;

/* ---- small helpers ------------------------------------------------------------------ */

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void list_add(list_t *l, conn_t *c) {
  c->prev = NULL;
  c->next = l->head;
  if (l->head) l->head->prev = c;
  l->head = c;
}

static void list_remove(list_t *l, conn_t *c) {
  if (c->prev) c->prev->next = c->next;
  else l->head = c->next;
  if (c->next) c->next->prev = c->prev;
  c->prev = c->next = NULL;
}

static void post(engine_t *e, conn_t *c, enum kind kind, int err) {
  /* Unbounded queue: never blocks; fails only while the environment is torn down. */
  napi_call_threadsafe_function(e->tsfn, PACK(c->id, kind, err & 0xffff), napi_tsfn_nonblocking);
}

static int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

static void set_reset_on_close(int fd) {
  struct linger l = {.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

static void free_conn(conn_t *c) {
  for (int i = 0; i < 2; i++) free(c->flow[i].held);
  free(c);
}

/* ---- ending a connection (relay thread) --------------------------------------------- */

/* Unwatches and closes whatever fds c has, and moves it to the dead list. The client fd is
 * removed from epoll explicitly: Node's fd may still refer to the same socket, and epoll
 * forgets a socket only when its last fd is closed. */
static void retire(engine_t *e, conn_t *c, list_t *from, bool reset) {
  for (int i = 0; i < 2; i++) {
    int fd = c->end[i].fd;
    if (fd < 0) continue;
    epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL); /* ENOENT for a client not yet watched */
    if (reset) set_reset_on_close(fd);
    close(fd);
    c->end[i].fd = -1;
  }
  list_remove(from, c);
  c->state = DEAD;
  c->next = e->dead;
  e->dead = c;
  atomic_fetch_sub(&e->active, 1); /* before the event, so JS sees the count already down */
}

static void fail_connect(engine_t *e, conn_t *c, int err) {
  retire(e, c, &e->connecting, false);
  post(e, c, EV_FAILED, err);
}

static void close_relay(engine_t *e, conn_t *c, bool reset) {
  retire(e, c, &e->relaying, reset);
  post(e, c, EV_CLOSED, 0);
}

/* ---- moving bytes (relay thread) ---------------------------------------------------- */

/* Sends what the sink takes now. Returns the bytes sent (0 when it would block), -1 on error. */
static ssize_t send_some(end_t *dst, const char *buf, size_t len) {
  ssize_t n;
  do n = send(dst->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    n = 0;
  }
  if ((size_t)n < len) dst->writable = false; /* EPOLLOUT comes when there is room again */
  return n;
}

/* Keeps the bytes the sink did not take. */
static bool hold(flow_t *f, const char *buf, size_t len) {
  f->held = malloc(len);
  if (!f->held) return false;
  memcpy(f->held, buf, len);
  f->off = 0;
  f->len = len;
  return true;
}

enum pump_result { PUMP_IDLE, PUMP_MORE, PUMP_ERROR };

/* Moves bytes of one flow until a side would block, the flow ends, or ROUNDS reads. */
static enum pump_result pump_flow(engine_t *e, conn_t *c, int from) {
  flow_t *f = &c->flow[from];
  end_t *src = &c->end[from], *dst = &c->end[1 - from];
  for (int round = 0; round < ROUNDS; round++) {
    if (f->held) {
      if (!dst->writable) return PUMP_IDLE;
      ssize_t n = send_some(dst, f->held + f->off, f->len - f->off);
      if (n < 0) return PUMP_ERROR;
      f->off += (size_t)n;
      if (f->off < f->len) return PUMP_IDLE;
      free(f->held);
      f->held = NULL;
      f->off = f->len = 0;
    }
    if (f->eof) {
      if (!f->shut && shutdown(dst->fd, SHUT_WR) != 0) return PUMP_ERROR;
      f->shut = true;
      return PUMP_IDLE;
    }
    if (!src->readable) return PUMP_IDLE;
    ssize_t n;
    do n = recv(src->fd, e->scratch, SCRATCH_BYTES, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) return PUMP_ERROR;
      src->readable = false;
      return PUMP_IDLE;
    }
    if (n == 0) {
      f->eof = true;
      src->readable = false;
      continue;
    }
    if (from == UPSTREAM && !c->first_byte) {
      c->first_byte = true;
      post(e, c, EV_FIRST_BYTE, 0);
    }
    /* A short read drained the socket: later data raises a new edge. Not so for a FIN that
     * was already there when epoll reported (no new edge follows): then read on to EOF. */
    if (n < SCRATCH_BYTES && !src->rdhup) src->readable = false;
    ssize_t sent = dst->writable ? send_some(dst, e->scratch, (size_t)n) : 0;
    if (sent < 0) return PUMP_ERROR;
    if (sent < n && !hold(f, e->scratch + sent, (size_t)(n - sent))) return PUMP_ERROR;
  }
  return PUMP_MORE;
}

static bool flow_done(const flow_t *f) { return f->eof && f->shut && !f->held; }

/* Runs both flows of a relaying connection; closes it when both are done or one failed. */
static void pump(engine_t *e, conn_t *c) {
  bool more = false;
  for (int from = 0; from < 2; from++) {
    enum pump_result r = pump_flow(e, c, from);
    if (r == PUMP_ERROR) {
      close_relay(e, c, true);
      return;
    }
    more |= r == PUMP_MORE;
  }
  if (flow_done(&c->flow[0]) && flow_done(&c->flow[1])) {
    close_relay(e, c, false);
    return;
  }
  if (more && !c->again) {
    c->again = true;
    c->again_next = e->again;
    e->again = c;
  }
}

/* ---- connecting (relay thread) ------------------------------------------------------ */

static int watch(engine_t *e, end_t *end) {
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = end};
  return epoll_ctl(e->epfd, EPOLL_CTL_ADD, end->fd, &ev) == 0 ? 0 : errno;
}

static void begin_connect(engine_t *e, conn_t *c) {
  list_add(&e->connecting, c);
  end_t *up = &c->end[UPSTREAM];
  up->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (up->fd < 0) {
    fail_connect(e, c, errno);
    return;
  }
  int one = 1;
  setsockopt(up->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int err = 0;
  if (connect(up->fd, (struct sockaddr *)&c->to, sizeof c->to) != 0 && errno != EINPROGRESS) err = errno;
  if (!err) err = watch(e, up); /* completion (or failure) arrives as EPOLLOUT / EPOLLERR */
  if (err) fail_connect(e, c, err);
}

/* The upstream socket reported while connecting: established, or failed. */
static void finish_connect(engine_t *e, conn_t *c) {
  int err = socket_error(c->end[UPSTREAM].fd);
  if (!err) err = watch(e, &c->end[CLIENT]);
  if (err) {
    fail_connect(e, c, err);
    return;
  }
  list_remove(&e->connecting, c);
  list_add(&e->relaying, c);
  c->state = RELAYING;
  post(e, c, EV_CONNECTED, 0);
  /* Assume both ready; the first call that would block says otherwise. */
  for (int i = 0; i < 2; i++) c->end[i].readable = c->end[i].writable = true;
  pump(e, c);
}

/* Fails connections past their deadline; returns the ms until the next deadline, or -1. */
static int expire(engine_t *e) {
  if (!e->connecting.head) return -1;
  int64_t now = now_ms(), next = -1;
  conn_t *c = e->connecting.head;
  while (c) {
    conn_t *following = c->next; /* fail_connect moves c to the dead list */
    if (c->deadline > 0 && c->deadline <= now) fail_connect(e, c, ETIMEDOUT);
    else if (c->deadline > 0 && (next < 0 || c->deadline - now < next)) next = c->deadline - now;
    c = following;
  }
  return (int)next;
}

/* ---- the relay thread --------------------------------------------------------------- */

static void on_event(engine_t *e, end_t *end, uint32_t events) {
  conn_t *c = end->conn;
  if (c->state == DEAD) return; /* retired earlier in this batch */
  if (c->state == CONNECTING) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(e, c);
    return;
  }
  if ((events & EPOLLERR) && socket_error(end->fd) != 0) {
    close_relay(e, c, true);
    return;
  }
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) end->rdhup = true;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) end->readable = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) end->writable = true;
  pump(e, c);
}

static void take_inbox(engine_t *e) {
  uint64_t count;
  if (read(e->wakefd, &count, sizeof count) < 0) { /* EAGAIN: already drained */ }
  pthread_mutex_lock(&e->mu);
  conn_t *c = e->inbox;
  e->inbox = NULL;
  pthread_mutex_unlock(&e->mu);
  while (c) {
    conn_t *following = c->next;
    begin_connect(e, c);
    c = following;
  }
}

static void run_again(engine_t *e) {
  conn_t *c = e->again;
  e->again = NULL;
  while (c) {
    conn_t *following = c->again_next;
    c->again = false;
    if (c->state == RELAYING) pump(e, c);
    c = following;
  }
}

static void free_dead(engine_t *e) {
  while (e->dead) {
    conn_t *c = e->dead;
    e->dead = c->next;
    free_conn(c);
  }
}

static void *relay_thread(void *arg) {
  engine_t *e = arg;
  struct epoll_event events[MAX_EVENTS];
  while (!atomic_load(&e->stopping)) {
    int timeout = expire(e);
    if (e->again) timeout = 0;
    int n = epoll_wait(e->epfd, events, MAX_EVENTS, timeout);
    if (n < 0 && errno != EINTR) break; /* not expected: a bad epoll fd */
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) take_inbox(e);
      else on_event(e, events[i].data.ptr, events[i].events);
    }
    run_again(e);
    free_dead(e);
  }
  return NULL;
}

/* ---- JS side (main thread) ---------------------------------------------------------- */

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "tcp-relay: %s: %s", what, strerror(err));
  napi_value code, text, error;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_int32(env, err, &code);
  napi_create_error(env, NULL, text, &error);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

/* What onEvent throws is an uncaught exception, as for any event handler. */
static void report_exception(napi_env env, napi_status status) {
  napi_value err;
  if (status == napi_pending_exception && napi_get_and_clear_last_exception(env, &err) == napi_ok)
    napi_fatal_exception(env, err);
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  engine_t *e = context;
  if (env == NULL || e->stopped) return; /* torn down: nothing to deliver, nothing to free */
  uint64_t v = (uint64_t)(uintptr_t)data;
  uint32_t id = (uint32_t)v, kind = (uint32_t)(v >> 32) & 0xff, err = (uint32_t)(v >> 40) & 0xffff;
  if ((kind == EV_FAILED || kind == EV_CLOSED) && --e->holding == 0) napi_unref_threadsafe_function(env, e->tsfn);
  napi_value argv[3], recv;
  napi_create_uint32(env, id, &argv[0]);
  napi_create_uint32(env, kind, &argv[1]);
  napi_create_uint32(env, err, &argv[2]);
  napi_get_global(env, &recv);
  /* make_callback runs queued nextTicks and microtasks afterwards, as for any I/O event. */
  report_exception(env, napi_make_callback(env, e->async_ctx, recv, cb, 3, argv, NULL));
}

/* Teardown: closes and frees a list of connections linked by next. */
static void free_list(conn_t *c) {
  while (c) {
    conn_t *following = c->next;
    for (int i = 0; i < 2; i++)
      if (c->end[i].fd >= 0) close(c->end[i].fd);
    free_conn(c);
    c = following;
  }
}

/* At environment teardown: stop and join the thread, then close everything it held. The
 * engine itself is freed by the tsfn finalizer, after the last call_js. */
static void cleanup_hook(void *arg) {
  engine_t *e = arg;
  atomic_store(&e->stopping, true);
  uint64_t one = 1;
  if (write(e->wakefd, &one, sizeof one) < 0) { /* cannot fail: the counter is far from full */ }
  if (e->thread_started) pthread_join(e->thread, NULL);
  free_list(e->inbox);
  free_list(e->connecting.head);
  free_list(e->relaying.head);
  free_dead(e);
  close(e->epfd);
  close(e->wakefd);
  napi_async_destroy(e->env, e->async_ctx);
  e->stopped = true;
  napi_release_threadsafe_function(e->tsfn, napi_tsfn_abort);
}

static void tsfn_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  engine_t *e = data;
  pthread_mutex_destroy(&e->mu);
  free(e);
}

static engine_t *engine_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* init(onEvent): starts the relay thread for this environment; once. */
static napi_value js_init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value cb, name;
  napi_valuetype type;
  if (napi_get_cb_info(env, info, &argc, &cb, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, cb, &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "tcp-relay: init(onEvent) needs a function");
    return NULL;
  }
  if (engine_of(env)) {
    napi_throw_error(env, NULL, "tcp-relay: already initialised");
    return NULL;
  }
  engine_t *e = calloc(1, sizeof *e);
  if (!e) return throw_errno(env, "calloc", ENOMEM);
  e->env = env;
  e->epfd = epoll_create1(EPOLL_CLOEXEC);
  e->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  pthread_mutex_init(&e->mu, NULL);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  int err = e->epfd < 0 || e->wakefd < 0 ? errno : 0;
  if (!err && epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->wakefd, &ev) != 0) err = errno;
  napi_create_string_utf8(env, "tcp-relay", NAPI_AUTO_LENGTH, &name);
  if (!err && (napi_async_init(env, NULL, name, &e->async_ctx) != napi_ok ||
               napi_create_threadsafe_function(env, cb, NULL, name, 0, 1, e, tsfn_finalize, e, call_js, &e->tsfn) != napi_ok))
    err = ENOMEM;
  if (err) {
    if (e->async_ctx) napi_async_destroy(env, e->async_ctx);
    if (e->epfd >= 0) close(e->epfd);
    if (e->wakefd >= 0) close(e->wakefd);
    pthread_mutex_destroy(&e->mu);
    free(e);
    return throw_errno(env, "init", err);
  }
  /* From here the tsfn finalizer owns e. Idle: do not keep the loop alive. */
  napi_unref_threadsafe_function(env, e->tsfn);
  napi_set_instance_data(env, e, NULL, NULL);
  /* Added after the tsfn so that it runs before the tsfn's own teardown (hooks run last-in
   * first-out): the thread is joined while the tsfn is still valid. */
  napi_add_env_cleanup_hook(env, cleanup_hook, e);
  if ((err = pthread_create(&e->thread, NULL, relay_thread, e)) != 0) return throw_errno(env, "pthread_create", err);
  e->thread_started = true;
  return NULL;
}

/* start(fd, host, port, timeoutMs) -> id. Throws with errno for a bad fd or address. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], result;
  int32_t fd, port, timeout;
  char host[INET_ADDRSTRLEN + 1];
  size_t host_len;
  engine_t *e = engine_of(env);
  if (!e || !e->thread_started) {
    napi_throw_error(env, NULL, "tcp-relay: not initialised");
    return NULL;
  }
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], host, sizeof host, &host_len) != napi_ok ||
      napi_get_value_int32(env, argv[2], &port) != napi_ok || napi_get_value_int32(env, argv[3], &timeout) != napi_ok) {
    napi_throw_type_error(env, NULL, "tcp-relay: start(fd, host, port, timeoutMs)");
    return NULL;
  }
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &to.sin_addr) != 1) return throw_errno(env, "upstream address", EINVAL);
  conn_t *c = calloc(1, sizeof *c);
  if (!c) return throw_errno(env, "calloc", ENOMEM);
  c->end[CLIENT].fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (c->end[CLIENT].fd < 0) {
    int err = errno;
    free(c);
    return throw_errno(env, "dup client fd", err);
  }
  c->end[UPSTREAM].fd = -1;
  c->end[CLIENT].conn = c->end[UPSTREAM].conn = c;
  c->id = ++e->next_id;
  c->to = to;
  c->deadline = timeout > 0 ? now_ms() + timeout : 0;
  c->state = CONNECTING;
  napi_create_uint32(env, c->id, &result); /* c belongs to the relay thread once queued */
  atomic_fetch_add(&e->active, 1);
  if (e->holding++ == 0) napi_ref_threadsafe_function(env, e->tsfn);
  pthread_mutex_lock(&e->mu);
  c->next = e->inbox;
  e->inbox = c;
  pthread_mutex_unlock(&e->mu);
  uint64_t one = 1;
  if (write(e->wakefd, &one, sizeof one) < 0) { /* cannot fail: the counter is far from full */ }
  return result;
}

/* active() -> connections the native side holds now. */
static napi_value js_active(napi_env env, napi_callback_info info) {
  (void)info;
  engine_t *e = engine_of(env);
  napi_value result;
  napi_create_int32(env, e ? atomic_load(&e->active) : 0, &result);
  return result;
}

static napi_value module_init(napi_env env, napi_value exports) {
  napi_value kinds[4];
  const int values[4] = {EV_CONNECTED, EV_FIRST_BYTE, EV_FAILED, EV_CLOSED};
  for (int i = 0; i < 4; i++) napi_create_int32(env, values[i], &kinds[i]);
  napi_property_descriptor props[] = {
      {"init", NULL, js_init, NULL, NULL, NULL, napi_enumerable, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"active", NULL, js_active, NULL, NULL, NULL, napi_enumerable, NULL},
      {"EV_CONNECTED", NULL, NULL, NULL, NULL, kinds[0], napi_enumerable, NULL},
      {"EV_FIRST_BYTE", NULL, NULL, NULL, NULL, kinds[1], napi_enumerable, NULL},
      {"EV_FAILED", NULL, NULL, NULL, NULL, kinds[2], napi_enumerable, NULL},
      {"EV_CLOSED", NULL, NULL, NULL, NULL, kinds[3], napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, module_init)

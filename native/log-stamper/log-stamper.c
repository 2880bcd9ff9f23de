/*
 * log-stamper FIFO LOG INDEX
 *
 * Copies what a container writes (into FIFO) to its log file LOG unchanged, and notes when each
 * line began: for every line start, one 16-byte record appended to INDEX (the line's offset in
 * LOG, then the time it was read, nanoseconds since the Unix epoch; both little-endian 64-bit).
 * `kubectl logs --timestamps` and `--since` are answered from INDEX; everything else reads LOG
 * as before. Bytes are written as soon as they arrive (an interactive prompt has no newline).
 *
 * The FIFO's name is removed once both ends are open. It leaves the container's session and ignores the signals sent to the container's process
 * group, so the container's last words after SIGTERM are still written; it ends when every
 * writer has closed the FIFO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void put64(unsigned char *out, uint64_t v) {
  for (int i = 0; i < 8; i++) out[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: log-stamper FIFO LOG INDEX\n");
    return 2;
  }
  setsid();
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  int in = open(argv[1], O_RDONLY | O_CLOEXEC);
  int log = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  int idx = open(argv[3], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (in < 0 || log < 0 || idx < 0) {
    perror("log-stamper: open");
    return 1;
  }
  /* Both ends are open (opening the read end waited for the writer): the name can go, so the
   * container's directory holds no FIFO for anyone to block on. */
  unlink(argv[1]);
  struct stat st;
  uint64_t offset = fstat(log, &st) == 0 ? (uint64_t)st.st_size : 0;
  /* A line starts at the beginning, and after every newline that more bytes follow. */
  int at_line_start = 1;
  static char buf[65536];
  static unsigned char records[16 * 4096];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (n == 0) break;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    size_t used = 0;
    for (ssize_t i = 0; i < n; i++) {
      if (at_line_start) {
        if (used == sizeof records) {
          write_all(idx, records, used);
          used = 0;
        }
        put64(records + used, offset + (uint64_t)i);
        put64(records + used + 8, ns);
        used += 16;
        at_line_start = 0;
      }
      if (buf[i] == '\n') at_line_start = 1;
    }
    /* The times first: a reader may see a line's record before its bytes, never the reverse. */
    if (used > 0) write_all(idx, records, used);
    if (write_all(log, buf, (size_t)n) < 0) break;
    offset += (uint64_t)n;
  }
  return 0;
}

/**
 * The entrypoint of the `nginx*` images, in the role of the official image's
 * docker-entrypoint.sh: when the command is nginx, it writes a configuration of this
 * container's own and runs the host's nginx with it; any other command (`/bin/sh`) is exec'd
 * as given.
 *
 * The image's nginx has /etc/nginx, /run/nginx.pid and /var/log/nginx to itself; on a host
 * they would be shared by every nginx pod. So the configuration, pid file, temp paths and
 * prefix live in `nginx/` beside the container's log files (`<pod dir>/<container>/`, found
 * as the directory of the log file (or the log stamper's FIFO) the container's stdout is, or its parent's under `script`
 * for a tty), which the agent removes with the pod; elsewhere a fresh temporary directory.
 * As in the official image, the access log goes to stdout and the error log to stderr, so
 * `kubectl logs` shows both; it listens on port 80 (also [::]:80 when the pod has a global
 * IPv6 address), and says where its configuration is unless NGINX_ENTRYPOINT_QUIET_LOGS is
 * set. Workers run as root: that directory is under the agent's root-only data directory.
 *
 * It is a POSIX shell script run with `/bin/sh -c`, not a Node.js program: it is on the pod
 * start path, and sh with two small forks (readlink, mkdir) starts in about a millisecond where
 * node needs tens. It is passed inline, so no file has to be shipped or made executable.
 */

/** The official image's default command (CMD). */
export const NGINX_DEFAULT_COMMAND = ['nginx', '-g', 'daemon off;'];

const SCRIPT = String.raw`
case "$1" in nginx|nginx-debug|*/nginx|*/nginx-debug) ;; *) exec "$@" ;; esac
for a in "$@"; do case "$a" in -c*) exec "$@" ;; esac; done
d=
for p in $$ $PPID; do
  l=$(readlink "/proc/$p/fd/1" 2>/dev/null) || continue
  case "$l" in /*/[0-9]*.log|/*/[0-9]*.pipe*) d="${'$'}{l%/*}/nginx"; break ;; esac
done
if [ -z "$d" ]; then d=$(mktemp -d -t nginx.XXXXXX) || exit 1; fi
mkdir -p "$d" || exit 1
html=/usr/share/nginx/html index="index.html index.htm"
if [ ! -e "$html/index.html" ]; then
  if [ -e /var/www/html/index.nginx-debian.html ]; then html=/var/www/html index="index.html index.htm index.nginx-debian.html"
  else
    html="$d/html"
    mkdir -p "$html" && printf '%s\n' '<!DOCTYPE html>' '<html><head><title>Welcome to nginx!</title></head>' \
      '<body><h1>Welcome to nginx!</h1><p>nginx runs in this pod. This host has no default page of its own, so this one stands in.</p></body></html>' >"$html/index.html"
  fi
fi
v6=
if [ -r /proc/net/if_inet6 ]; then
  while read -r _ _ _ scope _ _; do [ "$scope" = 00 ] && v6="    listen [::]:80;"; done </proc/net/if_inet6
fi
printf '%s\n' \
  'user root;' \
  'worker_processes auto;' \
  "pid $d/nginx.pid;" \
  'error_log stderr notice;' \
  'events { worker_connections 1024; }' \
  'http {' \
  '  include /etc/nginx/mime.types;' \
  '  default_type application/octet-stream;' \
  '  log_format main '"'"'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"'"'"';' \
  '  access_log /dev/stdout main;' \
  '  sendfile on;' \
  '  keepalive_timeout 65;' \
  "  client_body_temp_path $d/client_body_temp;" \
  "  proxy_temp_path $d/proxy_temp;" \
  "  fastcgi_temp_path $d/fastcgi_temp;" \
  "  uwsgi_temp_path $d/uwsgi_temp;" \
  "  scgi_temp_path $d/scgi_temp;" \
  '  server {' \
  '    listen 80;' \
  "$v6" \
  '    server_name localhost;' \
  "    location / { root $html; index $index; }" \
  '  }' \
  '}' >"$d/nginx.conf" || exit 1
[ -n "$NGINX_ENTRYPOINT_QUIET_LOGS" ] || echo "$0: configuration in $d/nginx.conf; starting nginx"
n=$1
shift
exec "$n" -p "$d/" -c "$d/nginx.conf" "$@"
`;

/**
 * The image's ENTRYPOINT: `sh -c <script> nginx-entrypoint`, then the command. The script's
 * `$0` names it in its own messages.
 */
export const NGINX_ENTRYPOINT = ['/bin/sh', '-c', SCRIPT.trim(), 'nginx-entrypoint'];

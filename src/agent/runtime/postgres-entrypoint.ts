/**
 * The entrypoint of the `postgres` images, in the role of the official image's
 * docker-entrypoint.sh: when the command is postgres, it initialises a database cluster of
 * this container's own on first start and runs the host's PostgreSQL server on it; any other
 * command (`psql`, `/bin/sh`) is exec'd as given.
 *
 * Where the files go: everything lives in `postgres/` beside the container's log files
 * (`<pod dir>/<container>/`: the directory of what the container's stdout is, its `<n>.log`
 * or the `<n>.pipe` the log stamper reads), which the agent removes with the pod. The server
 * refuses to run as root, and the agent's data directory is root's alone (0700), so the
 * postgres user could not reach a path under it: in the container's own mount namespace
 * (private, given by the agent) that directory is bind-mounted over /var/lib/postgresql, its
 * `run/` over /run/postgresql (where psql looks for the socket, so `kubectl exec ... psql -U
 * postgres` works as in the official image) and a fresh tmpfs over /dev/shm. The host's
 * directories are untouched and the mounts go with the container's last process. The server
 * also gets an IPC namespace of its own, so its System V segment cannot outlive it.
 *
 * First start, as the official image: POSTGRES_PASSWORD is required unless
 * POSTGRES_HOST_AUTH_METHOD is `trust`; initdb with POSTGRES_USER (default postgres) as the
 * superuser, that password and POSTGRES_INITDB_ARGS; connections from inside the pod are
 * trusted, all others use POSTGRES_HOST_AUTH_METHOD (default scram-sha-256); POSTGRES_DB
 * (default POSTGRES_USER) is created; it listens on every address, port 5432. The cluster is
 * built in `data.init` and renamed when complete, so a start interrupted half-way starts over.
 * PGDATA is honoured when it is under /var/lib/postgresql. initdb skips its fsync (`--no-sync`,
 * half of its 4 s here): the cluster lives no longer than its pod.
 *
 * Stopping: the agent sends SIGTERM to the container's process group, which to the postmaster
 * means "smart" shutdown (wait for clients to leave) and does not reach its children (each
 * leads a session of its own). The script therefore stays as the container's process and turns
 * SIGTERM into SIGINT, the server's fast shutdown (the official image's STOPSIGNAL).
 *
 * A POSIX shell script passed inline, as the nginx entrypoint is (see nginx-entrypoint.ts).
 */
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const SCRIPT = String.raw`
case "$1" in -*) set -- postgres "$@" ;; esac
case "$1" in postgres|*/postgres) ;; *) exec "$@" ;; esac
pg=$1
shift
case "$pg" in
  */*) ;;
  *) pg=$(command -v "$pg" || ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -t/ -k5,5n | tail -n 1)
     [ -n "$pg" ] || { echo "$0: postgres: not found on PATH nor in /usr/lib/postgresql (Debian: apt-get install postgresql)" >&2; exit 127; } ;;
esac
# initdb is beside the real server (postgres on PATH may be a symlink to it).
bin=$(dirname "$(readlink -f "$pg")")
d=
for p in $$ $PPID; do
  l=$(readlink "/proc/$p/fd/1" 2>/dev/null) || continue
  case "$l" in /*/[0-9]*.log|/*/[0-9]*.pipe*) d="$(dirname "$l")/postgres"; break ;; esac
done
if [ -z "$d" ]; then echo "$0: stdout is not a container's log file: this image runs under the node agent" >&2; exit 1; fi
home=/var/lib/postgresql
data=$home/data
case "$PGDATA" in "$home"/?*) data=$PGDATA ;; esac
if [ ! -s "$d/${'$'}{data#"$home"/}/PG_VERSION" ] && [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
  printf '%s\n' >&2 \
    "$0: Error: Database is uninitialized and superuser password is not specified." \
    "  Set POSTGRES_PASSWORD to a non-empty value in the container's environment; the server's superuser gets it." \
    "  POSTGRES_HOST_AUTH_METHOD=trust instead lets every client in without a password (not recommended)."
  exit 1
fi
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ] || grep -q ' shared:' /proc/self/mountinfo; then
  echo "$0: needs a private mount namespace of its own (the node agent gives each container one)" >&2
  exit 1
fi
u=$(id -u postgres 2>/dev/null) && g=$(id -g postgres) || { echo "$0: this host has no postgres user (Debian: apt-get install postgresql)" >&2; exit 1; }
[ -d "$home" ] || { echo "$0: $home is missing (the postgres user's home; Debian: apt-get install postgresql)" >&2; exit 1; }
mkdir -p "$d/run" && chown "$u:$g" "$d" "$d/run" && chmod 700 "$d" && chmod 2775 "$d/run" || exit 1
mount --bind "$d" "$home" || exit 1
sock=$home/run
if [ -d /run/postgresql ] && mount --bind "$d/run" /run/postgresql; then sock=/run/postgresql; fi
mount -t tmpfs -o nosuid,nodev,mode=1777 shm /dev/shm || exit 1
as() { setpriv --reuid="$u" --regid="$g" --clear-groups -- "$@"; }
if [ ! -s "$data/PG_VERSION" ]; then
  user=${'$'}{POSTGRES_USER:-postgres}
  db=${'$'}{POSTGRES_DB:-$user}
  new=$data.init
  echo "$0: initialising a database cluster in $data ($d on the host)"
  rm -rf "$new" && as mkdir -p "$new" || exit 1
  set -f
  if [ -n "$POSTGRES_PASSWORD" ]; then
    as /bin/sh -c 'printf "%s\n" "$POSTGRES_PASSWORD" | exec "$@" --pwfile=/dev/stdin' initdb \
      "$bin/initdb" -D "$new" -U "$user" -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=trust --no-sync $POSTGRES_INITDB_ARGS || exit 1
  else
    as "$bin/initdb" -D "$new" -U "$user" -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=trust --no-sync $POSTGRES_INITDB_ARGS || exit 1
  fi
  set +f
  printf '\nhost all all all %s\n' "${'$'}{POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >>"$new/pg_hba.conf" || exit 1
  printf "\nlisten_addresses = '*'\n" >>"$new/postgresql.conf" || exit 1
  if [ "$db" != postgres ]; then
    out=$(printf 'CREATE DATABASE "%s"\n' "$(printf '%s' "$db" | sed 's/"/""/g')" | as "$pg" --single -D "$new" postgres 2>&1)
    case "$?$out" in 0*ERROR*|[1-9]*) printf '%s\n' "$out" >&2; exit 1 ;; esac
  fi
  mv "$new" "$data" || exit 1
  echo "$0: database cluster ready"
fi
pid=
stop=
trap 'stop=1; [ -z "$pid" ] || kill -INT "$pid" 2>/dev/null' TERM INT
unshare --ipc -- setpriv --reuid="$u" --regid="$g" --clear-groups -- "$pg" -D "$data" -c "unix_socket_directories=$sock" "$@" &
pid=$!
[ -z "$stop" ] || kill -INT "$pid" 2>/dev/null
while :; do
  wait "$pid"
  s=$?
  [ "$s" -gt 128 ] && kill -0 "$pid" 2>/dev/null && continue
  exit "$s"
done
`;

/**
 * The image's ENTRYPOINT: `sh -c <script> postgres-entrypoint`, then the command. The
 * script's `$0` names it in its own messages.
 */
export const POSTGRES_ENTRYPOINT = ['/bin/sh', '-c', SCRIPT.trim(), 'postgres-entrypoint'];

/**
 * The host's PostgreSQL server: `postgres` on PATH, else the newest major version's under
 * `root` (Debian keeps each version's programs in /usr/lib/postgresql/<major>/bin, off PATH);
 * the bare name when there is none, so the missing-program message names it.
 */
export function postgresProgram(path = process.env.PATH ?? '', root = '/usr/lib/postgresql'): string {
  // (Not images.ts's findProgram: images.ts imports this module.)
  const onPath = path.split(delimiter).filter(Boolean).map((dir) => join(dir, 'postgres')).find(isExecutable);
  if (onPath) return onPath;
  let versions: string[];
  try {
    versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
  } catch {
    return 'postgres';
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin', 'postgres')).find(isExecutable) ?? 'postgres';
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The official image's CMD (`postgres`), as the host's program. Looked up at each container
 * start, so a server installed while a pod waits is found without restarting the agent.
 */
export function postgresDefaultCommand(): string[] {
  return [postgresProgram()];
}

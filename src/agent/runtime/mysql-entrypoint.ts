/**
 * The entrypoint of the `mysql` and `mariadb` images, in the role of the official images'
 * docker-entrypoint.sh: when the command is the server (mysqld, mariadbd), it initialises a
 * data directory of this container's own on first start and runs the host's MariaDB server
 * on it; any other command (`mysql`, `/bin/sh`) is exec'd as given.
 *
 * Where the files go: `mysql/` beside the container's log files (`<pod dir>/<container>/`,
 * the directory of the container's stdout, its `<n>.log` or the `<n>.pipe` the log stamper
 * reads), which the agent removes with the pod: the server's own `my.cnf` (the host's
 * /etc/mysql is not read), `data/`, `tmp/`, the pid file and the socket in `run/`. In the container's own private mount namespace `run/` is also
 * bind-mounted over /run/mysqld when the host has that directory, so the socket is where the
 * clients look for it (`kubectl exec ... mysql -uroot -p` works as in the official image); the
 * host's directory is untouched. The server runs as root (`user = root`) and logs to stderr.
 *
 * First start, as the official images: one of MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD
 * or MYSQL_RANDOM_ROOT_PASSWORD (or the MARIADB_ names) is required, else it exits 1 saying
 * so (the pod goes to CrashLoopBackOff with the message in its logs); the system tables are
 * installed (mariadb-install-db) with root@localhost and root@MYSQL_ROOT_HOST (default `%`)
 * holding that password and no anonymous or other accounts; MYSQL_DATABASE, and MYSQL_USER
 * with MYSQL_PASSWORD and all rights on that database, are created. The directory is built in
 * `data.init` and renamed when complete, so a start interrupted half-way starts over. The
 * password SQL goes through a file readable by root only (the installer takes no pipe),
 * removed at once.
 *
 * The server listens on 0.0.0.0:3306 with name resolution off and utf8mb4 as the default
 * character set; SIGTERM (the agent's stop signal) is its clean shutdown, so it is exec'd.
 * `--default-authentication-plugin`, common in MySQL tutorials, is dropped with a note:
 * MariaDB has no such option, and mysql_native_password is its default.
 *
 * A POSIX shell script passed inline, as the nginx entrypoint is (see nginx-entrypoint.ts).
 */

/** The mysql image's CMD; on Debian, mysqld is MariaDB's server under its MySQL name. */
export const MYSQL_DEFAULT_COMMAND = ['mysqld'];

/** The mariadb image's CMD. */
export const MARIADB_DEFAULT_COMMAND = ['mariadbd'];

const SCRIPT = String.raw`
case "$1" in -*) set -- mysqld "$@" ;; esac
case "$1" in mysqld|mariadbd|*/mysqld|*/mariadbd) ;; *) exec "$@" ;; esac
server=$1
shift
for a; do
  shift
  case "$a" in
    --default-authentication-plugin=*|--default_authentication_plugin=*) echo "$0: ignoring $a: MariaDB has no such option (mysql_native_password is its default)" >&2 ;;
    *) set -- "$@" "$a" ;;
  esac
done
d=
for p in $$ $PPID; do
  l=$(readlink "/proc/$p/fd/1" 2>/dev/null) || continue
  case "$l" in /*/[0-9]*.log|/*/[0-9]*.pipe*) d="$(dirname "$l")/mysql"; break ;; esac
done
if [ -z "$d" ]; then echo "$0: stdout is not a container's log file: this image runs under the node agent" >&2; exit 1; fi
data=$d/data
if [ ! -d "$data/mysql" ]; then
  root=${'$'}{MARIADB_ROOT_PASSWORD:-$MYSQL_ROOT_PASSWORD}
  empty=${'$'}{MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-$MYSQL_ALLOW_EMPTY_PASSWORD}
  random=${'$'}{MARIADB_RANDOM_ROOT_PASSWORD:-$MYSQL_RANDOM_ROOT_PASSWORD}
  user=${'$'}{MARIADB_USER:-$MYSQL_USER}
  password=${'$'}{MARIADB_PASSWORD:-$MYSQL_PASSWORD}
  database=${'$'}{MARIADB_DATABASE:-$MYSQL_DATABASE}
  roothost=${'$'}{MARIADB_ROOT_HOST:-${'$'}{MYSQL_ROOT_HOST:-%}}
  if [ -z "$root$empty$random" ]; then
    printf '%s\n' >&2 \
      "$0: error: database is uninitialized and password option is not specified" \
      "  Set one of these in the container's environment: MYSQL_ROOT_PASSWORD, MYSQL_ALLOW_EMPTY_PASSWORD or MYSQL_RANDOM_ROOT_PASSWORD" \
      "  (the mariadb image's names work too: MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD, MARIADB_RANDOM_ROOT_PASSWORD)."
    exit 1
  fi
  if [ "$user" = root ]; then
    echo "$0: error: MYSQL_USER=root: MYSQL_USER and MYSQL_PASSWORD create an ordinary user; root's password is MYSQL_ROOT_PASSWORD" >&2
    exit 1
  fi
fi
mkdir -p "$d/run" "$d/tmp" && chmod 700 "$d" || exit 1
sock=$d/run/mysqld.sock
if [ -d /run/mysqld ] && [ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] && ! grep -q ' shared:' /proc/self/mountinfo && mount --bind "$d/run" /run/mysqld; then
  sock=/run/mysqld/mysqld.sock
fi
printf '%s\n' '[mysqld]' 'user = root' "datadir = $data" "socket = $sock" "pid-file = $d/run/mysqld.pid" "tmpdir = $d/tmp" \
  'port = 3306' 'bind-address = 0.0.0.0' 'skip-name-resolve' 'character-set-server = utf8mb4' 'collation-server = utf8mb4_general_ci' >"$d/my.cnf" || exit 1
if [ ! -d "$data/mysql" ]; then
  install=$(command -v mariadb-install-db || command -v mysql_install_db) || { echo "$0: mariadb-install-db is not on PATH (Debian: apt-get install mariadb-server)" >&2; exit 1; }
  if [ -n "$random" ]; then
    root=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)
    echo "$0: GENERATED ROOT PASSWORD: $root"
  fi
  str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"; }
  bt=$(printf '\140')
  name() { printf '%s' "$bt$(printf '%s' "$1" | sed "s/$bt/$bt$bt/g")$bt"; }
  pw=$(str "$root")
  (
    umask 077
    exec >"$d/init.sql"
    printf '%s\n' \
      "DELETE FROM mysql.global_priv WHERE User = '' OR Host <> 'localhost';" \
      "DELETE FROM mysql.proxies_priv WHERE Host <> 'localhost';" \
      'FLUSH PRIVILEGES;' \
      "ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';"
    if [ "$roothost" != localhost ]; then
      printf '%s\n' "CREATE USER 'root'@'$(str "$roothost")' IDENTIFIED BY '$pw';" "GRANT ALL ON *.* TO 'root'@'$(str "$roothost")' WITH GRANT OPTION;"
    fi
    [ -z "$database" ] || printf '%s\n' "CREATE DATABASE IF NOT EXISTS $(name "$database");"
    if [ -n "$user" ] && [ -n "$password" ]; then
      printf '%s\n' "CREATE USER '$(str "$user")'@'%' IDENTIFIED BY '$(str "$password")';"
      [ -z "$database" ] || printf '%s\n' "GRANT ALL ON $(name "$database").* TO '$(str "$user")'@'%';"
    elif [ -n "$user$password" ]; then
      echo "$0: MYSQL_USER and MYSQL_PASSWORD go together: no user created" >&2
    fi
  ) || exit 1
  echo "$0: installing the system tables in $data"
  rm -rf "$data.init"
  out=$("$install" --defaults-file="$d/my.cnf" --datadir="$data.init" --user=root --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve --extra-file="$d/init.sql" 2>&1)
  s=$?
  rm -f "$d/init.sql"
  if [ "$s" != 0 ]; then printf '%s\n' "$out" >&2; exit 1; fi
  mv "$data.init" "$data" || exit 1
  echo "$0: data directory ready"
fi
exec "$server" --defaults-file="$d/my.cnf" "$@"
`;

/**
 * The images' ENTRYPOINT: `sh -c <script> mysql-entrypoint`, then the command. The script's
 * `$0` names it in its own messages.
 */
export const MYSQL_ENTRYPOINT = ['/bin/sh', '-c', SCRIPT.trim(), 'mysql-entrypoint'];

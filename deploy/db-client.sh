# Shared by backup.sh and restore.sh (sourced, not run): finds the install folder, reads
# DATABASE_URL as the app does (the environment first, then GG_ENV_FILE or the install
# folder's .env) and writes a MariaDB/MySQL client option file, so the password never
# appears on a command line. Needs node (the app's own) and the mariadb or mysql client.
# shellcheck shell=bash

die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# The client programs: MariaDB's names first, MySQL's otherwise.
find_client() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  die "none of $* is installed (Debian: apt-get install mariadb-client)"
}

# write_client_options FILE APP_DIR: writes FILE (mode 600) and sets DB_NAME and DB_WHERE.
write_client_options() {
  local file=$1 app_dir=$2 described
  command -v node >/dev/null 2>&1 || die "node is needed to read DATABASE_URL"
  (umask 077 && : >"$file")
  described=$(node -e '
    const fs = require("node:fs"), path = require("node:path"), util = require("node:util");
    const [optionFile, appDir] = process.argv.slice(1);
    let url = process.env.DATABASE_URL;
    let from = "the environment";
    if (url === undefined) {
      const envFile = path.resolve(appDir, process.env.GG_ENV_FILE || ".env");
      if (fs.existsSync(envFile)) {
        url = util.parseEnv(fs.readFileSync(envFile, "utf8")).DATABASE_URL;
        from = envFile;
      }
    }
    if (!url || !url.trim()) {
      console.error("DATABASE_URL is not set (in the environment or " + path.resolve(appDir, ".env") + "); backups cover MariaDB/MySQL only");
      process.exit(1);
    }
    let u;
    try { u = new URL(url.trim()); } catch { u = null; }
    if (!u || !["mysql:", "mysql2:"].includes(u.protocol) || !u.hostname || u.pathname.length < 2) {
      console.error("DATABASE_URL from " + from + " must look like mysql://user:password@host:3306/database");
      process.exit(1);
    }
    const quote = (v) => "\"" + v.replace(/\\/g, "\\\\").replace(/"/g, "\\\"") + "\"";
    const lines = ["[client]", "protocol=tcp", "host=" + quote(u.hostname.replace(/^\[|\]$/g, "")), "port=" + (u.port || "3306"),
      "user=" + quote(decodeURIComponent(u.username)), "password=" + quote(decodeURIComponent(u.password)), "default-character-set=utf8mb4"];
    fs.writeFileSync(optionFile, lines.join("\n") + "\n", { mode: 0o600 });
    process.stdout.write(decodeURIComponent(u.pathname.slice(1)) + "\n" + u.hostname + ":" + (u.port || "3306"));
  ' "$file" "$app_dir") || exit 1
  # Read by the scripts that source this file.
  # shellcheck disable=SC2034
  DB_NAME=${described%%$'\n'*}
  # shellcheck disable=SC2034
  DB_WHERE=${described#*$'\n'}
  case $DB_NAME in
    '' | *[!A-Za-z0-9_\$-]*) die "the database name \"$DB_NAME\" in DATABASE_URL has characters this script does not quote" ;;
  esac
}

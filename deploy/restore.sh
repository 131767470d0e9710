#!/usr/bin/env bash
# Restores a GigGatek backup made by deploy/backup.sh: the database into DATABASE_URL's
# database (created when missing) and the uploads into APP_DIR/var/uploads.
# Usage:  deploy/restore.sh BACKUP_FOLDER [--app-dir DIR] [--replace]
#   --app-dir  the install folder (default: the folder above deploy/); its .env gives
#              DATABASE_URL unless set in the environment
#   --replace  required when the database has tables or var/uploads has files: every
#              table is dropped and replaced by the backup's, and the current uploads
#              folder is kept beside it as var/uploads.before-restore-<time>
# Stop the store first (systemctl stop giggatek 'giggatek-worker@*'), start it after.
# To test a backup without touching the store, restore it into another database and
# folder: DATABASE_URL=mysql://…/giggatek_restore_test deploy/restore.sh B --app-dir /tmp/t
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=db-client.sh source-path=SCRIPTDIR
. "$here/db-client.sh"

app_dir=$(dirname "$here")
backup=
replace=0
while [ $# -gt 0 ]; do
  case $1 in
    --app-dir) [ $# -ge 2 ] || die "--app-dir needs a folder"; app_dir=$2; shift 2 ;;
    --replace) replace=1; shift ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) die "unknown option \"$1\" (see --help)" ;;
    *) [ -z "$backup" ] || die "one backup folder at a time"; backup=$1; shift ;;
  esac
done
[ -n "$backup" ] || die "which backup? usage: restore.sh BACKUP_FOLDER [--app-dir DIR] [--replace]"
for part in database.sql.gz uploads.tar.gz MANIFEST; do
  [ -f "$backup/$part" ] || die "$backup is not a GigGatek backup (no $part)"
done
gzip -t "$backup/database.sql.gz" || die "$backup/database.sql.gz is damaged"
gzip -t "$backup/uploads.tar.gz" || die "$backup/uploads.tar.gz is damaged"
[ -d "$app_dir" ] || die "no such install folder: $app_dir"
app_dir=$(cd "$app_dir" && pwd)
uploads=$app_dir/var/uploads
client=$(find_client mariadb mysql)

work=$(mktemp -d "${TMPDIR:-/tmp}/giggatek-restore.XXXXXX")
trap 'rm -rf "$work"' EXIT
write_client_options "$work/client.cnf" "$app_dir"
sql() { "$client" --defaults-extra-file="$work/client.cnf" --batch --skip-column-names "$@"; }

# What is there now: refuse to overwrite anything without --replace.
# (A user without the right to create databases may still restore into an existing one.)
if [ -z "$(sql -e "SELECT 1 FROM information_schema.schemata WHERE schema_name = '$DB_NAME'")" ]; then
  sql -e "CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
fi
tables=$(sql -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '$DB_NAME'")
table_count=$(printf '%s' "$tables" | grep -c . || true)
upload_count=0
if [ -d "$uploads" ]; then upload_count=$(find "$uploads" -type f | wc -l); fi
if [ "$replace" = 0 ] && { [ "$table_count" -gt 0 ] || [ "$upload_count" -gt 0 ]; }; then
  die "database $DB_NAME on $DB_WHERE has $table_count tables and $uploads has $upload_count files; nothing was changed. Run again with --replace to replace them with the backup (back them up first)."
fi

# Uploads first, beside the current folder: a broken archive changes nothing.
mkdir -p "$app_dir/var"
unpacked=$(mktemp -d "$app_dir/var/.restore.XXXXXX")
tar -xzf "$backup/uploads.tar.gz" -C "$unpacked"
mkdir -p "$unpacked/uploads"

# Database: drop every table (foreign keys off), then load the dump.
if [ "$table_count" -gt 0 ]; then
  # shellcheck disable=SC2016 # the backquotes are MariaDB's, for sed to add
  drop=$(printf '%s\n' "$tables" | sed 's/.*/`&`/' | paste -sd, -)
  sql "$DB_NAME" -e "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE $drop; SET FOREIGN_KEY_CHECKS = 1"
fi
gzip -dc "$backup/database.sql.gz" | sql "$DB_NAME"

kept=
if [ -e "$uploads" ]; then
  kept=$uploads.before-restore-$(date -u +%Y%m%dT%H%M%SZ)
  mv "$uploads" "$kept"
fi
mv "$unpacked/uploads" "$uploads"
rmdir "$unpacked"

restored=$(sql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$DB_NAME'")
files=$(find "$uploads" -type f | wc -l)
echo "Restored $backup: database $DB_NAME on $DB_WHERE ($restored tables), $files files in $uploads."
if [ -n "$kept" ]; then echo "The uploads folder it replaced is kept as $kept (remove it when satisfied)."; fi

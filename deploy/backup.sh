#!/usr/bin/env bash
# Backs up GigGatek: the MariaDB/MySQL database (a consistent dump taken inside one
# transaction, the store keeps running) and the uploaded files (var/uploads: product
# images, dispute photos), into one dated folder:
#   BACKUP_DIR/giggatek-20261128T021500Z/{database.sql.gz, uploads.tar.gz, MANIFEST}
# Usage:  deploy/backup.sh [--app-dir DIR] [--to BACKUP_DIR]
#   --app-dir  the install folder (default: the folder above deploy/): its .env gives
#              DATABASE_URL unless set in the environment, its var/uploads is saved
#   --to       where the dated folder goes (default: APP_DIR/var/backups); copy it off
#              the machine too
# Prints the folder made. Restore with deploy/restore.sh. Cron example in README "Production".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=db-client.sh source-path=SCRIPTDIR
. "$here/db-client.sh"

app_dir=$(dirname "$here")
backup_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --app-dir) [ $# -ge 2 ] || die "--app-dir needs a folder"; app_dir=$2; shift 2 ;;
    --to) [ $# -ge 2 ] || die "--to needs a folder"; backup_dir=$2; shift 2 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument \"$1\" (see --help)" ;;
  esac
done
[ -d "$app_dir" ] || die "no such install folder: $app_dir"
app_dir=$(cd "$app_dir" && pwd)
backup_dir=${backup_dir:-$app_dir/var/backups}
uploads=$app_dir/var/uploads
dump=$(find_client mariadb-dump mysqldump)

mkdir -p "$backup_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
target=$backup_dir/giggatek-$stamp
[ ! -e "$target" ] || die "$target already exists"
work=$(mktemp -d "$backup_dir/.giggatek-$stamp.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
write_client_options "$work/client.cnf" "$app_dir"

# --single-transaction: a consistent snapshot of InnoDB tables without locking the store.
# --quick streams rows; --hex-blob keeps binary columns intact; no tablespaces (needs PROCESS).
"$dump" --defaults-extra-file="$work/client.cnf" --single-transaction --quick --hex-blob \
  --triggers --no-tablespaces --skip-comments "$DB_NAME" | gzip -c >"$work/database.sql.gz"

# Files after the dump: every image the dumped rows name was there when the dump began.
if [ -d "$uploads" ]; then
  # An image removed while tar reads the folder is not an error (exit status 1: "file changed").
  status=0
  tar -czf "$work/uploads.tar.gz" -C "$app_dir/var" uploads || status=$?
  [ "$status" -le 1 ] || die "tar of $uploads failed"
else
  tar -czf "$work/uploads.tar.gz" -T /dev/null
fi

tables=$(gzip -dc "$work/database.sql.gz" | grep -c '^CREATE TABLE' || true)
files=$(tar -tzf "$work/uploads.tar.gz" | grep -vc '/$' || true)
{
  echo "created_utc=$stamp"
  echo "database=$DB_NAME"
  echo "server=$DB_WHERE"
  echo "tables=$tables"
  echo "upload_files=$files"
} >"$work/MANIFEST"
rm -f "$work/client.cnf"
mv "$work" "$target"
trap - EXIT
chmod 700 "$target"
echo "$target"
echo "Backed up database $DB_NAME ($tables tables) on $DB_WHERE and $files uploaded files." >&2

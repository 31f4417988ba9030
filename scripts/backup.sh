#!/usr/bin/env bash
# Back up a Kehui Carbon installation: the PostgreSQL database and the evidence files.
# See usage() below and docs/operations.md ("Backups"); tests/kehui/test_backup_restore.py
# backs up a database, restores it elsewhere and checks that every total comes back.
set -euo pipefail

# shellcheck source=scripts/_common.sh
. "$(dirname "$0")/_common.sh"

usage() {
  cat <<USAGE
Usage: $(basename "$0") OUTPUT_DIR

Back up the Kehui Carbon database and its evidence files into OUTPUT_DIR (created if missing):

  kehui-<UTC time>.dump           pg_dump --format=custom of the whole database
  kehui-<UTC time>-media.tar.gz   the contents of MEDIA_ROOT (uploaded evidence files)
  kehui-<UTC time>.sha256         checksums of both, checked again by restore.sh

Environment:
  DATABASE_URL  the database to back up, postgres://user:password@host:5432/dbname (required)
  MEDIA_ROOT    the evidence-file folder (default: var/media in the project, as the app)

Needs pg_dump of the server's major version or newer. Files are readable by their owner only.
Restore with scripts/restore.sh.

Exit status: 0 when both files were written, 1 when the backup failed (nothing is left
behind under a final name), 2 for a usage or configuration error.
USAGE
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
esac
if [[ $# -ne 1 || $1 == -* ]]; then
  usage >&2
  exit 2
fi
output_dir=$1

parse_database_url "${DATABASE_URL:-}"
media_root=${MEDIA_ROOT:-$(default_media_root)}
require_tool pg_dump

# Backups hold every figure and every bill: nobody else may read them.
umask 077
mkdir -p "$output_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump="$output_dir/kehui-$stamp.dump"
media="$output_dir/kehui-$stamp-media.tar.gz"
sums="$output_dir/kehui-$stamp.sha256"
for path in "$dump" "$media" "$sums"; do
  [[ ! -e $path ]] || die 1 "$path already exists; not overwriting it"
done

# Written under temporary names and renamed at the end: a file under its final name is complete.
partial=()
cleanup() {
  if [[ ${#partial[@]} -gt 0 ]]; then rm -f "${partial[@]}"; fi
}
trap cleanup EXIT

# The database first, the files second: an evidence file uploaded meanwhile is archived
# without its row (harmless), while the reverse order would keep rows whose files are missing.
echo "Dumping $DB_LABEL ..."
partial+=("$dump.partial")
pg_dump --format=custom --no-password --dbname="$DB_URL" --file="$dump.partial"

partial+=("$media.partial")
if [[ -d $media_root ]]; then
  echo "Archiving $media_root ..."
  tar -C "$media_root" -czf "$media.partial" .
else
  # A new installation has no uploads yet; the archive is still written, empty, so that
  # every dump has its media archive beside it.
  echo "warning: MEDIA_ROOT $media_root does not exist; writing an empty media archive" >&2
  empty=$(mktemp -d)
  tar -C "$empty" -czf "$media.partial" .
  rmdir "$empty"
fi

mv "$dump.partial" "$dump"
mv "$media.partial" "$media"
partial=()
(cd "$output_dir" && sha256sum "$(basename "$dump")" "$(basename "$media")") >"$sums"

echo "Wrote:"
echo "  $dump ($(human_size "$dump"))"
echo "  $media ($(human_size "$media"))"
echo "  $sums"

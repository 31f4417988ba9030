#!/usr/bin/env bash
# Restore a Kehui Carbon backup written by scripts/backup.sh: the database and the evidence
# files. See usage() below and docs/operations.md ("Backups").
set -euo pipefail

# shellcheck source=scripts/_common.sh
. "$(dirname "$0")/_common.sh"

usage() {
  cat <<USAGE
Usage: $(basename "$0") [--yes] DUMP_FILE [MEDIA_ARCHIVE]

Restore a backup made by backup.sh into the database DATABASE_URL names, replacing what it
holds (pg_restore --clean --if-exists --no-owner, in one transaction: a failed restore
changes nothing), then unpack the evidence files into MEDIA_ROOT.

  DUMP_FILE      kehui-<UTC time>.dump
  MEDIA_ARCHIVE  kehui-<UTC time>-media.tar.gz (default: the one beside DUMP_FILE)
  --yes          do not ask before replacing the database (needed when not run from a terminal)

Environment:
  DATABASE_URL  the database to restore into; it must exist (createdb it first if it does not)
  MEDIA_ROOT    where the evidence files go (default: var/media in the project, as the app);
                files already there are kept, those in the archive are written over them

Stop the web containers first, so that nobody writes while the restore runs. When a
.sha256 file lies beside the dump (backup.sh writes one), both files are checked against it.

Exit status: 0 when restored, 1 when the restore failed, 2 for a usage or configuration error
(or when the replacement was not confirmed).
USAGE
}

assume_yes=false
args=()
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    -y | --yes) assume_yes=true ;;
    -*)
      usage >&2
      exit 2
      ;;
    *) args+=("$arg") ;;
  esac
done
if [[ ${#args[@]} -lt 1 || ${#args[@]} -gt 2 ]]; then
  usage >&2
  exit 2
fi
dump=${args[0]}
media=${args[1]:-${dump%.dump}-media.tar.gz}
sums=${dump%.dump}.sha256

[[ -f $dump ]] || die 2 "no dump file at $dump"
[[ -f $media ]] || die 2 "no media archive at $media (pass it as the second argument)"
parse_database_url "${DATABASE_URL:-}"
media_root=${MEDIA_ROOT:-$(default_media_root)}
require_tool pg_restore

if [[ -f $sums ]]; then
  echo "Checking $sums ..."
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$sums")") ||
    die 1 "the backup files do not match their checksums; not restoring"
fi
# Reads the archive's table of contents: a truncated or foreign file stops here, untouched.
pg_restore --list "$dump" >/dev/null || die 1 "$dump is not a pg_dump custom-format archive"
tar -tzf "$media" >/dev/null || die 1 "$media is not a readable tar.gz archive"

if [[ $assume_yes != true ]]; then
  [[ -t 0 ]] || die 2 "refusing to replace $DB_LABEL without --yes (not run from a terminal)"
  read -r -p "Replace everything in $DB_LABEL with $dump? Type the database name to go on: " answer
  [[ $answer == "$(percent_decode "$DB_NAME")" ]] || die 2 "not confirmed; nothing changed"
fi

echo "Restoring $dump into $DB_LABEL ..."
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
  --no-password --dbname="$DB_URL" "$dump"

echo "Unpacking $media into $media_root ..."
mkdir -p "$media_root"
tar -C "$media_root" -xzf "$media"

echo "Restored $DB_LABEL from $dump and the evidence files into $media_root."
echo "Next: python manage.py migrate (if this version is newer than the backup), then start the app."

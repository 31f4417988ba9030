# Shared by backup.sh and restore.sh (sourced, not run): reading DATABASE_URL, messages.
# shellcheck shell=bash

die() {
  # die CODE MESSAGE: the message on stderr, then exit with CODE.
  local code=$1
  shift
  echo "$(basename "$0"): $*" >&2
  exit "$code"
}

require_tool() {
  command -v "$1" >/dev/null 2>&1 ||
    die 1 "$1 not found on PATH (install the PostgreSQL client tools, e.g. apt-get install postgresql-client)"
}

percent_decode() {
  # URL-encoded characters in a password (%40 for @) become themselves again.
  local value=${1//\\/\\\\}
  printf '%b' "${value//%/\\x}"
}

# parse_database_url URL: sets DB_URL (the URL without its password, safe to pass on a command
# line and to print), DB_NAME and DB_LABEL (user@host/name, for messages), and exports the
# password as PGPASSWORD, which libpq reads, so it never shows in `ps`.
parse_database_url() {
  local url=$1 scheme rest netloc path userinfo hostport user password
  case "$url" in
    postgres://* | postgresql://*) ;;
    "") die 2 "DATABASE_URL is not set (postgres://user:password@host:5432/dbname)" ;;
    *) die 2 "DATABASE_URL must start with postgres:// or postgresql://, not '${url%%:*}:'" ;;
  esac
  scheme=${url%%://*}
  rest=${url#*://}
  netloc=${rest%%/*}
  path=${rest#"$netloc"}
  hostport=$netloc
  user=""
  password=""
  if [[ $netloc == *@* ]]; then
    userinfo=${netloc%@*}
    hostport=${netloc##*@}
    user=${userinfo%%:*}
    if [[ $userinfo == *:* ]]; then
      password=${userinfo#*:}
    fi
  fi
  DB_NAME=${path#/}
  DB_NAME=${DB_NAME%%\?*}
  [[ -n $DB_NAME ]] || die 2 "DATABASE_URL names no database: add /dbname at its end"
  if [[ -n $password ]]; then
    PGPASSWORD=$(percent_decode "$password")
    export PGPASSWORD
  fi
  DB_URL="$scheme://${user:+$user@}$hostport$path"
  DB_LABEL="${user:+$(percent_decode "$user")@}${hostport:-localhost}/$(percent_decode "$DB_NAME")"
}

default_media_root() {
  # Same default as kehui/settings.py: var/media in the project (this script's parent folder).
  local project
  project=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  echo "$project/var/media"
}

human_size() {
  du -h "$1" | cut -f1
}

#!/bin/sh
# Container entrypoint: the app reads its settings from the environment and from
# GG_ENV_FILE (var/container.env, on the var volume). On the first start this writes
# that file with a random JWT_SECRET and COOKIE_SECRET, so `docker compose up` runs in
# production mode without a secret shipped in the image or the compose file; secrets
# set in the environment win over the file. Then it runs the command (CMD).
set -eu
# An empty variable in the environment would win over the file (compose passes
# `JWT_SECRET: ${JWT_SECRET:-}` as empty when it is not set): drop those.
for name in JWT_SECRET COOKIE_SECRET; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then unset "$name"; fi
done
umask 022
mkdir -p var/uploads var/mail
file="${GG_ENV_FILE:-var/container.env}"
if [ ! -s "$file" ]; then
  secret() { node -e 'process.stdout.write(require("node:crypto").randomBytes(48).toString("base64url"))'; }
  (
    umask 077
    {
      echo "# Generated on the first start by the container entrypoint (losing it signs everyone out)."
      echo "JWT_SECRET=$(secret)"
      echo "COOKIE_SECRET=$(secret)"
    } >"$file.tmp"
  )
  mv "$file.tmp" "$file"
fi
exec "$@"

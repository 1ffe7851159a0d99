# shellcheck shell=sh
# The worker's TLS certificate, sourced by install.sh (test/install/worker-tls.test.ts runs these
# functions in a temporary folder): a self-signed certificate made with openssl, which the Plex
# side pins by its SHA-256 fingerprint (`plexbeam workers add … --fingerprint`, docs/SERVER.md).

# plexbeam_tls_ensure DIR GROUP: DIR/worker.crt (0644) and DIR/worker.key (0640, group GROUP, the
# worker's user reads it; DIR 0750) unless both exist already: then nothing is touched. Prints
# "kept" or "made"; returns 1, writing nothing, when openssl is not installed.
plexbeam_tls_ensure() {
  _tls_dir=$1 _tls_group=$2
  if [ -f "$_tls_dir/worker.crt" ] && [ -f "$_tls_dir/worker.key" ]; then
    echo kept
    return 0
  fi
  command -v openssl >/dev/null 2>&1 || return 1
  mkdir -p "$_tls_dir"
  chgrp "$_tls_group" "$_tls_dir"
  chmod 0750 "$_tls_dir"
  _tls_new=$(mktemp -d "$_tls_dir/.new.XXXXXX")
  _tls_host=$(hostname 2>/dev/null || echo plexbeam-worker)
  # Ten years: the pin, not an expiry date, is the trust; a new certificate means a new pin.
  if ! (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -keyout "$_tls_new/worker.key" -out "$_tls_new/worker.crt" -subj "/CN=$_tls_host" \
    -addext "subjectAltName=DNS:$_tls_host,DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1); then
    rm -rf "$_tls_new"
    return 2
  fi
  chgrp "$_tls_group" "$_tls_new/worker.key"
  chmod 0640 "$_tls_new/worker.key"
  chmod 0644 "$_tls_new/worker.crt"
  # The key first: a certificate is never there without its key.
  mv -f "$_tls_new/worker.key" "$_tls_dir/worker.key"
  mv -f "$_tls_new/worker.crt" "$_tls_dir/worker.crt"
  rmdir "$_tls_new"
  echo made
}

# plexbeam_tls_fingerprint CERT: its SHA-256 fingerprint, AB:CD:… as openssl and Node print it
# (with the Node.js in $NODE when openssl is missing, for a certificate the user brought).
plexbeam_tls_fingerprint() {
  if command -v openssl >/dev/null 2>&1; then
    openssl x509 -noout -fingerprint -sha256 -in "$1" | sed 's/^[^=]*=//'
  else
    "${NODE:-node}" -e 'const { X509Certificate } = require("node:crypto"); console.log(new X509Certificate(require("node:fs").readFileSync(process.argv[1])).fingerprint256);' "$1"
  fi
}

# plexbeam_tls_host HOST: the name the Plex side reaches the worker by: HOST, or this machine's
# name when the worker listens on every address.
plexbeam_tls_host() {
  case $1 in
    "" | 0.0.0.0 | :: | "[::]") hostname -f 2>/dev/null || hostname ;;
    *:*) echo "[$1]" ;;
    *) echo "$1" ;;
  esac
}

# plexbeam_tls_add_line HOST PORT KEY FINGERPRINT: the command that adds this worker on the Plex
# machine, refused there unless the worker shows this very certificate.
plexbeam_tls_add_line() {
  echo "plexbeam workers add https://$(plexbeam_tls_host "$1"):$2 --key $3 --fingerprint $4"
}

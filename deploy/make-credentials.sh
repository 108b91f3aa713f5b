#!/usr/bin/env bash
# Makes the credentials between the Fulcrum operator and the proxies on the lb hosts:
#   - a CA (ca.crt, ca.key): the operator trusts the proxies' admin certificates through it;
#   - one admin certificate per lb host, with the host's IP (and name) as subject alternative
#     names, since the operator connects to https://<IP>:9443;
#   - a random bearer token shared by the operator and every proxy.
# Running it again with an existing output directory reuses the CA and the token, so a host can
# be added (or re-issued) without touching the others.
#
# usage: make-credentials.sh [-o DIR] [-n NAMESPACE] [-d DAYS] NAME=IP [NAME=IP ...]
#   e.g. make-credentials.sh -o ./fulcrum-credentials lb-1=10.10.10.98 lb-2=10.10.10.99
# Needs bash and OpenSSL 1.1.1 or later (for -addext).
set -euo pipefail

out=./fulcrum-credentials
namespace=fulcrum-system
days=825

usage() {
  echo "usage: make-credentials.sh [-o DIR] [-n NAMESPACE] [-d DAYS] NAME=IP [NAME=IP ...]" >&2
  echo "  e.g. make-credentials.sh -o ./fulcrum-credentials lb-1=10.10.10.98 lb-2=10.10.10.99" >&2
  exit 2
}

while getopts 'o:n:d:h' opt; do
  case "$opt" in
    o) out=$OPTARG ;;
    n) namespace=$OPTARG ;;
    d) days=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
command -v openssl >/dev/null || { echo "make-credentials: openssl is not installed" >&2; exit 1; }
[[ $namespace =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || { echo "make-credentials: -n: \"$namespace\" is not a namespace name" >&2; exit 2; }
[[ $days =~ ^[1-9][0-9]{0,4}$ ]] || { echo "make-credentials: -d: \"$days\" is not a number of days" >&2; exit 2; }

is_ipv4() {
  local IFS=. octets
  read -ra octets <<<"$1"
  [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  for o in "${octets[@]}"; do ((10#$o <= 255)) || return 1; done
}

is_ipv6() {
  [[ $1 == *:* && $1 =~ ^[0-9a-fA-F:.]+$ ]]
}

# Check every argument before writing anything, so a typo leaves no half-made directory.
names=() ips=()
for arg in "$@"; do
  name=${arg%%=*} ip=${arg#*=}
  if [[ $arg != *=* || -z $name || -z $ip ]]; then
    echo "make-credentials: \"$arg\": expected NAME=IP, e.g. lb-1=10.10.10.98" >&2
    exit 2
  fi
  if ! [[ $name =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]]; then
    echo "make-credentials: \"$arg\": NAME must be a lowercase DNS label, as in spec.proxies[].name" >&2
    exit 2
  fi
  if ! is_ipv4 "$ip" && ! is_ipv6 "$ip"; then
    echo "make-credentials: \"$arg\": \"$ip\" is not an IP address (the operator connects by IP)" >&2
    exit 2
  fi
  # ${a[@]+...}: bash before 4.4 (macOS) calls an empty array unbound under set -u.
  for seen in ${names[@]+"${names[@]}"}; do
    [ "$seen" != "$name" ] || { echo "make-credentials: \"$name\" is given twice" >&2; exit 2; }
  done
  names+=("$name") ips+=("$ip")
done

umask 077
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -f "$out/ca.key" ]; then
  echo "reusing the CA in $out/ca.crt" >&2
else
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$out/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$out/ca.key" -sha256 -days 3650 -subj "/CN=fulcrum-proxy-ca" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$out/ca.crt"
  chmod 644 "$out/ca.crt"
fi

if [ ! -s "$out/token" ]; then
  # 256 random bits, hex; no trailing newline, so the Secret and the file hold the same bytes.
  printf '%s' "$(openssl rand -hex 32)" >"$out/token"
fi

for i in "${!names[@]}"; do
  name=${names[$i]} ip=${ips[$i]}
  host="$out/$name"
  mkdir -p "$host"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$host/admin.key" 2>/dev/null
  openssl req -new -key "$host/admin.key" -subj "/CN=$name" -out "$work/$name.csr"
  cat >"$work/$name.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:$ip,DNS:$name
EXT
  openssl x509 -req -in "$work/$name.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -CAserial "$work/ca.srl" -sha256 -days "$days" \
    -extfile "$work/$name.ext" -out "$host/admin.crt" 2>/dev/null
  cp "$out/token" "$host/token"
  chmod 644 "$host/admin.crt"
done

cat <<MSG
Credentials in $out (keep ca.key offline; it signs the proxies' admin certificates).

1. In the cluster, the Secret the ExternalLoadBalancer's credentialsSecretRef names:
   kubectl create secret generic fulcrum-proxy-credentials --namespace $(printf %q "$namespace") --from-file=token=$(printf %q "$out/token") --from-file=ca.crt=$(printf %q "$out/ca.crt")

2. On each lb host, into /etc/fulcrum/ (owner root:fulcrum, mode 0640):
MSG
for i in "${!names[@]}"; do
  printf '   %-10s %s  ->  %s/{admin.crt,admin.key,token}\n' "${names[$i]}" "${ips[$i]}" "$out/${names[$i]}"
done

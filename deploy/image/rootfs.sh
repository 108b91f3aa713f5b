#!/usr/bin/env bash
# Lays out the base of Fulcrum's container images in OUT: a Java runtime assembled by jlink from
# the building JDK (no registry needed), the C library files it loads, and a minimal /etc with the
# non-root user 65532. The build (jib-maven-plugin, base `scratch`) adds the application on top.
#   rootfs.sh OUT [JAVA_HOME]
set -euo pipefail
out=$1
jdk=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
# What the two jars need (jdeps --print-module-deps), plus the EC provider TLS needs (a service,
# which jdeps cannot see).
modules=java.base,java.desktop,java.naming,java.sql,java.compiler,java.net.http,jdk.httpserver,\
jdk.jfr,jdk.management,jdk.unsupported,jdk.crypto.ec

if [ ! -d "$jdk/jmods" ]; then
  echo "rootfs.sh: $jdk has no jmods/ (install a full JDK 17: Debian's openjdk-17-jdk-headless, Temurin); cannot jlink" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/lib" "$out/lib64"
"$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$modules" --output "$out/opt/java" \
  --strip-debug --no-header-files --no-man-pages --compress=2
# A JDK's cacerts may be a link into the host's /etc; the images need no public CAs (the operator
# trusts the API server's service-account CA, the proxy its own admin certificates).
find "$out/opt/java" -type l -exec sh -c 'cp -L "$1" "$1.file" && mv -f "$1.file" "$1"' _ {} \;
# java.desktop is here for java.beans (Jackson, SnakeYAML); its AWT, font, image and sound
# libraries would bring X11 and more, and nothing headless loads them.
find "$out/opt/java/lib" -maxdepth 1 -regextype egrep \
  -regex '.*/lib(awt.*|fontmanager|javajpeg|jawt|jsound|lcms|mlib_image|splashscreen)\.so' -delete

# The C library: every shared object the runtime links, and the resolver's modules glibc loads
# at run time (name lookups through /etc/hosts and DNS), copied as files, never links.
copy_lib() {
  local src=$1 dest
  dest="$out$(dirname "$src")"
  mkdir -p "$dest"
  cp -L "$src" "$dest/$(basename "$src")"
}
libs=$( { ldd "$out/opt/java/bin/java"; find "$out/opt/java/lib" -name '*.so' -exec ldd {} \; ; } \
  2>/dev/null | grep -o '/[^ ]*' | grep -v "^$out/" | sort -u)
for lib in $libs; do copy_lib "$lib"; done
libdir=$(dirname "$(ldd "$out/opt/java/bin/java" | grep -o '/[^ ]*libc\.so\.6')")
# Netty's epoll and io_uring libraries, extracted at run time, link these too.
for extra in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2 libgcc_s.so.1 librt.so.1 libdl.so.2 libpthread.so.0; do
  [ -e "$libdir/$extra" ] && copy_lib "$libdir/$extra"
done

cat >"$out/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
fulcrum:x:65532:65532:fulcrum:/nonexistent:/sbin/nologin
EOF
cat >"$out/etc/group" <<'EOF'
root:x:0:
fulcrum:x:65532:
EOF
echo 'hosts: files dns' >"$out/etc/nsswitch.conf"
echo "rootfs.sh: $(du -sh "$out" | cut -f1) in $out (modules: $modules)"

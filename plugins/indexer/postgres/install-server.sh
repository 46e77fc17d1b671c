#!/usr/bin/env bash
# install-server.sh DEST: installs a PostgreSQL 15 server from Debian 12
# (bookworm, amd64) packages into DEST, without root, for the tests of the
# postgres indexer plugin (`make postgres`). Nothing is configured or
# started: the tests run initdb and postgres from DEST themselves.
#
# Every package is pinned by version and sha256. A file is fetched from the
# first of these that answers with the right bytes:
#   1. $DEBIAN_MIRROR (default http://deb.debian.org/debian), pool/...: fast,
#      but a stable point release drops superseded versions from the pool;
#   2. the security archive, pool/updates/...: where a security update lives
#      until the next point release;
#   3. snapshot.debian.org/file/<sha1>: every file Debian ever published,
#      forever, so the pins keep working after both of the above move on.
# apt-get download is not used: it fetches whatever version the local apt
# lists name (none on a fresh CI image), which no sha256 here can pin.
#
# Besides the server it installs the shared libraries its postgres and
# initdb need that a minimal Debian 12 (debian:bookworm-slim) lacks; the
# rest (libzstd, liblz4, libsystemd, libpam, libgnutls, ...) come with the
# base system. libllvm is left out: it serves only JIT, which the tests
# turn off (jit=off). After extracting, ldd must find every library of
# postgres, initdb and pg_ctl, or the install fails and says which.
#
# Idempotent: DEST/.installed records the pins it was built from; when they
# match and the server runs, nothing is done. To update a pin: take Filename
# and SHA256 from `apt-cache show --no-all-versions <pkg>` on bookworm, the
# sha1 from `sha1sum` of the downloaded .deb.
set -euo pipefail

dest=${1:?usage: install-server.sh DEST}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# pool path (under pool/ of the main archive), sha256, sha1
pins=(
	"main/p/postgresql-15/postgresql-15_15.18-0+deb12u1_amd64.deb 6974c43ddec4f383d099e7d642cd59d0af83c2c90c0fb153a4179aa1bb4d73c1 11e08c50e2d647de34c7005ece321bee95ee6c39"
	"main/p/postgresql-15/libpq5_15.18-0+deb12u1_amd64.deb baef57c288d7d8c09c84cd461da35d28f981aa71c60448c1d95b52110cc9faf9 6cdd7ccba681415d7d48fd14f3dbf739da0fb27a"
	"main/i/icu/libicu72_72.1-3+deb12u1_amd64.deb f7f6f99c6d7b025914df2447fc93e11d22c44c0c8bdd8b6f36691c9e7ddcef88 33fdfc4e0715648c57182b80bcaf0254a0372776"
	"main/libx/libxml2/libxml2_2.9.14+dfsg-1.3~deb12u5_amd64.deb 261ad120adf02d9bdef3f47c486e016bfd410cdb1ada9730a8f9a6add0857bd6 fb680060d032fbb0cbe5fd9fa8458a015b3704c3"
	"main/o/openssl/libssl3_3.0.20-1~deb12u1_amd64.deb 4fae7e5825e1bb9eaeb6c2679c3d4fce93431d1105426af6de7469f000d3b7f2 5ac892d66ebb8d2682a7a8f7c6ca9d1e0544270b"
	"main/k/krb5/libgssapi-krb5-2_1.20.1-2+deb12u4_amd64.deb ae20a9d90d0998ccb062a42739c8c5c725579e2d3f44fbd16b026e336b4543bb 1328899c0e5accdae2d2dcfbf6589ec66434159e"
	"main/k/krb5/libkrb5-3_1.20.1-2+deb12u4_amd64.deb af14ab652a7e8579c67c846dd95b987a4332c05165c8eec9790028f5aea6c2b0 ed7b29df58a35ec53cd4d1a45a12e8fc662f690e"
	"main/k/krb5/libk5crypto3_1.20.1-2+deb12u4_amd64.deb b921355ee030582117aadd95a9f08de341867921a277803ae7e520be2ac9786d 092cb2c6216b2205949f4dea4189155273532348"
	"main/k/krb5/libkrb5support0_1.20.1-2+deb12u4_amd64.deb 5e7fac690530a3e16c0a6707d8262d869c23248eac72daee3eb7c40982c3ddfe 61847110aa68b3b86456006981b73cfbd1549d1b"
	"main/k/keyutils/libkeyutils1_1.6.3-2_amd64.deb cfac89e6a7a54ff3c6a4f843310e25efeddaa771baeae470bd98bd588c373563 5d49f8def7847ffc2f78fa1430a385e1a40fd188"
	"main/e/e2fsprogs/libcom-err2_1.47.0-2+b2_amd64.deb a2bac7015e78fbc0c504df3e441f3a22292f1d2d77f9ccda760057f3690e22f2 75fc02543e18c7ab117b74d13bd379ab73c42c97"
	"main/o/openldap/libldap-2.5-0_2.5.13+dfsg-5_amd64.deb 4b6c30f6554149c594628d945edc6003f0eea8d0cc1341638c0e71375db147ed b7837c3a177a951bb43644b0e43db78565dcf500"
	"main/c/cyrus-sasl2/libsasl2-2_2.1.28+dfsg-10_amd64.deb 11ee190ad39f8d7af441d2c8347388b9449434c73acc67b4b372445ac4152efa ae9c477433c2dd95384b5712c01aed7a26b5e17c"
)

bindir=usr/lib/postgresql/15/bin
manifest=$(printf '%s\n' "${pins[@]}")

fail() {
	echo "make postgres: $*" >&2
	exit 1
}

# libpath DIR: the library directories of an install in DIR, for
# LD_LIBRARY_PATH (Debian 12 packages use both).
libpath() { echo "$1/usr/lib/x86_64-linux-gnu:$1/lib/x86_64-linux-gnu"; }

# works DIR: postgres, initdb and pg_ctl in DIR find every library and run.
works() {
	local b missing
	for b in postgres initdb pg_ctl; do
		[ -x "$1/$bindir/$b" ] || { echo "$1/$bindir/$b is missing"; return 1; }
		missing=$(LD_LIBRARY_PATH=$(libpath "$1") ldd "$1/$bindir/$b" | grep 'not found' || true)
		[ -z "$missing" ] || { echo "$b needs libraries this install lacks:"; echo "$missing"; return 1; }
		LD_LIBRARY_PATH=$(libpath "$1") "$1/$bindir/$b" --version >/dev/null || { echo "$b --version failed"; return 1; }
	done
}

if [ -f "$dest/.installed" ] && [ "$(cat "$dest/.installed")" = "$manifest" ] && works "$dest" >/dev/null 2>&1; then
	echo "PostgreSQL server already installed in $dest"
	exit 0
fi

case "$(uname -m)" in
x86_64) ;;
*) fail "the pinned packages are for amd64 (x86_64); this machine is $(uname -m)" ;;
esac
for tool in curl dpkg-deb sha256sum ldd; do
	command -v "$tool" >/dev/null || fail "$tool is needed (this script expects Debian 12)"
done

tmp="$dest.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/debs" "$tmp/root"
trap 'rm -rf "$tmp"' EXIT

for pin in "${pins[@]}"; do
	read -r path sha256 sha1 <<<"$pin"
	file="$tmp/debs/${path##*/}"
	urls=("$mirror/pool/$path" "$security/pool/updates/$path" "https://snapshot.debian.org/file/$sha1")
	ok=
	for url in "${urls[@]}"; do
		if curl -fsSL --retry 2 --connect-timeout 20 --max-time 600 -o "$file" "$url" 2>"$tmp/curl.err"; then
			if [ "$(sha256sum <"$file" | cut -c1-64)" = "$sha256" ]; then
				ok=1
				break
			fi
			echo "warning: $url: sha256 mismatch, trying the next source" >&2
		fi
	done
	if [ -z "$ok" ]; then
		echo "make postgres: could not download ${path##*/} with sha256 $sha256; tried:" >&2
		printf '  %s\n' "${urls[@]}" >&2
		echo "last error: $(cat "$tmp/curl.err")" >&2
		echo "check the network (or set DEBIAN_MIRROR to a reachable Debian mirror)" >&2
		exit 1
	fi
	dpkg-deb -x "$file" "$tmp/root"
done

# Keep only what the server needs: the documentation, man pages and
# locale catalogues are most of the rest.
rm -rf "$tmp/root/usr/share/doc" "$tmp/root/usr/share/man" "$tmp/root/usr/share/locale" "$tmp/root/usr/share/lintian"

problem=$(works "$tmp/root") || fail "the extracted server does not run: $problem"
printf '%s' "$manifest" >"$tmp/root/.installed"
rm -rf "$dest"
mv "$tmp/root" "$dest"
echo "installed PostgreSQL $(LD_LIBRARY_PATH=$(libpath "$dest") "$dest/$bindir/postgres" --version | awk '{print $3}') in $dest ($(du -sh "$dest" | cut -f1))"

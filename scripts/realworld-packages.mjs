// The real-world harness's packages: where each one's own C sources are (one
// directory level; bundled gnulib/zlib/popt and tests left out), and how it
// is built and tested (Debian bookworm sources, see
// ../shared/notes/realworld.md for what was checked on these machines).
// scripts/realworld.mjs (the static table) and scripts/realworld-run.mjs
// (build, test suites, workloads) both read it.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * @typedef {object} PackageSpec
 * @property {string[]} dirs directories of the package's own C sources
 * @property {string[] | null} configure ./configure arguments; null: not built by the harness
 * @property {Record<string, string>} [configureEnv] more environment for ./configure
 * @property {string[]} [check] make arguments of the test suite (default: check)
 * @property {string} [program] the built program, relative to the tree (workloads)
 * @property {string[]} [prepare] a command run in the tree before ./configure
 * @property {string[]} [apt] Debian packages the build needs (installed when missing)
 */

/** @type {Record<string, PackageSpec>} */
export const packages = {
  lighttpd: {
    dirs: ["src"],
    configure: ["--with-pcre2", "--without-bzip2"],
    program: "src/lighttpd",
    apt: ["libpcre2-dev", "zlib1g-dev", "apache2-utils", "curl", "strace"],
  },
  tar: {
    dirs: ["src", "lib"],
    configure: ["-C"],
    // tar refuses to configure as root otherwise
    configureEnv: { FORCE_UNSAFE_CONFIGURE: "1" },
    check: ["check", "TESTSUITEFLAGS=-j2"],
    program: "src/tar",
    // the suite's testsuite is remade with autom4te (Debian's patches touch it)
    apt: ["libacl1-dev", "strace", "autoconf"],
  },
  rsync: {
    dirs: ["."],
    configure: [
      "-C",
      "--disable-xxhash",
      "--disable-zstd",
      "--disable-lz4",
      "--disable-openssl",
      "--disable-md2man",
    ],
    program: "rsync",
    // make remakes configure.sh when configure.ac looks newer than it
    apt: ["libacl1-dev", "libattr1-dev", "strace", "autoconf"],
  },
  cpio: {
    dirs: ["src"],
    configure: ["-C"],
    configureEnv: { FORCE_UNSAFE_CONFIGURE: "1" },
    program: "src/cpio",
    apt: ["strace", "autoconf", "automake"],
  },
  // Debian's patches touch doc/gzip.texi (make runs makeinfo) and the
  // automake inputs (make runs aclocal-1.16)
  gzip: { dirs: ["."], configure: [], program: "gzip", apt: ["texinfo", "automake"] },
  // ... and tests/Makefile.am, made with automake 1.15 (bookworm has 1.16)
  patch: {
    dirs: ["src"],
    configure: [],
    program: "src/patch",
    prepare: ["autoreconf", "-fi"],
    apt: ["autoconf", "automake", "autopoint"],
  },
};

/** The package's unpacked source directory under @srcRoot (`tar-1.34+dfsg`). */
export function sourceDirName(srcRoot, pkg) {
  const dir = readdirSync(srcRoot).find(
    (n) => n.startsWith(`${pkg}-`) && statSync(join(srcRoot, n)).isDirectory(),
  );
  if (!dir) throw new Error(`${pkg}: not fetched under ${srcRoot}`);
  return dir;
}

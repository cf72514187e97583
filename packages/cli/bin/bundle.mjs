// Compiles the CLI's TypeScript (and the workspace packages it imports) into
// plain JavaScript under packages/cli/dist, so no TypeScript compiler runs
// per call. launch.mjs calls this when the bundle is missing or any of its
// inputs changed; scripts/deps.sh calls it at install time
// (`node packages/cli/bin/bundle.mjs`).
//
// dist/manifest.json names the current build directory and every input file
// with its mtime and size. A rebuild writes a new directory and then replaces
// the manifest by rename, so a concurrent reader sees either build whole.
import { createRequire } from "node:module";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(cliDir, "dist");
export const manifestPath = join(distDir, "manifest.json");
const repoRoot = resolve(cliDir, "..", "..");

/** The programs the bins and the transform pool load. */
const entryPoints = {
  dbatch: join(cliDir, "src", "dbatch-main.ts"),
  "dbatch-transform": join(cliDir, "src", "transform-main.ts"),
  // pool.ts starts workers from `./worker-entry.mjs` next to itself: in the
  // bundle that is this entry, beside the chunk that holds pool.ts.
  "worker-entry": join(cliDir, "src", "transform", "worker.ts"),
};

/** The one file whose import.meta.url must stay the bundle's own (see above). */
const keepsBundleUrl = join(cliDir, "src", "transform", "pool.ts");

/**
 * Workspace sources find their data (the preload's build, the kernel module,
 * the catalogue, the VM rig's guest files) relative to their own file. In the
 * bundle, import.meta.url is the chunk's: each source's own URL is put back,
 * written relative to the build directory so the checkout can move.
 */
function sourceUrlPlugin(buildDir) {
  return {
    name: "dbatch-source-url",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const { readFile } = await import("node:fs/promises");
        let contents = await readFile(args.path, "utf8");
        if (args.path !== keepsBundleUrl && contents.includes("import.meta.url")) {
          const rel = relative(buildDir, args.path).split(sep).join("/");
          contents = contents.replaceAll(
            "import.meta.url",
            `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
          );
        }
        return { contents, loader: "ts" };
      });
    },
  };
}

/**
 * npm packages stay outside the bundle (tree-sitter is native), resolved
 * from the package that imports them, as Node would from the source.
 */
function externalPackagesPlugin(buildDir) {
  return {
    name: "dbatch-external-packages",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("@dbatch/") || args.path.startsWith("node:")) return undefined;
        const require = createRequire(args.importer);
        let target;
        try {
          target = require.resolve(args.path);
        } catch {
          return undefined;
        }
        if (!target.startsWith(sep)) return { path: args.path, external: true };
        const rel = relative(buildDir, target).split(sep).join("/");
        return { path: rel.startsWith(".") ? rel : `./${rel}`, external: true };
      });
    },
  };
}

/** Builds a new bundle and makes it current; returns its directory. */
export async function bundle() {
  const { build, version } = await import("esbuild");
  mkdirSync(distDir, { recursive: true });
  const name = `build-${Date.now().toString(36)}-${process.pid}`;
  const buildDir = join(distDir, name);
  const result = await build({
    entryPoints,
    absWorkingDir: repoRoot,
    outdir: buildDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    entryNames: "[name]",
    chunkNames: "[name]-[hash]",
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "silent",
    plugins: [sourceUrlPlugin(buildDir), externalPackagesPlugin(buildDir)],
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(repoRoot, input);
    const s = statSync(path);
    inputs[relative(cliDir, path)] = [s.mtimeMs, s.size];
  }
  const manifest = { esbuild: version, node: process.versions.node, dir: name, inputs };
  const tmp = `${manifestPath}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(manifest)}\n`);
  renameSync(tmp, manifestPath);
  removeOldBuilds(name);
  return buildDir;
}

/** Earlier builds: kept for an hour, as a running command may still load chunks from one. */
function removeOldBuilds(current) {
  const hourAgo = Date.now() - 3600_000;
  for (const entry of readdirSync(distDir)) {
    if (!entry.startsWith("build-") || entry === current) continue;
    const path = join(distDir, entry);
    if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await bundle();
  process.stderr.write(`dbatch: compiled the CLI into ${relative(process.cwd(), dir) || "."}\n`);
}

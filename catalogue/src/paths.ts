// Where the catalogue lives and where its generated files go.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** catalogue/ */
export const catalogueDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = join(catalogueDir, "..");

export const syscallsSpecPath = join(catalogueDir, "syscalls.json");
export const libcSpecPath = join(catalogueDir, "libc.json");

/** The generated files, by the package that compiles them. */
export const generatedPaths = {
  transformCatalogue: join(repoDir, "packages", "transform", "src", "catalogue.generated.ts"),
  transformKnownFunctions: join(
    repoDir,
    "packages",
    "transform",
    "src",
    "known-functions.generated.ts",
  ),
  preloadInterposeIo: join(repoDir, "packages", "preload", "src", "interpose_io.c"),
  preloadInterposeFlush: join(repoDir, "packages", "preload", "src", "interpose_flush.c"),
  uapiHeader: join(repoDir, "packages", "kmod", "include", "uapi", "linux", "dbatch_catalogue.h"),
} as const;

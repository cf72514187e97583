// @dbatch/catalogue: the spine every package reads. The syscall spec and the
// libc names that end a run live in syscalls.json and libc.json; this
// package checks them and generates each package's copy (see README.md).
export { renderCatalogueFiles, type GeneratedFile } from "./generate.ts";
export { catalogueDir, generatedPaths, libcSpecPath, syscallsSpecPath } from "./paths.ts";
export { CatalogueError, readLibcFunctions, readSyscalls } from "./read.ts";
export { parameterNames } from "./render-preload.ts";
export type * from "./types.ts";

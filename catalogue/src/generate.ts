// Every generated file with the text it should have now.
import { generatedPaths } from "./paths.ts";
import { checkDisjoint, readLibcFunctions, readSyscalls } from "./read.ts";
import { renderInterposeFlush, renderInterposeIo } from "./render-preload.ts";
import { renderTransformCatalogue, renderTransformKnownFunctions } from "./render-ts.ts";
import { renderUapiHeader } from "./render-uapi.ts";

export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

export function renderCatalogueFiles(): GeneratedFile[] {
  const syscalls = readSyscalls();
  const libc = readLibcFunctions();
  checkDisjoint(syscalls, libc);
  return [
    { path: generatedPaths.transformCatalogue, text: renderTransformCatalogue(syscalls) },
    { path: generatedPaths.transformKnownFunctions, text: renderTransformKnownFunctions(libc) },
    { path: generatedPaths.preloadInterposeIo, text: renderInterposeIo(syscalls) },
    { path: generatedPaths.preloadInterposeFlush, text: renderInterposeFlush(libc) },
    { path: generatedPaths.uapiHeader, text: renderUapiHeader(syscalls) },
  ];
}

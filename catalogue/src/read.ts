// Reads and checks the two spec files. A mistake in them is reported with
// the entry's name, before anything is generated from it.
import { readFileSync } from "node:fs";
import { libcSpecPath, syscallsSpecPath } from "./paths.ts";
import type {
  ArgumentKind,
  DeferredReturn,
  LibcFunction,
  LibcRole,
  ResultKind,
  SyscallEntry,
} from "./types.ts";

export const argumentKinds: readonly ArgumentKind[] = [
  "fd",
  "inbuf",
  "outbuf",
  "iov",
  "iovcnt",
  "len",
  "path",
  "flags",
  "mode",
  "offset",
  "whence",
  "int",
  "sockaddr",
  "socklen",
  "timespecs",
];
export const resultKinds: readonly ResultKind[] = ["count", "fd", "status", "offset"];
export const deferredReturns: readonly DeferredReturn[] = [
  "length",
  "iov-length",
  "zero",
  "placeholder-fd",
  "offset",
];
const libcRoles: readonly LibcRole[] = ["stdio", "process-control", "setjmp-longjmp", "other"];

export class CatalogueError extends Error {
  override name = "CatalogueError";
}

export function readSyscalls(path = syscallsSpecPath): SyscallEntry[] {
  const raw = JSON.parse(readFileSync(path, "utf8")) as { syscalls: SyscallEntry[] };
  const fail = (name: string, what: string): never => {
    throw new CatalogueError(`${path}: ${name}: ${what}`);
  };
  const seen = new Set<string>();
  for (const s of raw.syscalls) {
    if (s.args.length > 6) fail(s.name, "more than 6 arguments");
    for (const a of s.args) {
      if (!argumentKinds.includes(a.kind)) fail(s.name, `unknown kind ${a.kind}`);
    }
    if (!resultKinds.includes(s.result)) fail(s.name, `unknown result ${s.result}`);
    if (!deferredReturns.includes(s.deferredReturn)) {
      fail(s.name, `unknown deferredReturn ${s.deferredReturn}`);
    }
    const ip = s.interpose;
    if (!ip || !ip.ret || !ip.params || !ip.record)
      fail(s.name, "interpose needs ret, params, record");
    if (ip.record.split(",").length > 6) fail(s.name, "interpose.record has more than 6 words");
    if (ip.modeFromVarargs && !ip.params.endsWith("...")) {
      fail(s.name, "modeFromVarargs needs params ending in ...");
    }
    const variantNames = (ip.variants ?? []).flatMap((v) => v.names);
    for (const n of [...variantNames, ...(ip.undeclared ?? [])]) {
      if (!s.libc.includes(n)) fail(s.name, `interpose names ${n}, which is not in libc`);
    }
    for (const n of s.libc) {
      if (seen.has(n)) fail(s.name, `libc name ${n} listed twice`);
      seen.add(n);
    }
  }
  return raw.syscalls;
}

export function readLibcFunctions(path = libcSpecPath): LibcFunction[] {
  const raw = JSON.parse(readFileSync(path, "utf8")) as { functions: LibcFunction[] };
  const seen = new Set<string>();
  for (const f of raw.functions) {
    const fail = (what: string): never => {
      throw new CatalogueError(`${path}: ${f.name}: ${what}`);
    };
    if (seen.has(f.name)) fail("listed twice");
    seen.add(f.name);
    if (!libcRoles.includes(f.role)) fail(`unknown role ${f.role}`);
    const generated = f.ret !== undefined && f.params !== undefined;
    const ways = [generated, f.custom !== undefined, f.notInterposed !== undefined];
    if (ways.filter(Boolean).length !== 1) {
      fail("needs exactly one of ret+params, custom, notInterposed");
    }
    if ((f.via || f.vararg) && !f.params?.endsWith("..."))
      fail("via/vararg need params ending in ...");
    if (f.params?.endsWith("...") && !f.via && !f.vararg) fail("variadic: say via or vararg");
    const change = f.changesFds;
    if (change !== undefined && typeof change !== "boolean") {
      const keys = Object.keys(change).filter((k) => !["before", "returns", "fills"].includes(k));
      if (keys.length) fail(`changesFds: unknown ${keys.join(", ")}`);
      if (change.returns && !["fd", "file", "dir"].includes(change.returns))
        fail(`changesFds.returns: unknown ${change.returns}`);
      if ((change.returns || change.fills) && (!generated || f.via || f.vararg))
        fail("changesFds.returns/fills need a plain generated wrapper (ret+params)");
    }
  }
  return raw.functions;
}

/** A libc name that is both a catalogue call and in libc.json is a mistake. */
export function checkDisjoint(syscalls: readonly SyscallEntry[], libc: readonly LibcFunction[]) {
  const catalogueNames = new Set(syscalls.flatMap((s) => s.libc));
  for (const f of libc) {
    if (catalogueNames.has(f.name)) {
      throw new CatalogueError(`${f.name} is in both syscalls.json and libc.json`);
    }
  }
}

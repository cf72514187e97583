import { readFileSync, readdirSync, existsSync, writeFileSync, mkdirSync } from "node:fs";
import { transformSource } from "./src/index.ts";
const dir = "../../fixtures/programs";
mkdirSync("/tmp/tx/progs", { recursive: true });
for (const name of readdirSync(dir)) {
  const f = `${dir}/${name}/main.c`;
  if (!existsSync(f)) continue;
  const r = transformSource(readFileSync(f, "utf8"), { fileName: f });
  writeFileSync(`/tmp/tx/progs/${name}.c`, r.output);
  const b = r.sites.filter((s) => s.batched).length;
  const reasons = [...new Set(r.sites.filter((s) => !s.batched).map((s) => s.reason))].join(",");
  console.log(
    name.padEnd(20),
    "runs",
    r.runs.length,
    "batched",
    b,
    "/",
    r.sites.length,
    reasons,
    r.diagnostics.map((d) => d.rule + "@" + d.line).join(" "),
  );
}

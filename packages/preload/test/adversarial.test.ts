// The adversarial suite: every program in fixtures/adversarial/ (one hazard
// each, named in its first comment) run as written and as `dbatch run`
// builds it, under each host backend (the kmod backend: packages/kmod's
// suite). stdout, stderr, exit status or signal and every file left in the
// working directory must be identical; a program's own output says what
// it observed (fd numbers, errno, flags). A run that recorded nothing tests
// nothing: the transform must batch something and the library must record
// it (a program killed by a signal writes no stats line; its output still
// shows the calls ran).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { adversarialPrograms, differences, prepareAdversarial, runBatched } from "./adversarial.ts";
import { hostBackends } from "./helpers.ts";

test("at least 60 adversarial programs", () => {
  assert.ok(adversarialPrograms.length >= 60, `only ${adversarialPrograms.length}`);
});

// Each host backend, and uring with every batch in the ring (DBATCH_URING_ALWAYS:
// by default a batch with no writes to merge runs as syscalls).
const variants = [
  ...hostBackends.map((backend) => ({ label: backend, backend, env: {} })),
  { label: "uring-always", backend: "uring", env: { DBATCH_URING_ALWAYS: "1" } },
];

for (const name of adversarialPrograms) {
  for (const { label, backend, env } of variants) {
    test(`${name} [${label}] behaves as the original`, () => {
      const p = prepareAdversarial(name);
      const what = `${name} [${label}]`;
      if (p.untouched) assert.is(p.inserted, 0, `${what}: the transform must leave it alone`);
      else assert.ok(p.inserted > 0, `${what}: the transform batched nothing`);
      const r = runBatched(p, backend, env);
      const diff = differences(p.original, r);
      const limit = p.knownLimits[label];
      if (limit) {
        assert.ok(
          diff.length > 0,
          `${what}: listed as a known limit (${limit}) but now matches: take it off`,
        );
        return;
      }
      assert.equal(diff, [], what);
      if (backend !== "off" && !p.untouched && p.original.signal === null) {
        assert.ok(r.stats.recorded > 0, `${what}: nothing recorded (${r.stats.lines.join(" / ")})`);
      }
    });
  }
}

test.run();

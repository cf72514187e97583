// Minimal writer for the cpio "newc" format the kernel unpacks as initramfs.
// Writing it here (instead of running `cpio`) lets the rig set owners, modes
// and device nodes (/dev/console) without being root.

export type CpioEntry =
  | { kind: "dir"; path: string; mode: number; uid?: number; gid?: number }
  | { kind: "file"; path: string; mode: number; data: Buffer; uid?: number; gid?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "chardev"; path: string; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function header(
  ino: number,
  mode: number,
  uid: number,
  gid: number,
  nlink: number,
  size: number,
  rdevMajor: number,
  rdevMinor: number,
  name: string,
): Buffer {
  const nameBuf = Buffer.from(name + "\0", "utf8");
  const fields = [
    ino,
    mode,
    uid,
    gid,
    nlink,
    0,
    size,
    0,
    0,
    rdevMajor,
    rdevMinor,
    nameBuf.length,
    0,
  ];
  const head = Buffer.from("070701" + fields.map(hex8).join(""), "ascii");
  return Buffer.concat([head, nameBuf, Buffer.alloc(pad4(head.length + nameBuf.length))]);
}

/** Packs entries (paths relative to /, no leading slash) into one newc archive. */
export function packCpio(entries: readonly CpioEntry[], firstIno = 1): Buffer {
  const parts: Buffer[] = [];
  let ino = firstIno;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, "");
    switch (e.kind) {
      case "dir":
        parts.push(
          header(ino++, S_IFDIR | (e.mode & 0o7777), e.uid ?? 0, e.gid ?? 0, 2, 0, 0, 0, name),
        );
        break;
      case "file":
        parts.push(
          header(
            ino++,
            S_IFREG | (e.mode & 0o7777),
            e.uid ?? 0,
            e.gid ?? 0,
            1,
            e.data.length,
            0,
            0,
            name,
          ),
          e.data,
          Buffer.alloc(pad4(e.data.length)),
        );
        break;
      case "symlink": {
        const data = Buffer.from(e.target, "utf8");
        parts.push(
          header(ino++, S_IFLNK | 0o777, 0, 0, 1, data.length, 0, 0, name),
          data,
          Buffer.alloc(pad4(data.length)),
        );
        break;
      }
      case "chardev":
        parts.push(header(ino++, S_IFCHR | (e.mode & 0o7777), 0, 0, 1, 0, e.major, e.minor, name));
        break;
    }
  }
  parts.push(header(0, 0, 0, 0, 1, 0, 0, 0, "TRAILER!!!"));
  const out = Buffer.concat(parts);
  // Archives are concatenated: keep each one a multiple of 512 bytes.
  return Buffer.concat([out, Buffer.alloc((512 - (out.length % 512)) % 512)]);
}

import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/**
 * Replace `path` with `text` atomically: write a temporary file in the same
 * directory, give it the original's mode (and owner, where allowed), fsync,
 * then rename it over the original. A symlink is followed, so the link stays
 * a link. On any failure the temporary file is removed and the original is
 * untouched.
 */
export function writeFileAtomic(path: string, text: string): void {
  const target = realpathSync(path);
  const stats = statSync(target);
  const tmp = join(
    dirname(target),
    `.${basename(target)}.dbatch-${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
  );
  const fd = openSync(tmp, "wx", 0o600);
  let renamed = false;
  try {
    try {
      const data = Buffer.from(text, "utf8");
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      fchmodSync(fd, stats.mode & 0o7777);
      if (process.getuid && process.getuid() === 0) {
        try {
          fchownSync(fd, stats.uid, stats.gid);
        } catch {
          // keeping the owner is best effort
        }
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
    renamed = true;
  } finally {
    if (!renamed) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
    }
  }
}

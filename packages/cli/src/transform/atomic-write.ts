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
 * Replace `path` with `text` (a string, or the pieces of one in order)
 * atomically: write a temporary file in the same
 * directory, give it the original's mode (and owner, where allowed), fsync,
 * then rename it over the original. A symlink is followed, so the link stays
 * a link. On any failure the temporary file is removed and the original is
 * untouched.
 */
export function writeFileAtomic(path: string, text: string | Iterable<string>): void {
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
      // One buffer, grown to the largest piece, encodes every piece: pieces
      // of a large file written one by one hold one piece's bytes, not all.
      let buffer = Buffer.alloc(0);
      for (const piece of typeof text === "string" ? [text] : text) {
        const bytes = Buffer.byteLength(piece, "utf8");
        if (bytes > buffer.length) buffer = Buffer.allocUnsafe(bytes);
        buffer.write(piece, 0, "utf8");
        let offset = 0;
        while (offset < bytes) offset += writeSync(fd, buffer, offset, bytes - offset);
      }
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

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { transformFile, untransformed, type FileResult, type JobInput } from "./job.ts";
import type { WorkerRequest } from "./worker.ts";

/**
 * Starting a worker (tree-sitter, compiled code) costs about 0.1 s, parsing
 * runs at a few MB/s plus a few ms per file: below this estimated
 * single-thread time, one thread is faster.
 */
const WORKER_WORTHWHILE_SECONDS = 1.5;

export function workersWorthwhile(files: number, totalBytes: number): boolean {
  return files * 0.003 + totalBytes / 3_500_000 > WORKER_WORTHWHILE_SECONDS;
}

interface WorkerReply {
  index?: number;
  result?: FileResult;
  ready?: boolean;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Transform every input and return the results in input order. With
 * `useWorkers` the files are spread over `jobs` worker threads, each taking
 * the next file when it is done; `onDone` is called after each file, for the
 * progress bar.
 */
export async function transformAll(
  inputs: JobInput[],
  jobs: number,
  useWorkers: boolean,
  onDone: (done: number, total: number) => void,
): Promise<FileResult[]> {
  const total = inputs.length;
  const workers = Math.min(jobs, total);
  if (workers <= 1 || !useWorkers) return inProcess(inputs, onDone);
  try {
    return await inWorkers(inputs, workers, onDone);
  } catch {
    // A worker could not start or died: do the work here instead.
    return inProcess(inputs, onDone);
  }
}

async function inProcess(
  inputs: JobInput[],
  onDone: (done: number, total: number) => void,
): Promise<FileResult[]> {
  const results: FileResult[] = [];
  for (const input of inputs) {
    results.push(await transformFile(input));
    onDone(results.length, inputs.length);
  }
  return results;
}

async function inWorkers(
  inputs: JobInput[],
  workers: number,
  onDone: (done: number, total: number) => void,
): Promise<FileResult[]> {
  const total = inputs.length;
  const results: (FileResult | undefined)[] = new Array<FileResult | undefined>(total);
  let next = 0;
  let done = 0;
  const entry = new URL("./worker-entry.mjs", import.meta.url);
  await new Promise<void>((resolvePromise, reject) => {
    const pool: Worker[] = [];
    let settled = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (err) reject(err);
      else resolvePromise();
    };
    const feed = (worker: Worker): void => {
      if (next >= total) return;
      const index = next++;
      const input = inputs[index];
      if (input === undefined) return;
      const request: WorkerRequest = { index, input };
      worker.postMessage(request);
    };
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(entry);
      pool.push(worker);
      worker.on("message", (reply: WorkerReply) => {
        if (reply.ready) {
          feed(worker);
          return;
        }
        if (reply.index !== undefined && reply.result !== undefined) {
          results[reply.index] = reply.result;
          done++;
          onDone(done, total);
          if (done === total) finish(null);
          else feed(worker);
        }
      });
      worker.on("error", (err) => finish(err));
      worker.on("exit", (code) => {
        if (!settled && code !== 0)
          finish(new Error(`a transform worker exited with code ${code}`));
      });
    }
  });
  return results.map((r, i) => r ?? failedMissing(inputs[i]?.file ?? "?"));
}

function failedMissing(file: string): FileResult {
  return untransformed(file, { error: `${file}: error: not processed`, skipped: null });
}

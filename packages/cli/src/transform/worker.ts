import { parentPort } from "node:worker_threads";
import { transformFile } from "./job.ts";
import type { JobInput } from "./job.ts";

export interface WorkerRequest {
  index: number;
  input: JobInput;
}

if (parentPort) {
  const port = parentPort;
  port.on("message", (request: WorkerRequest) => {
    void transformFile(request.input).then((result) =>
      port.postMessage({ index: request.index, result }),
    );
  });
  port.postMessage({ ready: true });
}

// Progress lines on stderr, so that stdout stays the table or the JSON.

export type Progress = (message: string) => void;

export function stderrProgress(enabled: boolean): Progress {
  if (!enabled) return () => {};
  return (message) => {
    process.stderr.write(`dbatch bench: ${message}\n`);
  };
}

/** `dbatch bench ...`: the benchmark lives in src/bench/, loaded only when asked for. */
export async function benchCommand(argv: string[]): Promise<number> {
  const { runBenchCommand } = await import("../bench/index.ts");
  return runBenchCommand(argv);
}

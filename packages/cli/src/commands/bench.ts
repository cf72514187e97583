// `dbatch bench ...`: a thin command over @dbatch/bench, loaded only when asked for.
export async function benchCommand(argv: string[]): Promise<number> {
  const { runBenchCommand } = await import("@dbatch/bench");
  return runBenchCommand(argv);
}

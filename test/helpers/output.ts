/** Everything written to stdout and stderr while the current test file runs. */
export const capturedOutput: string[] = [];

/** The captured JSON log and metric lines, parsed. */
export function capturedJson(): Record<string, unknown>[] {
  return capturedOutput
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The captured structured log lines (not metrics), parsed. */
export const capturedLogs = (): Record<string, unknown>[] =>
  capturedJson().filter((line) => typeof line.message === 'string');

/** Forgets what was captured so far (the leak check still sees it: it runs on every write). */
export function clearCapturedOutput(): void {
  capturedOutput.length = 0;
}

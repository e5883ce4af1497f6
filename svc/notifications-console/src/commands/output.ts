/** Where a command's results go: JSON lines for scripts (`--json`), text for people. Diagnostics go to stderr. */
export interface Output {
  json: boolean;
  /** One result: the value as a JSON line, or the text. */
  result(value: unknown, text: string): void;
  /** Progress and hints (stderr, so stdout stays parseable). */
  note(text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, text) {
      process.stdout.write(`${json ? JSON.stringify(value) : text}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

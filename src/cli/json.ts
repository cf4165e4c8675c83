import { UsageError } from './errors.ts';

/**
 * JSON.parse for a file the user gave: a syntax error names the file, line and column (V8 only
 * says "at position N"), so the user can go straight to the mistake.
 */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    if (!at) throw new UsageError(`${file}: invalid JSON (${message})`);
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    const why = message.replace(/ in JSON at position \d+.*$/s, '').replace(/ at position \d+.*$/s, '');
    throw new UsageError(`${file}:${line}:${column}: invalid JSON (${why})`);
  }
}

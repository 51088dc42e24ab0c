export { forEachLine } from '../support/for-each-line';

/** Keeps the last `maxLines` lines, so an error can show what a dying process said last. */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = 40) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  text(): string {
    return this.lines.join('\n');
  }
}

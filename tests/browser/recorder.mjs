// x-input-recorder run by a browser test: what input reached an X client on the server's display.

import {spawn} from 'node:child_process';
import {createInterface} from 'node:readline';

const POLL_MS = 50;

// The recorder's window covers the whole display; every event it gets is a
// JSON line (see tests/support/XInputRecorder.cpp).
export class XRecorder {
  static async start(binary, display, timeoutMs = 10000) {
    const recorder = new XRecorder(binary, display);
    await recorder.waitFor((events) => events.some((e) => e.event === 'ready'),
      'the recorder to start', timeoutMs);
    return recorder;
  }

  constructor(binary, display) {
    this.lines = [];
    this.child = spawn(binary, ['--display', display], {stdio: ['pipe', 'pipe', 'inherit']});
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    createInterface({input: this.child.stdout}).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line));
      } catch {
        // not a record
      }
    });
  }

  events(kind) {
    return kind ? this.lines.filter((e) => e.event === kind) : [...this.lines];
  }

  // The text of every key press so far, joined.
  typedText() {
    return this.events('key-press').map((e) => e.text).join('');
  }

  async waitFor(predicate, what, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const result = predicate(this.events());
      if (result) {
        return result;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const tail = this.lines.slice(-10).map((e) => JSON.stringify(e)).join('\n  ');
    throw new Error(`the X client never saw ${what} in ${timeoutMs} ms; it last saw:\n  ${tail}`);
  }

  // Sends a command ("pointer", "keys", "selection CLIPBOARD UTF8_STRING")
  // and resolves with its answer, the next new line of `kind`.
  async ask(command, kind, timeoutMs = 3000) {
    const before = this.events(kind).length;
    this.child.stdin.write(`${command}\n`);
    return this.waitFor((events) => {
      const answers = events.filter((e) => e.event === kind);
      return answers.length > before && answers.at(-1);
    }, `an answer to "${command}"`, timeoutMs);
  }

  async close() {
    this.child.stdin.end();
    await this.exited;
  }
}

// The server side of the browser tests: its settings, its JSON log, its X display.

import {execFile, spawn} from 'node:child_process';
import {mkdtemp, open, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';

const POLL_MS = 100;

// What run-with-server tells the tests (see that script):
//   VMRTC_VIEWER_URL     the viewer page, e.g. http://10.213.0.1:41234/
//   VMRTC_EXPECT_RGB     the colour the display is painted at the start, e.g. 255,0,0
//   VMRTC_SESSION        the server's SESSION_ID, the producer's meta.session
//   VMRTC_SERVER_LOG     the server's JSON log (debug level)
//   VMRTC_SERVER_BINARY  the server program, for tests that run one of their own
//   DISPLAY              the Xvfb the server captures
//   VMRTC_INPUT_RECORDER x-input-recorder, for the remote control tests
export function readEnvironment() {
  const names = ['VMRTC_VIEWER_URL', 'VMRTC_EXPECT_RGB', 'VMRTC_SESSION',
    'VMRTC_SERVER_LOG', 'VMRTC_SERVER_BINARY', 'DISPLAY'];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set: these tests need the server that ` +
      'tests/browser/run-with-server starts; run them with meson test --suite browser');
  }

  const viewerUrl = new URL(process.env.VMRTC_VIEWER_URL);
  const scheme = viewerUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    viewerUrl,
    signallingUrl: `${scheme}//${viewerUrl.host}/signalling`,
    colour: parseRgb(process.env.VMRTC_EXPECT_RGB),
    session: process.env.VMRTC_SESSION,
    serverLog: new ServerLog(process.env.VMRTC_SERVER_LOG),
    serverBinary: process.env.VMRTC_SERVER_BINARY,
    display: process.env.DISPLAY,
    recorderBinary: process.env.VMRTC_INPUT_RECORDER,
  };
}

function parseRgb(text) {
  const colour = text.split(',').map((part) => Number(part.trim()));
  const valid = (c) => Number.isInteger(c) && c >= 0 && c <= 255;
  if (colour.length !== 3 || !colour.every(valid)) {
    throw new Error(`"${text}" is not a colour as three integers 0-255 like 255,0,0`);
  }
  return colour;
}

function hexColour(rgb) {
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

// Paints the whole X display (DISPLAY) one colour, [r, g, b].
export async function paintDisplay(rgb) {
  await promisify(execFile)('xsetroot', ['-solid', hexColour(rgb)]);
}

// The server's log, one JSON object a line. A test takes a mark() first and
// then looks only at what was logged after it.
export class ServerLog {
  constructor(path) {
    this.path = path;
  }

  // The current end of the log.
  async mark() {
    return (await readFile(this.path)).length;
  }

  // The records logged since `mark`; lines that are not JSON are skipped.
  async records(mark = 0) {
    const text = (await readFile(this.path)).subarray(mark).toString('utf8');
    const records = [];
    for (const line of text.split('\n')) {
      try {
        records.push(JSON.parse(line));
      } catch {
        // a partly written last line, or not a record
      }
    }
    return records;
  }

  // Waits until `predicate` holds for the records since `mark` (an array);
  // returns what it returned. `what` names the wait in the error.
  async waitFor(mark, predicate, what, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let records = [];
    while (Date.now() < deadline) {
      records = await this.records(mark);
      const result = predicate(records);
      if (result) {
        return result;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const tail = records.slice(-15).map((r) => JSON.stringify(r)).join('\n  ');
    throw new Error(`the server log never showed ${what} in ${timeoutMs} ms; ` +
      `its last lines:\n  ${tail}`);
  }
}

// Picks records with this component and message.
export function logged(records, component, message) {
  return records.filter((r) => r.component === component && r.message === message);
}

// A vm-webrtc-server of a test's own, in loopback mode on the same address as
// the shared one, capturing the same display; for tests that stop the server
// or need other settings. Stop it with stop(); start() again uses the same port.
export class OwnServer {
  constructor(binary, host, extraArgs = []) {
    this.binary = binary;
    this.host = host;
    this.extraArgs = extraArgs;
    this.port = 0;
    this.child = null;
  }

  async start() {
    this.dir ??= await mkdtemp(join(tmpdir(), 'vmrtc-own-server-'));
    this.log = new ServerLog(join(this.dir, 'server.log'));
    const logFile = await open(this.log.path, 'a');
    const mark = (await logFile.stat()).size;

    const args = ['--loopback', '--bind', this.host, '--port', String(this.port),
      '--log-format', 'json', '--log-level', 'debug', ...this.extraArgs];
    const env = {...process.env, SESSION_ID: 'own-server',
      MASTER_CONTROLLER_URL: 'http://127.0.0.1:9', HEALTH_PORT: '0'};
    this.child = spawn(this.binary, args, {env, stdio: ['ignore', 'ignore', logFile.fd]});
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    await logFile.close();

    const url = await Promise.race([
      this.log.waitFor(mark, (records) => records.find((r) => r.url?.startsWith('http'))?.url,
        'the viewer page URL', 10000),
      this.exited.then((code) => {
        throw new Error(`the server exited with ${code} at startup; log: ${this.log.path}`);
      }),
    ]);
    this.url = url;
    this.port = Number(new URL(url).port);
    return mark;
  }

  // Stops the server with SIGTERM, as a supervisor would; resolves with its exit code.
  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
    }
    const code = await this.exited;
    this.child = null;
    return code;
  }

  async dispose() {
    if (this.child) {
      await this.stop();
    }
    if (this.dir) {
      await rm(this.dir, {recursive: true, force: true});
    }
  }
}

// Runs body(server) with an OwnServer of `extraArgs`, started beside the
// shared one (`env` from readEnvironment()), and disposes of it after.
export async function withOwnServer(env, extraArgs, body) {
  const server = new OwnServer(env.serverBinary, env.viewerUrl.hostname, extraArgs);
  try {
    await server.start();
    await body(server);
  } finally {
    await server.dispose();
  }
}

// Checks the browser test files share: clean decoding, repaints followed, a server left idle.

import assert from 'node:assert/strict';

import {viewerStats, waitForColour, waitForMoreFrames} from './browser.mjs';
import {logged, paintDisplay} from './server.mjs';

// VP8 is lossy and the frame goes through YUV 4:2:0 and back.
export const COLOUR_TOLERANCE = 40;

export const GREEN = [0, 255, 0];
export const BLUE = [0, 0, 255];

// The size of run-with-server's display, so of the stream.
export const VIDEO_SIZE = {width: 1280, height: 720};

// A repaint of the display shows in the page within this time.
export const REPAINT_LIMIT_MS = 1000;

// Frames a snapshot of getStats() may catch between arriving and being decoded.
const IN_FLIGHT_FRAMES = 3;

// About a second of video at 30 fps.
const MORE_FRAMES = 30;
const MORE_FRAMES_TIMEOUT_MS = 5000;
const REPAINT_GAP_MS = 20;

// Opens a page with `opening` (a promise of one), runs `body` with it, then
// closes it unless `body` did.
export async function withPage(opening, body) {
  const page = await opening;
  try {
    await body(page);
  } finally {
    if (!page.isClosed()) {
      await page.close();
    }
  }
}

// Repaints the display `colour` (what it shows already) until `until`
// settles: the capture sends a frame only when the screen changed, and a
// repaint is a change even when the picture stays the same.
async function keepRepainting(colour, until) {
  let done = false;
  const finished = until.finally(() => {
    done = true;
  });
  while (!done) {
    await paintDisplay(colour);
    await new Promise((resolve) => setTimeout(resolve, REPAINT_GAP_MS));
  }
  return finished;
}

// Asserts that the viewer in `page` decodes VP8 at the display's size
// (`size`: {width, height}) without errors while the display, painted
// `colour`, is repainted: over about a second, every frame that arrived was
// decoded, give or take the few in flight, and few were dropped. Frames
// dropped before the first key frame, while a viewer joins mid-stream, are
// not held against it. Returns the later stats.
export async function assertDecodesCleanly(page, size, colour) {
  const first = await viewerStats(page);
  assert.ok(first, 'the viewer has no WebRTC session');
  const stats = await keepRepainting(colour, waitForMoreFrames(page,
    first.framesDecoded + MORE_FRAMES, MORE_FRAMES_TIMEOUT_MS));
  const seen = `first ${JSON.stringify(first)}, then ${JSON.stringify(stats)}`;

  assert.equal(stats.codec, 'video/VP8', seen);
  assert.equal(stats.frameWidth, size.width, seen);
  assert.equal(stats.frameHeight, size.height, seen);
  assert.ok(stats.keyFramesDecoded >= 1, `no key frame decoded: ${seen}`);

  const received = stats.framesReceived - first.framesReceived;
  const decoded = stats.framesDecoded - first.framesDecoded;
  const dropped = stats.framesDropped - first.framesDropped;
  assert.ok(received - decoded <= IN_FLIGHT_FRAMES,
    `${received} frames arrived but only ${decoded} were decoded: ${seen}`);
  assert.ok(dropped <= Math.max(1, decoded / 10),
    `${dropped} frames dropped while ${decoded} were decoded: ${seen}`);
  return stats;
}

// Paints the display `colour` and waits for `page` to show it; asserts it did
// within REPAINT_LIMIT_MS and returns how long it took.
export async function followRepaint(page, colour) {
  await paintDisplay(colour);
  const painted = Date.now();

  await waitForColour(page, colour, COLOUR_TOLERANCE, 3 * REPAINT_LIMIT_MS);
  const ms = Date.now() - painted;
  assert.ok(ms <= REPAINT_LIMIT_MS,
    `the page showed [${colour}] ${ms} ms after the repaint, over ${REPAINT_LIMIT_MS} ms`);
  return ms;
}

function sessionRecords(records) {
  return records.filter((r) => r.component === 'session' &&
    (r.message === 'session started' || r.message === 'session ended'));
}

// Waits until the server holds no viewer session, as its log tells.
export async function waitForServerIdle(log, timeoutMs) {
  await log.waitFor(0, (records) => {
    const last = sessionRecords(records).at(-1);
    return !last || last.viewers === '0';
  }, 'no viewer session left', timeoutMs);
}

// The number of pipeline elements with no viewer attached: the capture chain
// alone, as the first detach of the server's life left it.
async function captureChainSize(log) {
  const idle = logged(await log.records(), 'capture', 'viewer detached')
    .find((r) => r.viewers === '0');
  assert.ok(idle, 'the server never logged "viewer detached" with no viewer left ' +
    '(is it running with --log-level debug?)');
  return Number(idle.elements);
}

// Asserts that, since `mark`, the server started exactly `sessions` (ids, in
// order), ended each once, and is left with no session, no viewer branch in
// its pipeline (webrtcbin bin or tee pad) and its capture stopped.
export async function assertServerIdle(log, mark, sessions, timeoutMs) {
  const records = await log.waitFor(mark, (seen) => {
    const ended = logged(seen, 'session', 'session ended').map((r) => r.session);
    const last = sessionRecords(seen).at(-1);
    const done = sessions.every((id) => ended.includes(id)) && last?.viewers === '0';
    return done && seen;
  }, `the end of all ${sessions.length} sessions`, timeoutMs);

  const started = logged(records, 'session', 'session started').map((r) => r.session);
  assert.deepEqual(started, sessions, 'the sessions the server started');
  const ended = logged(records, 'session', 'session ended').map((r) => r.session);
  assert.deepEqual([...ended].sort(), [...sessions].sort(), 'the sessions the server ended');

  const chain = await captureChainSize(log);
  const detached = logged(records, 'capture', 'viewer detached');
  assert.equal(detached.length, sessions.length, 'one "viewer detached" per session');
  for (const record of detached) {
    const viewers = Number(record.viewers);
    assert.equal(Number(record.tee_pads), viewers, `tee pads: ${JSON.stringify(record)}`);
    assert.equal(Number(record.elements), chain + viewers,
      `pipeline elements, with a capture chain of ${chain}: ${JSON.stringify(record)}`);
  }
  assert.equal(detached.at(-1).viewers, '0');

  const lastStart = records.lastIndexOf(
    logged(records, 'session', 'session started').at(-1));
  const stopped = records.findIndex((r, i) => i > lastStart &&
    r.component === 'capture' && r.message === 'capture stopped: no viewer left');
  assert.ok(stopped > lastStart, 'the capture did not stop after the last session');
}

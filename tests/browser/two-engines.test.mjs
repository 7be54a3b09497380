// Browser tests with Chromium and Firefox watching at once, as two users would.

import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';

import {
  ENGINES,
  launchBrowser,
  openViewer,
  viewerState,
  waitForColour,
  waitForPlaying,
} from './browser.mjs';
import {logged, paintDisplay, readEnvironment} from './server.mjs';
import {
  COLOUR_TOLERANCE,
  GREEN,
  VIDEO_SIZE,
  assertDecodesCleanly,
  followRepaint,
  waitForServerIdle,
} from './checks.mjs';

const PLAY_TIMEOUT_MS = 15000;
const COLOUR_TIMEOUT_MS = 5000;
const LOG_TIMEOUT_MS = 10000;
const TEST_TIMEOUT_MS = 60000;

const env = readEnvironment();
const browsers = {};

// One after the other, so that `after` closes whichever did start.
before(async () => {
  browsers.chromium = await launchBrowser('chromium');
  browsers.firefox = await launchBrowser('firefox');
});

after(async () => {
  await Promise.all(Object.values(browsers).map((browser) => browser.close()));
});

// Opens the viewer in both engines at once, into `viewers` ({engine: {page}}),
// and waits until both play; adds each one's sessionId. Decoding is judged
// once both have joined: a join forces a key frame on the shared encoder,
// and what the other viewer drops meanwhile is not an error.
async function openBoth(viewers) {
  await Promise.all(Object.keys(ENGINES).map(async (engine) => {
    const page = await openViewer(browsers[engine], env.viewerUrl.href);
    viewers[engine] = {page};
    await waitForPlaying(page, PLAY_TIMEOUT_MS);
    await waitForColour(page, env.colour, COLOUR_TOLERANCE, COLOUR_TIMEOUT_MS);
    viewers[engine].sessionId = (await viewerState(page)).sessionId;
  }));

  for (const {page} of Object.values(viewers)) {
    await assertDecodesCleanly(page, VIDEO_SIZE, env.colour);
  }
}

async function closeAll(viewers) {
  for (const {page} of Object.values(viewers)) {
    if (!page.isClosed()) {
      await page.close();
    }
  }
}

// The server's "session ended" record of `sessionId` since `mark`.
async function waitForSessionEnd(mark, sessionId) {
  return env.serverLog.waitFor(mark,
    (records) => logged(records, 'session', 'session ended')
      .find((r) => r.session === sessionId),
    `"session ended" for session ${sessionId}`, LOG_TIMEOUT_MS);
}

for (const [closing, staying] of [['firefox', 'chromium'], ['chromium', 'firefox']]) {
  const closer = ENGINES[closing].label;
  const stayer = ENGINES[staying].label;

  test(`Chromium and Firefox watch at once; ${closer} closing its tab leaves ` +
    `${stayer} playing and ends its own session`, {timeout: TEST_TIMEOUT_MS}, async () => {
    await waitForServerIdle(env.serverLog, LOG_TIMEOUT_MS);
    const mark = await env.serverLog.mark();
    const viewers = {};
    try {
      await openBoth(viewers);
      const ids = [viewers.chromium.sessionId, viewers.firefox.sessionId];
      assert.notEqual(ids[0], ids[1], 'both engines got the same session');
      const started = logged(await env.serverLog.records(mark), 'session', 'session started');
      assert.deepEqual(started.map((r) => r.session).sort(), [...ids].sort());
      assert.equal(started.at(-1).viewers, '2');

      await viewers[closing].page.close();
      const ended = await waitForSessionEnd(mark, viewers[closing].sessionId);
      console.log(`the server ended ${closer}'s session: ${ended.reason}`);
      assert.equal(ended.viewers, '1',
        `the server should hold one viewer: ${JSON.stringify(ended)}`);

      await assertStillPlaying(viewers[staying], mark);
    } finally {
      await paintDisplay(env.colour);
      await closeAll(viewers);
    }
  });
}

// The viewer that stayed follows a repaint, keeps decoding, and its session
// is still alive on the server.
async function assertStillPlaying(viewer, mark) {
  const {page, sessionId} = viewer;
  await followRepaint(page, GREEN);
  await assertDecodesCleanly(page, VIDEO_SIZE, GREEN);

  const state = await viewerState(page);
  assert.equal(state.status, 'playing', JSON.stringify(state));
  assert.equal(state.sessionId, sessionId, 'the viewer that stayed changed session');

  const records = await env.serverLog.records(mark);
  const endedIds = logged(records, 'session', 'session ended').map((r) => r.session);
  assert.ok(!endedIds.includes(sessionId), 'the server ended the session that stayed');
  const detached = logged(records, 'capture', 'viewer detached').at(-1);
  assert.equal(detached?.tee_pads, '1', `tee pads after one left: ${JSON.stringify(detached)}`);
}

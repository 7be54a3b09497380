// The browser tests one engine runs against the server in loopback mode: defineViewerTests().

import assert from 'node:assert/strict';
import {after, test} from 'node:test';

import {
  ENGINES,
  findPicture,
  launchBrowser,
  openLibraryPage,
  openViewer,
  startLibraryConsumer,
  viewerState,
  waitForColour,
  waitForLibraryFrames,
  waitForPlaying,
  waitForStatus,
} from './browser.mjs';
import {logged, paintDisplay, readEnvironment, withOwnServer} from './server.mjs';
import {
  BLUE,
  COLOUR_TOLERANCE,
  GREEN,
  VIDEO_SIZE,
  assertDecodesCleanly,
  assertServerIdle,
  followRepaint,
  waitForServerIdle,
  withPage,
} from './checks.mjs';

const PLAY_TIMEOUT_MS = 15000;
const COLOUR_TIMEOUT_MS = 5000;
const STATUS_TIMEOUT_MS = 5000;
const LOG_TIMEOUT_MS = 10000;
const TEST_TIMEOUT_MS = 60000;

const RELOADS = 20;

const env = readEnvironment();

function viewerUrlWith(base, params) {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) {
    url.searchParams.set(name, value);
  }
  return url.href;
}

// One browser per mDNS setting, launched when a test first needs it and kept
// for the rest of the file: Firefox takes seconds to start.
function browserPool(engine) {
  const launched = new Map();
  return {
    get(mdns = true) {
      if (!launched.has(mdns)) {
        launched.set(mdns, launchBrowser(engine, {mdns}));
      }
      return launched.get(mdns);
    },
    async closeAll() {
      const results = await Promise.allSettled(launched.values());
      for (const result of results) {
        await result.value?.close();
      }
    },
  };
}

// Asserts that `page` plays the shared server's stream in the painted colour
// and decodes cleanly; returns the stats.
async function assertViewerPlays(page) {
  await waitForPlaying(page, PLAY_TIMEOUT_MS);

  const state = await viewerState(page);
  assert.equal(state.sessionMeta?.session, env.session,
    `producer meta.session; viewerState=${JSON.stringify(state)}`);
  assert.ok(state.producerId, 'viewerState.producerId is empty');
  assert.ok(state.sessionId, 'viewerState.sessionId is empty');

  await waitForColour(page, env.colour, COLOUR_TOLERANCE, COLOUR_TIMEOUT_MS);
  return assertDecodesCleanly(page, VIDEO_SIZE, env.colour);
}

// Where a `width` x `height` window shows a 16:9 picture with its aspect kept.
function expectedPictureBox(width, height) {
  const scale = Math.min(width / VIDEO_SIZE.width, height / VIDEO_SIZE.height);
  const shown = {width: VIDEO_SIZE.width * scale, height: VIDEO_SIZE.height * scale};
  const left = (width - shown.width) / 2;
  const top = (height - shown.height) / 2;
  return {left, top, right: left + shown.width - 1, bottom: top + shown.height - 1};
}

async function assertPictureFits(page, viewport) {
  await page.setViewport(viewport);
  const expected = expectedPictureBox(viewport.width, viewport.height);
  // VP8 blurs the edge of the picture by a pixel or two.
  const slack = 3;

  const found = await findPicture(page, env.colour, COLOUR_TOLERANCE);
  const where = `in a ${viewport.width}x${viewport.height} window: found ` +
    `${JSON.stringify(found)}, expected the box ${JSON.stringify(expected)}`;
  assert.equal(found.width, viewport.width, where);
  for (const side of ['left', 'top', 'right', 'bottom']) {
    assert.ok(Math.abs(found.box[side] - expected[side]) <= slack, `${side} ${where}`);
  }
  assert.ok(found.corner.every((c) => c < 30), `the bars are not black ${where}`);
}

// Defines one test per case for `engine` ('chromium' or 'firefox').
export function defineViewerTests(engine) {
  const {label} = ENGINES[engine];
  const browsers = browserPool(engine);
  after(() => browsers.closeAll());

  const cases = [
    ['the viewer page plays, with mDNS host candidates (the default)', playsWithMdns],
    ['the viewer page plays, with plain host addresses (mDNS off)', playsWithoutMdns],
    ['the picture follows a repaint of the display within a second', followsRepaints],
    ['the picture fills the window with its aspect ratio kept', keepsAspectRatio],
    ['the status line says connecting, then playing, then gets out of the way',
      statusWhilePlaying],
    ['the status line shows the error when signalling is unusable or unreachable',
      statusOnErrors],
    ['the viewer reconnects by itself when the server ends its session',
      reconnectsAfterSessionEnds],
    ['the viewer reconnects by itself when the signalling connection drops',
      reconnectsAfterSignallingDrops],
    [`a reload gets a fresh session; ${RELOADS} reloads leave nothing behind`,
      reloadsLeaveNothing, 3 * TEST_TIMEOUT_MS],
    ['two pages with only the unmodified gstwebrtc-api library play at once',
      libraryPagesPlay],
  ];
  for (const [title, body, timeout = TEST_TIMEOUT_MS] of cases) {
    test(`${label}: ${title}`, {timeout}, () => body(browsers, label));
  }
}

// The playout delay the server offers (0: show each frame at once); both
// engines agree to it in their answers.
const PLAYOUT_DELAY = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

async function playsWithMdns(browsers, label) {
  await withPage(openViewer(await browsers.get(true), env.viewerUrl.href), async (page) => {
    const stats = await assertViewerPlays(page);
    assert.ok(stats.localCandidates.some((c) => c.includes('.local')),
      `expected an mDNS (.local) candidate: ${JSON.stringify(stats.localCandidates)}`);
    assert.ok(stats.headerExtensions.includes(PLAYOUT_DELAY),
      `${label} answered without the playout delay: ` +
      JSON.stringify(stats.headerExtensions));
  });
}

// Also picks the producer by ?session=, as a link with it would.
async function playsWithoutMdns(browsers) {
  const url = viewerUrlWith(env.viewerUrl, {session: env.session});
  await withPage(openViewer(await browsers.get(false), url), async (page) => {
    const stats = await assertViewerPlays(page);
    assert.ok(stats.localCandidates.length > 0, 'the browser sent no candidate');
    assert.ok(stats.localCandidates.every((c) => !c.includes('.local')),
      `expected plain addresses: ${JSON.stringify(stats.localCandidates)}`);
  });
}

async function followsRepaints(browsers, label) {
  await withPage(openViewer(await browsers.get(true), env.viewerUrl.href), async (page) => {
    await assertViewerPlays(page);
    try {
      for (const colour of [GREEN, BLUE, env.colour]) {
        const ms = await followRepaint(page, colour);
        console.log(`# ${label} showed [${colour}] ${ms} ms after the repaint`);
      }
    } finally {
      await paintDisplay(env.colour);
    }
  });
}

async function keepsAspectRatio(browsers) {
  await withPage(openViewer(await browsers.get(true), env.viewerUrl.href), async (page) => {
    await assertViewerPlays(page);
    await assertPictureFits(page, {width: 600, height: 600});
    await assertPictureFits(page, {width: 1000, height: 300});
  });
}

async function statusWhilePlaying(browsers) {
  await withPage(openViewer(await browsers.get(true), env.viewerUrl.href), async (page) => {
    await assertViewerPlays(page);
    const state = await viewerState(page);
    assert.equal(state.statusHistory[0], 'connecting', JSON.stringify(state));
    assert.equal(state.statusHistory.at(-1), 'playing', JSON.stringify(state));
    assert.match(state.statusText, /^Playing/);

    // It fades out after a moment, leaving the picture clear.
    await page.waitForFunction(() => {
      const line = document.getElementById('status');
      return getComputedStyle(line).opacity === '0';
    }, {timeout: STATUS_TIMEOUT_MS, polling: 100});
  });
}

async function statusOnErrors(browsers) {
  const browser = await browsers.get(true);

  // A scheme WebSocket refuses: the page cannot even try.
  const badUrl = `ftp://${env.viewerUrl.host}/signalling`;
  const bad = viewerUrlWith(env.viewerUrl, {signalling: badUrl});
  await withPage(openViewer(browser, bad), async (page) => {
    const state = await waitForStatus(page, 'failed', STATUS_TIMEOUT_MS);
    assert.ok(state.statusText.startsWith(`Cannot use the signalling URL ${badUrl}: `),
      JSON.stringify(state));
    assert.equal(await statusOpacity(page), '1');
  });

  // Nothing listens on the discard port: the page says so and keeps trying.
  const deadUrl = `ws://${env.viewerUrl.hostname}:9/signalling`;
  const dead = viewerUrlWith(env.viewerUrl, {signalling: deadUrl});
  await withPage(openViewer(browser, dead), async (page) => {
    await page.waitForFunction(() => {
      const seen = window.viewerState.statusHistory;
      return seen.filter((status) => status === 'reconnecting').length >= 2;
    }, {timeout: STATUS_TIMEOUT_MS, polling: 100});
    const state = await waitForStatus(page, 'reconnecting', STATUS_TIMEOUT_MS);
    const expected = `Cannot reach the signalling server at ${deadUrl}. Retrying in `;
    assert.ok(state.statusText.startsWith(expected), JSON.stringify(state));
    assert.equal(await statusOpacity(page), '1');
  });
}

// With one viewer at most, a second one is refused: its session ends at once.
async function reconnectsAfterSessionEnds(browsers) {
  await withOwnServer(env, ['--max-viewers', '1'], async (server) => {
    const browser = await browsers.get(true);
    await withPage(openViewer(browser, server.url), async (first) => {
      await waitForPlaying(first, PLAY_TIMEOUT_MS);
      await withPage(openViewer(browser, server.url), async (second) => {
        await assertRefusedThenPlays(second, first, server);
      });
    });
  });
}

async function reconnectsAfterSignallingDrops(browsers) {
  await withOwnServer(env, [], async (server) => {
    await withPage(openViewer(await browsers.get(true), server.url), async (page) => {
      await waitForPlaying(page, PLAY_TIMEOUT_MS);
      const before = await viewerState(page);

      assert.equal(await server.stop(), 0, 'the server did not stop cleanly');
      const lost = await waitForStatus(page, 'reconnecting', STATUS_TIMEOUT_MS);
      assert.match(lost.statusText, /^Lost the signalling connection to ws:/);

      const mark = await server.start();
      await waitForPlaying(page, PLAY_TIMEOUT_MS);
      await waitForColour(page, env.colour, COLOUR_TOLERANCE, COLOUR_TIMEOUT_MS);
      const again = await viewerState(page);
      assert.notEqual(again.sessionId, before.sessionId, 'no new session');

      const started = logged(await server.log.records(mark), 'session', 'session started');
      assert.deepEqual(started.map((r) => r.session), [again.sessionId],
        'the restarted server should hold exactly the new session');
    });
  });
}

async function reloadsLeaveNothing(browsers) {
  await waitForServerIdle(env.serverLog, LOG_TIMEOUT_MS);
  const mark = await env.serverLog.mark();
  const sessions = [];

  await withPage(openViewer(await browsers.get(true), env.viewerUrl.href), async (page) => {
    for (let load = 0; load <= RELOADS; load++) {
      if (load > 0) {
        await page.reload({waitUntil: 'load'});
      }
      await waitForPlaying(page, PLAY_TIMEOUT_MS);
      const {sessionId} = await viewerState(page);
      assert.ok(!sessions.includes(sessionId), `load ${load} got session ${sessionId} again`);
      sessions.push(sessionId);
    }
    await assertViewerPlays(page);
  });

  await assertServerIdle(env.serverLog, mark, sessions, LOG_TIMEOUT_MS);
}

// Two pages at once with only the library, each pointed at the signalling
// URL; prints how long each took from connecting to the painted colour.
async function libraryPagesPlay(browsers) {
  const browser = await browsers.get(true);
  await Promise.all([1, 2].map((n) => withPage(openLibraryPage(browser, env.viewerUrl),
    async (page) => {
      const started = Date.now();
      const producer = await startLibraryConsumer(page, env.signallingUrl, env.session,
        PLAY_TIMEOUT_MS);
      assert.equal(producer.meta.session, env.session);

      const frames = await waitForLibraryFrames(page, PLAY_TIMEOUT_MS);
      assert.ok(frames > 0);
      await waitForColour(page, env.colour, COLOUR_TOLERANCE, COLOUR_TIMEOUT_MS, '#remote');
      console.log(`library page ${n}: the painted colour ${Date.now() - started} ms ` +
        'after connecting');
    })));
}

async function statusOpacity(page) {
  return page.evaluate(() => getComputedStyle(document.getElementById('status')).opacity);
}

// `second` is refused while `first` plays, says so, and plays by itself once
// `first` has gone.
async function assertRefusedThenPlays(second, first, server) {
  const refused = await waitForStatus(second, 'reconnecting', PLAY_TIMEOUT_MS);
  assert.match(refused.statusText, /^The server ended the session\. Retrying in/);
  assert.equal(refused.error, 'The server ended the session');
  const records = await server.log.records();
  assert.ok(records.some((r) => r.message === 'viewer refused: too many viewers'),
    'the server did not log the refusal');

  await first.close();
  await waitForPlaying(second, PLAY_TIMEOUT_MS);
  await waitForColour(second, env.colour, COLOUR_TOLERANCE, COLOUR_TIMEOUT_MS);
  const state = await viewerState(second);
  assert.ok(state.sessionsStarted >= 2, `it never tried again: ${JSON.stringify(state)}`);
  assert.equal(state.error, null);
}

// Browser tests against a running vm-webrtc-server in loopback mode (set up by
// the caller, see tests/browser/meson.build): real Chromium plays the stream.
//
// Environment:
//   VMRTC_VIEWER_URL  the viewer page, e.g. http://10.213.0.1:8080/
//   VMRTC_EXPECT_RGB  colour the captured display is painted, e.g. 255,0,0
//   VMRTC_SESSION     the server's SESSION_ID, expected as the producer's meta.session

import assert from 'node:assert/strict';
import {test} from 'node:test';

import {
  launchChromium,
  openLibraryPage,
  openViewer,
  startLibraryConsumer,
  viewerState,
  waitForColour,
  waitForLibraryFrames,
  waitForPlaying,
} from './browser.mjs';

const PLAY_TIMEOUT_MS = 15000;
const COLOUR_TIMEOUT_MS = 5000;
const TEST_TIMEOUT_MS = 60000;

// VP8 is lossy and the frame goes through YUV 4:2:0 and back.
const COLOUR_TOLERANCE = 40;

function readEnvironment() {
  const names = ['VMRTC_VIEWER_URL', 'VMRTC_EXPECT_RGB', 'VMRTC_SESSION'];
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set: these tests need ` +
      'vm-webrtc-server running in loopback mode; see tests/browser/meson.build');
  }

  const {VMRTC_VIEWER_URL: url, VMRTC_EXPECT_RGB: rgb, VMRTC_SESSION: session} =
    process.env;
  const colour = rgb.split(',').map((part) => Number(part.trim()));
  const valid = (c) => Number.isInteger(c) && c >= 0 && c <= 255;
  if (colour.length !== 3 || !colour.every(valid)) {
    throw new Error(`VMRTC_EXPECT_RGB="${rgb}" is not three integers 0-255 like 255,0,0`);
  }

  const viewerUrl = new URL(url);
  const scheme = viewerUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return {
    viewerUrl,
    signallingUrl: `${scheme}//${viewerUrl.host}/signalling`,
    colour,
    session,
  };
}

const env = readEnvironment();

function viewerUrlWith(params) {
  const url = new URL(env.viewerUrl);
  for (const [name, value] of Object.entries(params)) {
    url.searchParams.set(name, value);
  }
  return url.href;
}

async function withChromium(options, body) {
  const browser = await launchChromium(options);
  try {
    await body(browser);
  } finally {
    await browser.close();
  }
}

// Asserts that `page` plays the expected producer's stream in the expected colour.
async function assertViewerPlays(page) {
  const stats = await waitForPlaying(page, PLAY_TIMEOUT_MS);
  assert.ok(stats.framesDecoded > 0, `no frame decoded: ${JSON.stringify(stats)}`);

  const state = JSON.parse(await viewerState(page));
  assert.equal(state.status, 'playing');
  assert.equal(state.sessionMeta?.session, env.session,
    `producer meta.session; viewerState=${JSON.stringify(state)}`);
  assert.ok(state.producerId, 'viewerState.producerId is empty');

  await waitForColour(page, env.colour, COLOUR_TOLERANCE, COLOUR_TIMEOUT_MS);
  return stats;
}

async function waitForMoreFrames(page, seen) {
  await page.waitForFunction(
    async (previous) => (await window.viewerStats())?.framesDecoded > previous,
    {timeout: PLAY_TIMEOUT_MS, polling: 200}, seen);
}

test('viewer plays the stream with mDNS host candidates (the default)',
  {timeout: TEST_TIMEOUT_MS}, async () => {
    await withChromium({mdns: true}, async (browser) => {
      const start = Date.now();
      const page = await openViewer(browser, env.viewerUrl.href);
      const stats = await assertViewerPlays(page);
      // A figure for the record, not a pass mark: shared machines are noisy.
      console.log(`# page load to the expected colour: ${Date.now() - start} ms`);

      assert.ok(stats.localCandidates.some((c) => c.includes('.local')),
        `expected an mDNS (.local) candidate: ${JSON.stringify(stats.localCandidates)}`);
    });
  });

test('viewer plays the stream with mDNS disabled and ?session= set',
  {timeout: TEST_TIMEOUT_MS}, async () => {
    await withChromium({mdns: false}, async (browser) => {
      const page = await openViewer(browser, viewerUrlWith({session: env.session}));
      const stats = await assertViewerPlays(page);

      assert.ok(stats.localCandidates.length > 0, 'the browser sent no candidate');
      assert.ok(stats.localCandidates.every((c) => !c.includes('.local')),
        `expected plain addresses: ${JSON.stringify(stats.localCandidates)}`);
    });
  });

test('two viewers play at the same time', {timeout: TEST_TIMEOUT_MS}, async () => {
  await withChromium({mdns: true}, async (browser) => {
    const first = await openViewer(browser, env.viewerUrl.href);
    const second = await openViewer(browser, env.viewerUrl.href);

    const [statsA, statsB] = await Promise.all([
      assertViewerPlays(first),
      assertViewerPlays(second),
    ]);

    // Both keep receiving once both are up.
    await Promise.all([
      waitForMoreFrames(first, statsA.framesDecoded),
      waitForMoreFrames(second, statsB.framesDecoded),
    ]);
    assert.equal(await first.evaluate(() => viewerState.status), 'playing');
    assert.equal(await second.evaluate(() => viewerState.status), 'playing');
  });
});

test('a page with only the unmodified gstwebrtc-api library plays the stream',
  {timeout: TEST_TIMEOUT_MS}, async () => {
    await withChromium({mdns: true}, async (browser) => {
      const page = await openLibraryPage(browser, env.viewerUrl);
      const producer = await startLibraryConsumer(page, env.signallingUrl, env.session,
        PLAY_TIMEOUT_MS);
      assert.equal(producer.meta.session, env.session);

      const frames = await waitForLibraryFrames(page, PLAY_TIMEOUT_MS);
      assert.ok(frames > 0);
      const colour = await waitForColour(page, env.colour, COLOUR_TOLERANCE,
        COLOUR_TIMEOUT_MS, '#remote');
      assert.equal(colour.length, 3);
    });
  });

// Tests of the viewer page alone, against the stand-in server of fake-server.mjs:
// producer choice, status and retries, and (inside tests/support/netns-run) a
// real stream from a second page that produces with gstwebrtc-api.

import assert from 'node:assert/strict';
import {networkInterfaces} from 'node:os';
import {after, before, beforeEach, test} from 'node:test';

import {
  launchChromium,
  openLibraryPage,
  openViewer,
  startLibraryConsumer,
  waitForColour,
  waitForLibraryFrames,
  waitForPlaying,
} from './browser.mjs';
import {startFakeServer} from './fake-server.mjs';

const WAIT_MS = 5000;
const PLAY_TIMEOUT_MS = 15000;
const TEST_TIMEOUT_MS = 30000;
const NETNS_ADDRESS = '10.213.0.1'; // veth address made by tests/support/netns-run

let browser;
let server;

before(async () => {
  browser = await launchChromium({mdns: false});
});

// Each test gets a fresh server and a browser without the last test's pages.
beforeEach(async () => {
  for (const page of await browser.pages()) {
    await page.close();
  }
  await server?.close();
  server = await startFakeServer();
});

after(async () => {
  await server?.close();
  await browser?.close();
});

// Messages of `type` that the browser pages sent to the server.
function sent(type) {
  return server.signalling.received
    .filter((entry) => entry.msg.type === type && entry.from !== 'server')
    .map((entry) => entry.msg);
}

async function waitUntil(what, condition, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function state(page) {
  return page.evaluate(() => ({...window.viewerState}));
}

async function waitForState(page, what, predicate) {
  let last;
  try {
    await waitUntil(what, async () => predicate(last = await state(page)));
  } catch (error) {
    error.message += `; last viewerState: ${JSON.stringify(last)}`;
    throw error;
  }
  return last;
}

test('picks the producer whose meta.session matches ?session=', async () => {
  server.signalling.addSilentProducer({session: 'other', name: 'other desktop'});
  const wanted = server.signalling.addSilentProducer({session: 'vm-7', name: 'vm-7 desktop'});

  const page = await openViewer(browser, `${server.url}?session=vm-7`);
  const seen = await waitForState(page, 'a producer', (s) => s.producerId);

  assert.equal(seen.producerId, wanted);
  assert.deepEqual(seen.sessionMeta, {session: 'vm-7', name: 'vm-7 desktop'});
  assert.equal(seen.status, 'waiting');
  assert.deepEqual(sent('startSession').map((msg) => msg.peerId), [wanted]);
  assert.deepEqual(sent('setPeerStatus')[0].meta, {session: 'vm-7'});
  await page.close();
});

test('takes the first producer when no session is asked for', async () => {
  const first = server.signalling.addSilentProducer({session: 'a'});
  server.signalling.addSilentProducer({session: 'b'});

  const page = await openViewer(browser, server.url);
  const seen = await waitForState(page, 'a producer', (s) => s.producerId);

  assert.equal(seen.producerId, first);
  assert.equal(sent('setPeerStatus')[0].meta, null);
  await page.close();
});

test('waits for the producer to appear, then starts a session', async () => {
  const page = await openViewer(browser, `${server.url}?session=late`);
  const waiting = await waitForState(page, 'waiting', (s) => s.status === 'waiting');
  assert.equal(waiting.producerId, null);
  assert.match(await page.$eval('#status', (e) => e.textContent), /late/);

  const producer = server.signalling.addSilentProducer({session: 'late'});
  await waitUntil('startSession', () => sent('startSession').length === 1);
  assert.equal(sent('startSession')[0].peerId, producer);
  await page.close();
});

test('starts a new session after the server ends one', {timeout: TEST_TIMEOUT_MS}, async () => {
  server.signalling.addSilentProducer({session: 's'});
  const page = await openViewer(browser, server.url);
  await waitUntil('the first session', () => server.signalling.sessions.size === 1);

  const [sessionId] = server.signalling.sessions.keys();
  server.signalling.endSession(sessionId);

  const retrying = await waitForState(page, 'reconnecting', (s) => s.status === 'reconnecting');
  assert.match(retrying.error, /stream ended/);
  await waitUntil('a second startSession', () => sent('startSession').length === 2);
  await page.close();
});

test('reconnects to signalling with a growing delay', {timeout: TEST_TIMEOUT_MS}, async () => {
  server.options.refuse = true;
  const times = [];
  const count = () => server.signalling.connections;
  const page = await openViewer(browser, server.url);

  for (let seen = 0; times.length < 4;) {
    await waitUntil(`connection attempt ${times.length + 1}`, () => count() > seen, 8000);
    seen = count();
    times.push(Date.now());
  }
  const gaps = times.slice(1).map((time, i) => time - times[i]);
  assert.ok(gaps[0] >= 300 && gaps[0] < 1500, `first retry gap ${gaps[0]} ms`);
  assert.ok(gaps[2] >= 1500, `third retry gap ${gaps[2]} ms, expected ~2000 (gaps ${gaps})`);

  const failing = await state(page);
  assert.equal(failing.status, 'reconnecting');
  assert.match(failing.error, /Cannot reach the signalling server/);

  server.options.refuse = false;
  await waitForState(page, 'connected', (s) => s.status === 'waiting');
  await page.close();
});

test('reconnects after the signalling connection drops', {timeout: TEST_TIMEOUT_MS}, async () => {
  server.signalling.addSilentProducer({session: 's'});
  const page = await openViewer(browser, server.url);
  await waitUntil('the first session', () => server.signalling.sessions.size === 1);

  server.signalling.dropAll();
  const dropped = await waitForState(page, 'reconnecting', (s) => s.status === 'reconnecting');
  assert.match(dropped.error, /Lost the signalling connection/);

  await waitUntil('a second startSession', () => sent('startSession').length === 2);
  const [first, second] = sent('startSession');
  assert.equal(first.peerId, second.peerId);
  assert.equal(server.signalling.connections, 2);
  await page.close();
});

test('says so when the signalling URL is unusable', async () => {
  const page = await openViewer(browser, `${server.url}?signalling=ftp://127.0.0.1/`);
  const failed = await waitForState(page, 'failed', (s) => s.status === 'failed');
  assert.match(failed.error, /ftp:\/\/127\.0\.0\.1/);
  await page.close();
});

// Paints a canvas `colour` and offers it as a producer with `meta`, through
// gstwebrtc-api's own producer mode.
async function startCanvasProducer(colour, meta) {
  const page = await openLibraryPage(browser, server.url);
  await page.evaluate((url, rgb, producerMeta) => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 240;
    document.body.append(canvas);
    const context = canvas.getContext('2d');
    setInterval(() => {
      context.fillStyle = `rgb(${rgb.join(',')})`;
      context.fillRect(0, 0, canvas.width, canvas.height);
    }, 50);

    const stream = canvas.captureStream(20);
    const api = new GstWebRTCAPI({
      signalingServerUrl: url,
      meta: producerMeta,
      webrtcConfig: {iceServers: []},
    });
    api.registerConnectionListener({
      connected: () => api.createProducerSession(stream).start(),
      disconnected: () => {},
    });
  }, server.signallingUrl, colour, meta);
  return page;
}

function inNetnsRun() {
  return Object.values(networkInterfaces()).flat()
    .some((address) => address.address === NETNS_ADDRESS);
}

test('plays a real stream from a gstwebrtc-api producer page',
  {timeout: 2 * TEST_TIMEOUT_MS}, async (t) => {
    if (!inNetnsRun()) {
      t.skip('SKIPPED: WebRTC media needs the namespace of tests/support/netns-run; ' +
        'run: tests/support/netns-run node --test tests/browser/');
      return;
    }

    const colour = [20, 120, 230];
    await startCanvasProducer(colour, {session: 'canvas', name: 'c'});

    const viewer = await openViewer(browser, `${server.url}?session=canvas`);
    const stats = await waitForPlaying(viewer, PLAY_TIMEOUT_MS);
    assert.ok(stats.framesDecoded > 0);
    assert.equal(stats.codec, 'video/VP8');
    await waitForColour(viewer, colour, 40, WAIT_MS);

    const second = await openViewer(browser, `${server.url}?session=canvas`);
    await waitForPlaying(second, PLAY_TIMEOUT_MS);
    assert.equal(server.signalling.sessions.size, 2);

    const library = await openLibraryPage(browser, server.url);
    const producer = await startLibraryConsumer(library, server.signallingUrl, 'canvas',
      WAIT_MS);
    assert.equal(producer.meta.session, 'canvas');
    assert.ok(await waitForLibraryFrames(library, PLAY_TIMEOUT_MS) > 0);
    await waitForColour(library, colour, 40, WAIT_MS, '#remote');
  });

// Helpers for the browser tests: launch Debian's Chromium or Firefox and watch the viewer page.

import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {createRequire} from 'node:module';
import {join} from 'node:path';
import puppeteer from 'puppeteer-core';

// The engines the tests drive, as Debian packages them. run-with-server checks
// for the same executables before it starts anything.
export const ENGINES = {
  chromium: {label: 'Chromium', executable: '/usr/bin/chromium', apt: 'chromium'},
  firefox: {label: 'Firefox', executable: '/usr/bin/firefox-esr', apt: 'firefox-esr'},
};

// The library's ready-made browser bundle (its package "main"), as the GResource
// embeds it.
export const GSTWEBRTC_API_BUNDLE =
  createRequire(import.meta.url).resolve('gstwebrtc-api');

const POLL_MS = 100;
let pagesOpened = 0;
const engineOf = new WeakMap(); // browser -> 'chromium' or 'firefox', for page names

// Flags measured to be needed on these machines (shared/testing-network.md).
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
];

// Autoplay without a click, as Chromium's flag allows; mDNS host candidates
// on (Firefox's default) or off.
function firefoxPrefs(mdns) {
  return {
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    'media.peerconnection.ice.obfuscate_host_addresses': mdns,
  };
}

function launchOptions(engine, profile, mdns) {
  const {executable} = ENGINES[engine];
  if (engine === 'firefox') {
    return {
      browser: 'firefox',
      executablePath: executable,
      headless: true,
      userDataDir: profile,
      // Firefox writes beside HOME too; keep it in the throw-away profile.
      env: {...process.env, HOME: profile},
      extraPrefsFirefox: firefoxPrefs(mdns),
    };
  }

  const args = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`];
  if (!mdns) {
    args.push('--disable-features=WebRtcHideLocalIpsWithMdns');
  }
  return {executablePath: executable, headless: true, args};
}

function missingBrowserMessage(engine) {
  const {executable, apt} = ENGINES[engine];
  return `${executable} is missing: run apt-get install -y --no-install-recommends ` +
    `${apt} (scripts/install-deps does), or skip on purpose with ` +
    `VMRTC_SKIP_BROWSERS=${engine} (see README.md)`;
}

// Starts `engine` ('chromium' or 'firefox') headless with a fresh profile that is
// deleted when it closes. With `mdns: false` its ICE candidates show real host
// addresses instead of `<uuid>.local` names.
export async function launchBrowser(engine, {mdns = true} = {}) {
  if (!ENGINES[engine]) {
    throw new Error(`unknown engine "${engine}": use ${Object.keys(ENGINES).join(' or ')}`);
  }
  if (!existsSync(ENGINES[engine].executable)) {
    throw new Error(missingBrowserMessage(engine));
  }

  const profile = await mkdtemp(join(tmpdir(), `vmrtc-${engine}-`));
  let browser;
  try {
    browser = await puppeteer.launch(launchOptions(engine, profile, mdns));
  } catch (error) {
    await rm(profile, {recursive: true, force: true});
    throw error;
  }

  browser.once('disconnected', () => {
    rm(profile, {recursive: true, force: true}).catch(() => {});
  });
  engineOf.set(browser, engine);
  return browser;
}

// A new page whose console and errors go to the test's output.
export async function newLoggedPage(browser) {
  const page = await browser.newPage();
  const name = `${engineOf.get(browser) ?? 'browser'} page ${++pagesOpened}`;

  page.on('console', (message) => {
    console.log(`[${name} console.${message.type()}] ${message.text()}`);
  });
  page.on('pageerror', (error) => console.log(`[${name} error] ${error.message}`));
  return page;
}

// Opens `url` (the viewer page) in a new page.
export async function openViewer(browser, url) {
  const page = await newLoggedPage(browser);
  await page.goto(url, {waitUntil: 'load'});
  return page;
}

// The viewer's state (window.viewerState in viewer.js) and its status line.
export async function viewerState(page) {
  return page.evaluate(() => ({
    ...window.viewerState,
    statusText: document.getElementById('status')?.textContent ?? null,
  }));
}

// The viewer's summary of getStats() (window.viewerStats in viewer.js), or null.
export async function viewerStats(page) {
  return page.evaluate(() => window.viewerStats());
}

// Waits until the viewer's status is `status`; returns viewerState().
export async function waitForStatus(page, status, timeoutMs) {
  try {
    await page.waitForFunction((wanted) => window.viewerState?.status === wanted,
      {timeout: timeoutMs, polling: POLL_MS}, status);
  } catch (error) {
    error.message += `; waiting for status "${status}", viewerState=` +
      JSON.stringify(await viewerState(page));
    throw error;
  }
  return viewerState(page);
}

// Waits until the viewer says it plays and WebRTC reports decoded frames;
// returns the viewer's stats summary.
export async function waitForPlaying(page, timeoutMs) {
  try {
    const handle = await page.waitForFunction(
      async () => {
        if (window.viewerState?.status !== 'playing') {
          return false;
        }
        const stats = await window.viewerStats();
        return stats && stats.framesDecoded > 0 ? stats : false;
      },
      {timeout: timeoutMs, polling: POLL_MS});
    return await handle.jsonValue();
  } catch (error) {
    error.message += `; viewerState=${JSON.stringify(await viewerState(page))}`;
    throw error;
  }
}

// Waits until the viewer has decoded more than `seen` frames; returns its stats.
export async function waitForMoreFrames(page, seen, timeoutMs) {
  const handle = await page.waitForFunction(async (previous) => {
    const stats = await window.viewerStats();
    return stats && stats.framesDecoded > previous ? stats : false;
  }, {timeout: timeoutMs, polling: POLL_MS}, seen);
  return handle.jsonValue();
}

// Average [r, g, b] of 20x20 pixels a quarter in from the top left of the
// frame the page's video element (`#stream` unless told otherwise) shows;
// not the centre, where the X server parks the cursor the capture draws.
export async function sampleColour(page, selector = '#stream') {
  return page.evaluate((videoSelector) => {
    const video = document.querySelector(videoSelector);
    if (!video || video.videoWidth === 0) {
      throw new Error(`${videoSelector} has no decoded frame to sample`);
    }

    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d', {willReadFrequently: true});
    context.drawImage(video, 0, 0);

    const size = Math.min(20, canvas.width, canvas.height);
    const left = Math.floor(canvas.width / 4);
    const top = Math.floor(canvas.height / 4);
    const pixels = context.getImageData(left, top, size, size).data;

    const sum = [0, 0, 0];
    for (let i = 0; i < pixels.length; i += 4) {
      sum[0] += pixels[i];
      sum[1] += pixels[i + 1];
      sum[2] += pixels[i + 2];
    }
    const count = pixels.length / 4;
    return sum.map((total) => Math.round(total / count));
  }, selector);
}

export function colourMatches(actual, expected, tolerance) {
  return actual.every((value, i) => Math.abs(value - expected[i]) <= tolerance);
}

// Samples until the sampled colour is within `tolerance` of `expected` on every
// channel; returns the matching sample, or throws with the last one seen.
export async function waitForColour(page, expected, tolerance, timeoutMs,
  selector = '#stream') {
  const deadline = Date.now() + timeoutMs;
  let last = null;

  while (Date.now() < deadline) {
    try {
      last = await sampleColour(page, selector);
      if (colourMatches(last, expected, tolerance)) {
        return last;
      }
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS / 2));
  }

  throw new Error(`sampled colour never came within ${tolerance} of ` +
    `[${expected}] in ${timeoutMs} ms; last sample: ${JSON.stringify(last)}`);
}

// Where the picture sits in the window: takes a screenshot and returns the
// bounding box of its pixels within `tolerance` of `colour`, the screenshot's
// size and the colour of its top left pixel. The PNG is decoded by the page
// itself, through a canvas.
export async function findPicture(page, colour, tolerance) {
  const png = await page.screenshot({encoding: 'base64', type: 'png'});
  return page.evaluate(async (data, wanted, slack) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();

    const {width, height} = image;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', {willReadFrequently: true});
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, width, height).data;

    const box = {left: width, top: height, right: -1, bottom: -1};
    for (let i = 0; i < pixels.length; i += 4) {
      const close = [0, 1, 2].every((c) => Math.abs(pixels[i + c] - wanted[c]) <= slack);
      if (close) {
        const x = (i / 4) % width;
        const y = Math.floor(i / 4 / width);
        box.left = Math.min(box.left, x);
        box.right = Math.max(box.right, x);
        box.top = Math.min(box.top, y);
        box.bottom = Math.max(box.bottom, y);
      }
    }
    return {width, height, box, corner: [...pixels.subarray(0, 3)]};
  }, png, colour, tolerance);
}

// A bare page made with setContent: a video element `#remote` and nothing but
// the gstwebrtc-api bundle, no viewer code. It stays on the origin of
// `originUrl` (where it first loads a plain file, so that no script runs),
// because the server only takes WebSockets from pages of its own origin.
export async function openLibraryPage(browser, originUrl) {
  const page = await newLoggedPage(browser);
  const plainFile = new URL('/gstwebrtc-api.js', originUrl).href;
  const response = await page.goto(plainFile);
  if (!response?.ok()) {
    throw new Error(`cannot load ${plainFile}: HTTP ${response?.status()}`);
  }
  await page.setContent('<!DOCTYPE html><html><head><title>gstwebrtc-api only</title>' +
    '</head><body><video id="remote" muted autoplay playsinline></video></body></html>');
  await page.addScriptTag({path: GSTWEBRTC_API_BUNDLE});
  return page;
}

// In a page from openLibraryPage: connects to `signallingUrl` with the plain
// library API, waits for the producer whose meta.session is `session` and
// starts a consumer session that plays into #remote. Resolves with that
// producer ({id, meta}); the session is left in window.libraryConsumer.
export async function startLibraryConsumer(page, signallingUrl, session, timeoutMs) {
  return page.evaluate(async (url, wanted, timeout) => {
    const api = new GstWebRTCAPI({
      signalingServerUrl: url,
      meta: {session: wanted},
      // Only the peers' own candidates: tests must not reach public STUN servers.
      webrtcConfig: {iceServers: []},
    });

    const producer = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no producer with meta.session "${wanted}" within ${timeout} ms`));
      }, timeout);
      api.registerPeerListener({
        producerAdded(added) {
          if (added.meta.session === wanted) {
            clearTimeout(timer);
            resolve(added);
          }
        },
      });
    });

    const consumer = api.createConsumerSession(producer.id);
    consumer.addEventListener('streamsChanged', () => {
      document.getElementById('remote').srcObject = consumer.streams[0];
    });
    window.libraryConsumer = consumer;
    if (!consumer.connect()) {
      throw new Error('ConsumerSession.connect() failed');
    }
    return {id: producer.id, meta: {...producer.meta}};
  }, signallingUrl, session, timeoutMs);
}

// Waits until window.libraryConsumer's connection reports decoded video
// frames; returns their number.
export async function waitForLibraryFrames(page, timeoutMs) {
  const handle = await page.waitForFunction(async () => {
    const connection = window.libraryConsumer?.rtcPeerConnection;
    if (!connection) {
      return false;
    }
    for (const entry of (await connection.getStats()).values()) {
      if (entry.type === 'inbound-rtp' && entry.kind === 'video' && entry.framesDecoded > 0) {
        return entry.framesDecoded;
      }
    }
    return false;
  }, {timeout: timeoutMs, polling: POLL_MS});
  return handle.jsonValue();
}
